// Evaluates the stack's alarm specs against captured datapoints the way CloudWatch documents alarm
// evaluation, so the local engine and the tests see the states the deployed alarms would take:
// - When: an alarm with a period of a minute or more is evaluated every minute, and its window slides with
//   each evaluation (the default SlidingWindow; the Pulumi provider has no EvaluationWindow, so the
//   deployed alarms use it). The periods of one evaluation end at that evaluation's minute, so period
//   boundaries fall on minute boundaries since the epoch, not on multiples of the period, and data written
//   since the last whole minute waits for the next evaluation.
//   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation-window.html
// - What: each period's statistic (a math alarm's watched expression, computed by evaluateMathExpr from
//   the same tree the deployed expression string was rendered from), over an evaluation range a little
//   longer than the alarm's N periods; then M of N with the alarm's missing-data treatment, as the table in
//   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-evaluating-missing-data
import {
  type AlarmSpec,
  type ComparisonOperator,
  type MetricRef,
  type Statistic,
  type TreatMissingData,
  watchedExpression,
} from "./alarm-specs.ts";
import { evaluateMathExpr, type Series } from "./metric-math.ts";

export interface Datapoint {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  /** Milliseconds since the epoch. */
  timestamp: number;
  value: number;
}

export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";

export interface PeriodValue {
  start: number;
  end: number;
  /** Undefined when the period has no datapoint. */
  value?: number;
  /** Undefined when the period has no datapoint. */
  breaching?: boolean;
}

export interface AlarmEvaluation {
  id: string;
  name: string;
  state: AlarmState;
  reason: string;
  /** The evaluation instant: the end of the latest period. */
  evaluatedAt: number;
  /** The evaluation range, oldest first. */
  periods: PeriodValue[];
}

/**
 * Periods CloudWatch fetches beyond the alarm's N. The documentation gives one example (5 fetched for
 * N = 3) and says the number depends on the period and the resolution; this evaluator uses N + 2.
 */
export const EXTRA_PERIODS_FETCHED = 2;

/** How often CloudWatch evaluates an alarm: every 10 s for 10, 20 or 30 s periods, else every minute. */
export function evaluationIntervalMs(spec: Pick<AlarmSpec, "periodSeconds">): number {
  return spec.periodSeconds < 60 ? 10_000 : 60_000;
}

/** The latest evaluation at or before `time`: what CloudWatch shows at `time`. */
export function latestEvaluation(spec: Pick<AlarmSpec, "periodSeconds">, time: number): number {
  const interval = evaluationIntervalMs(spec);
  return Math.floor(time / interval) * interval;
}

/** The first evaluation after `time`: the one that sees every datapoint written up to `time`. */
export function nextEvaluation(spec: Pick<AlarmSpec, "periodSeconds">, time: number): number {
  return latestEvaluation(spec, time) + evaluationIntervalMs(spec);
}

function sameSeries(point: Datapoint, ref: MetricRef): boolean {
  if (point.namespace !== ref.namespace || point.metricName !== ref.metricName) return false;
  const wanted = Object.entries(ref.dimensions);
  return (
    wanted.length === Object.keys(point.dimensions).length &&
    wanted.every(([name, value]) => point.dimensions[name] === value)
  );
}

/** CloudWatch's statistics, including percentiles (`p90`, `p99.9`) by nearest rank. */
export function statisticOf(values: number[], statistic: Statistic | string): number | undefined {
  if (values.length === 0) return undefined;
  switch (statistic) {
    case "Sum":
      return values.reduce((sum, value) => sum + value, 0);
    case "Average":
      return values.reduce((sum, value) => sum + value, 0) / values.length;
    case "Maximum":
      return Math.max(...values);
    case "Minimum":
      return Math.min(...values);
    case "SampleCount":
      return values.length;
    default: {
      const percentile = /^p(\d+(\.\d+)?)$/.exec(statistic);
      if (!percentile) throw new Error(`unknown statistic ${statistic}`);
      const sorted = [...values].sort((a, b) => a - b);
      const rank = Math.ceil((Number(percentile[1]) / 100) * sorted.length);
      return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
    }
  }
}

function compare(value: number, operator: ComparisonOperator, threshold: number): boolean {
  switch (operator) {
    case "GreaterThanOrEqualToThreshold":
      return value >= threshold;
    case "GreaterThanThreshold":
      return value > threshold;
    case "LessThanThreshold":
      return value < threshold;
    case "LessThanOrEqualToThreshold":
      return value <= threshold;
  }
}

/** One statistic per period of `ranges` for one series. */
function seriesOf(ref: MetricRef, statistic: Statistic | string, points: Datapoint[], ranges: PeriodValue[]): Series {
  const own = points.filter((point) => sameSeries(point, ref));
  return ranges.map(({ start, end }) =>
    statisticOf(
      own.filter((point) => point.timestamp >= start && point.timestamp < end).map((point) => point.value),
      statistic,
    ),
  );
}

/** The alarm's value per period: its metric's statistic, or a math alarm's watched expression. */
function valuesOf(spec: AlarmSpec, points: Datapoint[], ranges: PeriodValue[]): Series {
  if (spec.kind === "metric") {
    return seriesOf(spec, spec.extendedStatistic ?? spec.statistic ?? "Average", points, ranges);
  }
  const series: Record<string, Series> = Object.fromEntries(
    spec.metrics.map((metric) => [metric.id, seriesOf(metric, metric.statistic, points, ranges)]),
  );
  for (const { id, model } of spec.expressions) series[id] = evaluateMathExpr(model, series);
  return series[watchedExpression(spec).id] ?? [];
}

interface Verdict {
  state: AlarmState;
  breaching: number;
  /** The N datapoints compared, oldest first; `undefined` for a missing one filled by the treatment. */
  compared: (number | undefined)[];
}

/**
 * M of N over the evaluation range, as documented: with at least N datapoints, the latest N of them decide
 * and the missing-data treatment plays no part; with fewer, the missing ones are filled by the treatment,
 * as few as needed to make N. For `missing` and `ignore` a filled datapoint neither breaches nor clears:
 * the alarm is OK when a real datapoint does not breach, and otherwise INSUFFICIENT_DATA (`missing`) or
 * unchanged (`ignore`). One row of the documented table differs: a lone breaching datapoint at the oldest
 * end of the range under `missing` is documented as ALARM, and is INSUFFICIENT_DATA here.
 */
function decide(
  values: Series,
  breachingAt: (value: number) => boolean,
  spec: Pick<AlarmSpec, "datapointsToAlarm" | "evaluationPeriods" | "treatMissingData">,
  previousState: AlarmState,
): Verdict {
  const { datapointsToAlarm: needed, evaluationPeriods: periods } = spec;
  const existing = values.filter((value): value is number => value !== undefined);
  const compared = existing.slice(-periods);
  const breaching = compared.filter(breachingAt).length;
  if (existing.length >= periods) return { state: breaching >= needed ? "ALARM" : "OK", breaching, compared };

  const filled = periods - existing.length;
  const withFilled = [...Array<undefined>(filled).fill(undefined), ...compared];
  const undecided = (otherwise: AlarmState): AlarmState =>
    breaching >= needed ? "ALARM" : existing.length > breaching ? "OK" : otherwise;
  const byTreatment: Record<TreatMissingData, () => Verdict> = {
    breaching: () => ({
      state: breaching + filled >= needed ? "ALARM" : "OK",
      breaching: breaching + filled,
      compared: withFilled,
    }),
    notBreaching: () => ({ state: breaching >= needed ? "ALARM" : "OK", breaching, compared: withFilled }),
    missing: () => ({ state: undecided("INSUFFICIENT_DATA"), breaching, compared: withFilled }),
    ignore: () => ({ state: undecided(previousState), breaching, compared: withFilled }),
  };
  return byTreatment[spec.treatMissingData]();
}

const shown = (value: number | undefined) => (value === undefined ? "missing" : String(Math.round(value * 100) / 100));

export interface EvaluationOptions {
  /** When: the evaluation is the latest one at or before this time (see nextEvaluation). */
  at: number;
  /** The state before this evaluation, which `ignore` keeps; a new alarm is INSUFFICIENT_DATA. */
  previousState?: AlarmState;
}

export function evaluateAlarm(spec: AlarmSpec, points: Datapoint[], options: EvaluationOptions): AlarmEvaluation {
  const evaluatedAt = latestEvaluation(spec, options.at);
  const period = spec.periodSeconds * 1000;
  const fetched = spec.evaluationPeriods + EXTRA_PERIODS_FETCHED;
  const ranges: PeriodValue[] = Array.from({ length: fetched }, (_, index) => {
    const end = evaluatedAt - (fetched - 1 - index) * period;
    return { start: end - period, end };
  });
  const breachingAt = (value: number) => compare(value, spec.comparison, spec.threshold);
  const values = valuesOf(spec, points, ranges);
  const periods = ranges.map((range, index) => {
    const value = values[index];
    return value === undefined ? range : { ...range, value, breaching: breachingAt(value) };
  });
  const verdict = decide(values, breachingAt, spec, options.previousState ?? "INSUFFICIENT_DATA");
  return {
    id: spec.id,
    name: spec.name,
    state: verdict.state,
    reason:
      `${verdict.breaching} of the latest ${spec.evaluationPeriods} datapoint(s) of ${spec.periodSeconds} s breach ` +
      `${spec.comparison} ${spec.threshold}, ${spec.datapointsToAlarm} to alarm, missing data ${spec.treatMissingData} ` +
      `(values: ${verdict.compared.map(shown).join(", ")})`,
    evaluatedAt,
    periods,
  };
}

/** Every evaluation CloudWatch makes from `from` to `to`, each starting from the state the one before left. */
export function evaluateAlarmOver(spec: AlarmSpec, points: Datapoint[], from: number, to: number): AlarmEvaluation[] {
  const evaluations: AlarmEvaluation[] = [];
  let previousState: AlarmState | undefined;
  for (let at = nextEvaluation(spec, from - 1); at <= to; at += evaluationIntervalMs(spec)) {
    const evaluation = evaluateAlarm(spec, points, { at, previousState });
    evaluations.push(evaluation);
    previousState = evaluation.state;
  }
  return evaluations;
}
