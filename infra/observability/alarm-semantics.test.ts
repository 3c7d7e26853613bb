// The prod stack's alarms, read from Pulumi.prod.yaml through the stack's config parser, evaluated the way
// CloudWatch evaluates alarms: every minute over a sliding window, M of N, with the evaluation range and
// missing-data treatment its documentation describes (evaluate.ts). What an on-call engineer relies on:
// one unrecorded failure pages, a burst of failures pages, and a recorded failure split across a period
// boundary neither pages nor hides a real unrecorded failure beside it.
import { describe, expect, it } from "vitest";
import { METRIC_SERVICE } from "../../functions/kernel/metric-names.ts";
import { engineConfigOf } from "../testing/stack-config.ts";
import { type AlarmSpec, alarmSpecs, type MathAlarmSpec, type MetricAlarmSpec } from "./alarm-specs.ts";
import {
  type AlarmState,
  type Datapoint,
  EXTRA_PERIODS_FETCHED,
  evaluateAlarm,
  evaluateAlarmOver,
  nextEvaluation,
} from "./evaluate.ts";
import { watched } from "./fixtures.ts";
import { evaluateMathExpr, type Series } from "./metric-math.ts";

const prod = engineConfigOf("prod");
const prodSpecs = alarmSpecs({
  ...watched,
  workflowType: prod.workflowType,
  alarms: prod.alarms,
  metricsNamespace: prod.metricsNamespace,
  namePrefix: prod.namePrefix,
});
function prodSpec(id: string): AlarmSpec {
  const spec = prodSpecs.find((candidate) => candidate.id === id);
  if (!spec) throw new Error(`prod has no alarm ${id}`);
  return spec;
}
const stateMachineFailures = prodSpec("state-machine-failures") as MathAlarmSpec;
const failedExecutions = prodSpec("failed-executions") as MetricAlarmSpec;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const PERIOD = prod.alarms.periodSeconds * SECOND;
/** A whole minute, so the end of some evaluation's latest period: with a sliding window, a period boundary. */
const BOUNDARY = Date.UTC(2026, 10, 23, 10, 0);
/** Between the engine recording a failure and Step Functions ending the execution in Fail. */
const RECORD_TO_FAIL_MS = 300;

const point = (namespace: string, metricName: string, dimensions: Record<string, string>) => (timestamp: number) => ({
  namespace,
  metricName,
  dimensions,
  timestamp,
  value: 1,
});
const stateMachine = { StateMachineArn: watched.stateMachineArn };
const sfnFailed = point("AWS/States", "ExecutionsFailed", stateMachine);
const sfnTimedOut = point("AWS/States", "ExecutionsTimedOut", stateMachine);
const engineFailed = point(prod.metricsNamespace, "ExecutionFailed", { service: METRIC_SERVICE });

/** A failure the engine records, then ends in Fail. */
const recordedFailure = (recordedAt: number): Datapoint[] => [
  engineFailed(recordedAt),
  sfnFailed(recordedAt + RECORD_TO_FAIL_MS),
];

/** Every evaluation from a period before `around` to several after, as CloudWatch makes them. */
function statesAround(spec: AlarmSpec, points: Datapoint[], around: number) {
  return evaluateAlarmOver(spec, points, around - 2 * PERIOD, around + 4 * PERIOD);
}
const alarmsIn = (evaluations: { state: AlarmState; evaluatedAt: number }[]) =>
  evaluations.filter(({ state }) => state === "ALARM").map(({ evaluatedAt }) => evaluatedAt);

describe("the prod stack's alarms", () => {
  it("state every alarm's M of N: one unrecorded failure or one burst of failures is enough", () => {
    // Assess: N alone (prod once set alarmEvaluationPeriods 2) meant 2 of 2.
    expect(prodSpecs.every((spec) => spec.datapointsToAlarm >= 1)).toBe(true);
    expect([stateMachineFailures, failedExecutions].map((spec) => spec.datapointsToAlarm)).toEqual([1, 1]);
  });

  it("fire state-machine-failures on one unrecorded failure, at the first evaluation that sees it", () => {
    // Prepare: RecordFailure itself failed, so only Step Functions counts the failure.
    const failedAt = BOUNDARY + 20 * SECOND;

    // Act
    const evaluations = statesAround(stateMachineFailures, [sfnFailed(failedAt)], failedAt);

    // Assess
    expect(alarmsIn(evaluations)[0]).toBe(nextEvaluation(stateMachineFailures, failedAt));
  });

  it("fire state-machine-failures on an execution that timed out: on prod's EXPRESS, one stopped at five minutes", () => {
    const timedOutAt = BOUNDARY + 5 * SECOND;

    const evaluation = evaluateAlarm(stateMachineFailures, [sfnTimedOut(timedOutAt)], {
      at: nextEvaluation(stateMachineFailures, timedOutAt),
    });

    expect(evaluation.state).toBe("ALARM");
  });

  it("fire failed-executions when its threshold is reached inside one period, and not before", () => {
    // Prepare: prod's threshold of recorded failures, a few seconds apart.
    const threshold = failedExecutions.threshold;
    const failures = Array.from({ length: threshold }, (_, index) => recordedFailure(BOUNDARY + index * 5 * SECOND));
    const lastRecordedAt = BOUNDARY + (threshold - 1) * 5 * SECOND;
    const stateAfter = (points: Datapoint[], spec: AlarmSpec) =>
      evaluateAlarm(spec, points, { at: nextEvaluation(spec, lastRecordedAt + SECOND) }).state;

    // Act
    const atThreshold = stateAfter(failures.flat(), failedExecutions);
    const belowThreshold = stateAfter(failures.slice(1).flat(), failedExecutions);

    // Assess: recorded failures are the failed-executions alarm's, never state-machine-failures'.
    expect(threshold).toBeGreaterThan(1);
    expect(atThreshold).toBe("ALARM");
    expect(belowThreshold).toBe("OK");
    expect(alarmsIn(statesAround(stateMachineFailures, failures.flat(), BOUNDARY))).toEqual([]);
  });

  it("stay quiet for a recorded failure whose two datapoints straddle a period boundary", () => {
    // Prepare: recorded just before a whole minute, ended in Fail just after it.
    const straddling = recordedFailure(BOUNDARY - RECORD_TO_FAIL_MS / 2);

    // Act
    const evaluations = statesAround(stateMachineFailures, straddling, BOUNDARY);

    // Assess: the evaluations whose periods end at the boundary see the record's -1 before it, and the
    // Fail end after it offset by that deficit; none fires.
    const split = evaluations.filter(({ periods }) => periods.some(({ end }) => end === BOUNDARY));
    expect(split.length).toBeGreaterThan(0);
    for (const { periods } of split) {
      const before = periods.findIndex(({ end }) => end === BOUNDARY);
      expect(periods[before]?.value).toBeLessThan(0);
      if (periods[before + 1]) expect(periods[before + 1]?.value).toBe(0);
    }
    expect(alarmsIn(evaluations)).toEqual([]);
  });

  it.each([
    ["in the period the record falls in", -10 * SECOND],
    ["in the period the Fail end falls in", 10 * SECOND],
    ["a period before the straddle", -PERIOD + 30 * SECOND],
    ["a period after the straddle", PERIOD - 30 * SECOND],
  ])("report an unrecorded failure %s, one period late at most", (_, offset) => {
    // Prepare
    const failedAt = BOUNDARY + offset;
    const points = [...recordedFailure(BOUNDARY - RECORD_TO_FAIL_MS / 2), sfnFailed(failedAt)];

    // Act
    const alarms = alarmsIn(statesAround(stateMachineFailures, points, BOUNDARY));

    // Assess
    expect(alarms.length).toBeGreaterThan(0);
    expect(alarms[0]).toBeLessThanOrEqual(nextEvaluation(stateMachineFailures, failedAt) + PERIOD);
  });
});

describe("the unrecorded-failures expression", () => {
  // Per period t: U(t) executions ended without a record, S(t) recorded failures straddle the boundary
  // into t (engine ExecutionFailed in t-1, ExecutionsFailed in t), W(t) recorded failures inside t.
  const PERIODS = 8;
  function alarmValues(unrecorded: number[], straddles: number[]): Series {
    const within = unrecorded.map((_, t) => t % 2);
    const inputs: Record<string, Series> = {
      sfn_failed: unrecorded.map((u, t) => u - (u >= 2 ? 1 : 0) + (straddles[t] ?? 0) + (within[t] ?? 0)),
      sfn_timed_out: unrecorded.map((u) => (u >= 2 ? 1 : 0)),
      sfn_aborted: unrecorded.map(() => undefined),
      engine_failed: unrecorded.map((_, t) => (straddles[t + 1] ?? 0) + (within[t] ?? 0) || undefined),
    };
    for (const { id, model } of stateMachineFailures.expressions) inputs[id] = evaluateMathExpr(model, inputs);
    return inputs.total ?? [];
  }
  /** Every pattern: period 0 is the quiet one before (its DIFF has no predecessor), 1..7 are checked. */
  function* patterns(straddlesAllowed: (straddles: number[]) => boolean) {
    for (let u = 0; u < 3 ** (PERIODS - 1); u++) {
      const unrecorded = [0, ...Array.from({ length: PERIODS - 1 }, (_, t) => Math.floor(u / 3 ** t) % 3)];
      for (let s = 0; s < 2 ** (PERIODS - 2); s++) {
        // Boundaries into periods 2..7; none into period 1 or past the last one.
        const straddles = [0, 0, ...Array.from({ length: PERIODS - 2 }, (_, t) => (s >> t) & 1)];
        if (straddlesAllowed(straddles)) yield { unrecorded, straddles, values: alarmValues(unrecorded, straddles) };
      }
    }
  }
  const noneConsecutive = (straddles: number[]) => straddles.every((straddle, t) => !(straddle && straddles[t - 1]));

  // Every pattern with no two consecutive boundaries straddled: 3^7 choices of U times 21 of S.
  const checked = [...patterns(noneConsecutive)];

  it("fires only for a real unrecorded failure in its period or the one before, for every pattern", () => {
    const falseAlarms = checked.filter(({ unrecorded, values }) =>
      values.some((value, t) => t > 0 && (value ?? 0) >= 1 && !unrecorded[t] && !unrecorded[t - 1]),
    );

    expect(checked).toHaveLength(3 ** (PERIODS - 1) * 21);
    expect(falseAlarms).toEqual([]);
  });

  it("reports every unrecorded failure in its period or the next, for every pattern", () => {
    const hidden = checked.filter(({ unrecorded, values }) =>
      unrecorded.some((u, t) => t > 0 && t < PERIODS - 1 && u >= 1 && Math.max(values[t] ?? 0, values[t + 1] ?? 0) < 1),
    );

    expect(hidden).toEqual([]);
  });

  it("needs its premise: straddles at two consecutive boundaries can fire without an unrecorded failure", () => {
    // Prepare: recorded failures straddling the boundaries into periods 3 and 4, nothing unrecorded.
    const values = alarmValues(Array(PERIODS).fill(0), [0, 0, 0, 1, 1, 0, 0, 0]);

    // Assess: the value stays at or below 0 everywhere but at period 4.
    expect(values.map((value) => Math.max(value ?? 0, 0))).toEqual([0, 0, 0, 0, 1, 0, 0, 0]);
  });

  it("offsets a Fail end by the deficit its record left one period earlier", () => {
    const values = alarmValues([0, 1, 0, 0, 0, 0, 0, 0], [0, 0, 0, 1, 0, 0, 0, 0]);

    // Period 2 holds the record (-1), period 3 the Fail end (+1, offset by period 2's deficit).
    expect(values.slice(1, 5)).toEqual([1, -1, 0, 0]);
  });
});

describe("CloudWatch's evaluation, as the evaluator has it", () => {
  it("ends an evaluation's periods at its minute, so data written since waits for the next one", () => {
    // Prepare: an unrecorded failure 10 s into a minute.
    const failedAt = BOUNDARY + 10 * SECOND;
    const points = [sfnFailed(failedAt)];

    // Act
    const sameMinute = evaluateAlarm(stateMachineFailures, points, { at: BOUNDARY + 50 * SECOND });
    const nextMinute = evaluateAlarm(stateMachineFailures, points, { at: BOUNDARY + 61 * SECOND });

    // Assess: periods end on minutes, not on multiples of the period.
    expect(sameMinute.evaluatedAt).toBe(BOUNDARY);
    expect(sameMinute.state).toBe("OK");
    expect(nextMinute.evaluatedAt).toBe(BOUNDARY + MINUTE);
    const fetched = stateMachineFailures.evaluationPeriods + EXTRA_PERIODS_FETCHED;
    expect(nextMinute.periods.map(({ end }) => end)).toEqual(
      Array.from({ length: fetched }, (_, index) => BOUNDARY + MINUTE - (fetched - 1 - index) * PERIOD),
    );
    expect(nextMinute.state).toBe("ALARM");
  });

  it("keeps re-evaluating the last datapoint while it is in the evaluation range, as documented", () => {
    // Prepare: a burst, then no more failures (ExecutionFailed has no datapoint in a quiet period).
    const burst = Array.from({ length: failedExecutions.threshold }, (_, index) => engineFailed(BOUNDARY + index));

    // Act
    const evaluations = evaluateAlarmOver(failedExecutions, burst, BOUNDARY, BOUNDARY + 5 * PERIOD);

    // Assess: ALARM from the next minute until the burst leaves the N + 2 periods fetched.
    const fetched = (failedExecutions.evaluationPeriods + EXTRA_PERIODS_FETCHED) * PERIOD;
    expect(alarmsIn(evaluations)).toEqual(
      evaluations.map(({ evaluatedAt }) => evaluatedAt).filter((at) => at > BOUNDARY && at <= BOUNDARY + fetched),
    );
  });

  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-evaluating-missing-data
  // The 5 datapoints fetched, oldest first: 0 does not breach, X breaches, - is missing. "keep" is the
  // state before the evaluation, which `ignore` retains (ALARM here, so a retained state shows).
  describe.each([
    [3, 3, "0 - X - X", { missing: "OK", ignore: "OK", breaching: "OK", notBreaching: "OK" }],
    [3, 3, "0 - - - -", { missing: "OK", ignore: "OK", breaching: "OK", notBreaching: "OK" }],
    [3, 3, "- - - - -", { missing: "INSUFFICIENT_DATA", ignore: "keep", breaching: "ALARM", notBreaching: "OK" }],
    [3, 3, "0 X X - X", { missing: "ALARM", ignore: "ALARM", breaching: "ALARM", notBreaching: "ALARM" }],
    [3, 3, "- - - - X", { missing: "INSUFFICIENT_DATA", ignore: "keep", breaching: "ALARM", notBreaching: "OK" }],
    // Documented as ALARM under `missing`; evaluate.ts does not model it (see decide()).
    [3, 3, "X - - - -", { missing: "INSUFFICIENT_DATA", ignore: "keep", breaching: "ALARM", notBreaching: "OK" }],
    [2, 3, "0 - X - X", { missing: "ALARM", ignore: "ALARM", breaching: "ALARM", notBreaching: "ALARM" }],
    [2, 3, "0 0 X 0 X", { missing: "ALARM", ignore: "ALARM", breaching: "ALARM", notBreaching: "ALARM" }],
    [2, 3, "0 - X - -", { missing: "OK", ignore: "OK", breaching: "ALARM", notBreaching: "OK" }],
    [2, 3, "- - - - 0", { missing: "OK", ignore: "OK", breaching: "ALARM", notBreaching: "OK" }],
    [2, 3, "- - - - X", { missing: "INSUFFICIENT_DATA", ignore: "keep", breaching: "ALARM", notBreaching: "OK" }],
  ] as const)("%i of %i over %s", (datapointsToAlarm, evaluationPeriods, pattern, expected) => {
    const evaluatedAt = BOUNDARY;
    const marks = pattern.split(" ");
    const points = marks.flatMap((mark, index) => {
      if (mark === "-") return [];
      const periodEnd = evaluatedAt - (marks.length - 1 - index) * PERIOD;
      return [{ ...engineFailed(periodEnd - PERIOD / 2), value: mark === "X" ? 1 : 0 }];
    });

    it.each(Object.entries(expected))("treating missing data as %s: %s", (treatMissingData, state) => {
      const spec = {
        ...failedExecutions,
        threshold: 1,
        comparison: "GreaterThanOrEqualToThreshold",
        datapointsToAlarm,
        evaluationPeriods,
        treatMissingData,
      } as MetricAlarmSpec;

      const evaluation = evaluateAlarm(spec, points, { at: evaluatedAt, previousState: "ALARM" });

      expect(evaluation.periods).toHaveLength(marks.length);
      expect(evaluation.state).toBe(state === "keep" ? "ALARM" : state);
    });
  });
});
