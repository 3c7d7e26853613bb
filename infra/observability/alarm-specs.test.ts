import { describe, expect, it } from "vitest";
import { METRIC_NAMESPACE, METRIC_SERVICE, Metric } from "../../functions/kernel/metric-names.ts";
import { engineFunctions } from "../catalog.ts";
import {
  type AlarmSpec,
  type AlarmSpecInput,
  alarmMetrics,
  alarmSpecs,
  MAX_ALARM_METRICS,
  type MathAlarmSpec,
  type MetricAlarmSpec,
} from "./alarm-specs.ts";
import { stackConfig, watched } from "./fixtures.ts";
import { emittedMetricNames, metricProblems, readHandlerSources } from "./metric-coverage.ts";
import { referencedIds, renderMathExpr } from "./metric-math.ts";

const handlerSources = readHandlerSources(new URL("../../functions", import.meta.url).pathname);
const emitted = emittedMetricNames(handlerSources);

function inputFor(config = stackConfig()): AlarmSpecInput {
  return {
    ...watched,
    alarms: config.alarms,
    metricsNamespace: config.metricsNamespace,
    namePrefix: config.namePrefix,
  };
}

function byId(specs: AlarmSpec[], id: string): AlarmSpec {
  const spec = specs.find((candidate) => candidate.id === id);
  if (!spec) throw new Error(`no alarm ${id} among ${specs.map((candidate) => candidate.id).join(", ")}`);
  return spec;
}
const metricAlarm = (specs: AlarmSpec[], id: string) => byId(specs, id) as MetricAlarmSpec;
const mathAlarm = (specs: AlarmSpec[], id: string) => byId(specs, id) as MathAlarmSpec;

describe("alarm specs", () => {
  it("declares the engine's alarms, one dead-letter alarm per queue", () => {
    // Act
    const specs = alarmSpecs({ ...inputFor(), deadLetterQueueNames: { trigger: "dlq-a", replay: "dlq-b" } });

    // Assess
    expect(specs.map((spec) => spec.id)).toEqual([
      "failed-executions",
      "execution-duration",
      "throttles",
      "state-machine-failures",
      "dlq-depth-trigger",
      "dlq-depth-replay",
      "api-5xx",
    ]);
    expect(specs.map((spec) => spec.name)).toContain("engine-test-failed-executions");
    expect(specs.every((spec) => spec.treatMissingData === "notBreaching")).toBe(true);
    expect(metricAlarm(specs, "dlq-depth-replay").dimensions).toEqual({ QueueName: "dlq-b" });
  });

  it("reads only series a handler emits or AWS publishes, with the dimensions they carry", () => {
    // Prepare
    const specs = alarmSpecs(inputFor());
    const uses = specs.flatMap(alarmMetrics);

    // Act
    const problems = metricProblems(uses, { engineNamespace: METRIC_NAMESPACE, emitted });

    // Assess
    expect(problems).toEqual([]);
    const engineMetrics = new Set(
      uses.filter((use) => use.namespace === METRIC_NAMESPACE).map((use) => use.metricName),
    );
    expect([...engineMetrics].sort()).toEqual(["ExecutionDuration", "ExecutionFailed", "ToolThrottled"]);
    expect([...emitted]).toEqual(expect.arrayContaining([...engineMetrics]));
  });

  it("reads every handler metric with exactly the service dimension the handlers emit it with", () => {
    // Act
    const engineUses = alarmSpecs(inputFor())
      .flatMap(alarmMetrics)
      .filter((use) => use.namespace === METRIC_NAMESPACE);

    // Assess
    expect(engineUses.length).toBeGreaterThan(0);
    for (const use of engineUses) expect(use.dimensions, use.metricName).toEqual({ service: METRIC_SERVICE });
  });

  it("finds what the handlers emit, including metrics handed to an emitting helper", () => {
    // Assess: the recorders' shared kernel, the gateway client and the tool invoker's helper are all seen.
    const expected = [
      Metric.ExecutionSucceeded,
      Metric.ExecutionFailed,
      Metric.ExecutionFailedByClass,
      Metric.ExecutionDuration,
      Metric.DuplicateIgnored,
      Metric.ToolThrottled,
      Metric.ToolLatency,
      Metric.ToolErrors,
      Metric.CompensationRun,
    ].map((metric) => metric.name);
    expect([...emitted]).toEqual(expect.arrayContaining(expected));
  });

  it("reports an alarm on a metric no handler emits, a misspelt AWS metric and a wrong dimension", () => {
    // Prepare
    const specs = alarmSpecs(inputFor());
    const failed = metricAlarm(specs, "failed-executions");
    const fakes: AlarmSpec[] = [
      { ...failed, id: "made-up", metricName: "ExecutionsExploded" },
      { ...failed, id: "unemitted", metricName: Metric.CompensationRun.name },
      { ...failed, id: "cdk-spelling", namespace: "AWS/States", metricName: "ExecutionsThrottled", dimensions: {} },
      { ...failed, id: "no-service", dimensions: { FunctionName: "x" } },
      { ...failed, id: "other-service", dimensions: { service: "someone-else" } },
    ];
    // Sources in which nothing emits CompensationRun: comments and type positions do not count.
    const sources = [
      {
        path: "fake/handler.ts",
        text: [
          "// metrics.addMetric(Metric.CompensationRun.name, ...)",
          "type Counted = typeof Metric.CompensationRun;",
          "metrics.addMetric(Metric.ExecutionFailed.name, MetricUnit.Count, 1);",
        ].join("\n"),
      },
    ];

    // Act
    const problems = metricProblems(fakes.flatMap(alarmMetrics), {
      engineNamespace: METRIC_NAMESPACE,
      emitted: emittedMetricNames(sources),
    });

    // Assess
    expect(problems).toEqual([
      "ActionExecutionEngine/ExecutionsExploded is not in functions/kernel/metric-names.ts",
      "ActionExecutionEngine/CompensationRun is declared but no handler emits it",
      "AWS/States/ExecutionsThrottled is not a metric AWS/States publishes",
      "ActionExecutionEngine/ExecutionFailed is read by [FunctionName] but emitted with [service]",
      `ActionExecutionEngine/ExecutionFailed is read with service "someone-else" but emitted with "${METRIC_SERVICE}"`,
    ]);
  });

  it("takes thresholds, periods and the percentile from the stack configuration", () => {
    // Prepare
    const defaults = stackConfig();
    const tuned = stackConfig({
      alarmPeriodSeconds: "60",
      alarmStateMachineFailuresDatapoints: "1/2",
      alarmFailedExecutionsDatapoints: "2/3",
      alarmDurationDatapoints: "3/5",
      alarmThrottleDatapoints: "1/4",
      alarmDlqDepthDatapoints: "2/2",
      alarmApi5xxDatapoints: "4/6",
      alarmFailedExecutionsThreshold: "2",
      alarmDurationPercentile: "p99",
      alarmDurationThresholdMs: "5000",
      alarmThrottleThreshold: "7",
      alarmDlqDepthThreshold: "4",
      alarmApi5xxThreshold: "9",
      metricsNamespace: "EngineDev",
      namePrefix: "engine-dev",
    });

    // Act
    const before = alarmSpecs(inputFor(defaults));
    const after = alarmSpecs(inputFor(tuned));

    // Assess
    const mOfN = (specs: AlarmSpec[]) =>
      Object.fromEntries(
        specs.map((spec) => [
          spec.id,
          `${spec.datapointsToAlarm}/${spec.evaluationPeriods} of ${spec.periodSeconds} s`,
        ]),
      );
    expect(mOfN(before)).toEqual({
      "failed-executions": "1/1 of 300 s",
      "execution-duration": "2/3 of 300 s",
      throttles: "1/1 of 300 s",
      "state-machine-failures": "1/1 of 300 s",
      "dlq-depth-trigger": "1/1 of 300 s",
      "api-5xx": "1/1 of 300 s",
    });
    expect(mOfN(after)).toEqual({
      "failed-executions": "2/3 of 60 s",
      "execution-duration": "3/5 of 60 s",
      throttles: "1/4 of 60 s",
      "state-machine-failures": "1/2 of 60 s",
      "dlq-depth-trigger": "2/2 of 60 s",
      "api-5xx": "4/6 of 60 s",
    });
    const thresholds = (specs: AlarmSpec[]) => Object.fromEntries(specs.map((spec) => [spec.id, spec.threshold]));
    expect(thresholds(before)).toEqual({
      "failed-executions": 5,
      "execution-duration": 60_000,
      throttles: 1,
      "state-machine-failures": 1,
      "dlq-depth-trigger": 1,
      "api-5xx": 5,
    });
    expect(thresholds(after)).toEqual({
      "failed-executions": 2,
      "execution-duration": 5000,
      throttles: 7,
      "state-machine-failures": 1,
      "dlq-depth-trigger": 4,
      "api-5xx": 9,
    });
    expect(metricAlarm(before, "execution-duration").extendedStatistic).toBe("p90");
    expect(metricAlarm(after, "execution-duration").extendedStatistic).toBe("p99");
    expect(metricAlarm(after, "failed-executions").namespace).toBe("EngineDev");
    expect(mathAlarm(after, "throttles").metrics.every((term) => term.periodSeconds === 60)).toBe(true);
    expect(after.every((spec) => spec.name.startsWith("engine-dev-"))).toBe(true);
  });

  it("sets exactly one of statistic and extended statistic on each single-metric alarm", () => {
    // Act
    const singles = alarmSpecs(inputFor()).filter((spec): spec is MetricAlarmSpec => spec.kind === "metric");

    // Assess
    expect(singles.length).toBeGreaterThan(0);
    for (const spec of singles) {
      expect([spec.statistic, spec.extendedStatistic].filter(Boolean), spec.id).toHaveLength(1);
    }
    expect(metricAlarm(alarmSpecs(inputFor()), "execution-duration")).toMatchObject({
      metricName: "ExecutionDuration",
      unit: "Milliseconds",
      comparison: "GreaterThanThreshold",
    });
  });

  it("sums tool, function and state machine throttles within CloudWatch's metric limit", () => {
    // Act
    const throttles = mathAlarm(alarmSpecs(inputFor()), "throttles");

    // Assess
    expect(throttles.metrics.length).toBeLessThanOrEqual(MAX_ALARM_METRICS);
    expect(throttles.metrics.map((term) => `${term.namespace} ${term.metricName}`)).toEqual([
      `${METRIC_NAMESPACE} ToolThrottled`,
      ...engineFunctions.map(() => "AWS/Lambda Throttles"),
      "AWS/States ExecutionThrottled",
    ]);
    expect(throttles.metrics.filter((term) => term.namespace === "AWS/Lambda").map((term) => term.dimensions)).toEqual(
      engineFunctions.map(({ id }) => ({ FunctionName: `engine-test-${id}` })),
    );
    expect(throttles.metrics.every((term) => term.statistic === "Sum")).toBe(true);
    expect(throttles.expressions.map(({ id, expression }) => [id, expression])).toEqual([
      ["total", throttles.metrics.map((term) => `FILL(${term.id}, 0)`).join(" + ")],
    ]);
    expect(throttles.metrics.every((term) => /^[a-z][A-Za-z0-9_]*$/.test(term.id))).toBe(true);
  });

  it("refuses a throttle alarm over more metrics than CloudWatch evaluates", () => {
    // Prepare
    const functionNames = Object.fromEntries(Array.from({ length: 9 }, (_, index) => [`fn-${index}`, `fn-${index}`]));

    // Act
    const build = () => alarmSpecs({ ...inputFor(), functionNames });

    // Assess
    expect(build).toThrow(/alarm throttles would read 11 metrics; CloudWatch allows 10/);
  });

  it("counts failed executions the engine did not record, and timed-out or aborted ones", () => {
    // Act
    const failures = mathAlarm(alarmSpecs(inputFor()), "state-machine-failures");

    // Assess
    expect(failures.metrics.map((term) => [term.id, term.namespace, term.metricName, term.statistic])).toEqual([
      ["sfn_failed", "AWS/States", "ExecutionsFailed", "Sum"],
      ["engine_failed", METRIC_NAMESPACE, "ExecutionFailed", "Sum"],
      ["sfn_timed_out", "AWS/States", "ExecutionsTimedOut", "Sum"],
      ["sfn_aborted", "AWS/States", "ExecutionsAborted", "Sum"],
    ]);
    // The last expression is the one the alarm watches (alarm-semantics.test.ts proves it robust).
    expect(failures.expressions.map(({ id, expression }) => [id, expression])).toEqual([
      ["unrecorded", "FILL(sfn_failed, 0) - FILL(engine_failed, 0) + FILL(sfn_timed_out, 0) + FILL(sfn_aborted, 0)"],
      ["previous", "unrecorded - DIFF(unrecorded)"],
      ["total", "unrecorded + IF(previous < 0, previous, 0)"],
    ]);
    expect(failures.metrics.filter((term) => term.namespace === "AWS/States").map((term) => term.dimensions)).toEqual(
      Array(3).fill({ StateMachineArn: watched.stateMachineArn }),
    );
    expect(failures).toMatchObject({ threshold: 1, comparison: "GreaterThanOrEqualToThreshold" });
  });

  it("reads HTTP API 5xx per API and stage, and has no API alarm without an API", () => {
    // Act
    const withApi = metricAlarm(alarmSpecs(inputFor()), "api-5xx");
    const withoutApi = alarmSpecs({ ...inputFor(), httpApi: undefined });

    // Assess
    expect(withApi).toMatchObject({
      namespace: "AWS/ApiGateway",
      metricName: "5xx",
      dimensions: { ApiId: "a1b2c3d4e5", Stage: "$default" },
      statistic: "Sum",
    });
    expect(withoutApi.map((spec) => spec.id)).not.toContain("api-5xx");
  });
});

describe("alarm M of N in the stack configuration", () => {
  it("gives a math alarm the expressions CloudWatch gets, each rendered from the model the evaluator runs", () => {
    // Act
    const maths = alarmSpecs(inputFor()).filter((spec): spec is MathAlarmSpec => spec.kind === "math");

    // Assess: each expression reads only metrics and expressions defined before it.
    expect(maths.map((spec) => spec.id)).toEqual(["throttles", "state-machine-failures"]);
    for (const spec of maths) {
      spec.expressions.forEach(({ id, expression, model }, index) => {
        expect(expression, id).toBe(renderMathExpr(model));
        const defined = [...spec.metrics, ...spec.expressions.slice(0, index)].map((query) => query.id);
        expect(defined, id).toEqual(expect.arrayContaining(referencedIds(model)));
      });
    }
  });

  it.each([
    [
      "M above N",
      { alarmStateMachineFailuresDatapoints: "2/1" },
      /"alarmStateMachineFailuresDatapoints" must be "M\/N"/,
    ],
    ["M of 0", { alarmFailedExecutionsDatapoints: "0/3" }, /"alarmFailedExecutionsDatapoints" must be "M\/N"/],
    ["not M/N", { alarmDurationDatapoints: "two of three" }, /got "two of three"/],
    [
      "more than a day of 5-minute periods",
      { alarmThrottleDatapoints: "1/289" },
      /"alarmThrottleDatapoints" must be "M\/N" with N at most 288: CloudWatch evaluates at most 24 hours of 300 s periods/,
    ],
    [
      "more than seven days of hourly periods",
      { alarmPeriodSeconds: "3600", alarmDlqDepthDatapoints: "1/169" },
      /N at most 168: CloudWatch evaluates at most 168 hours/,
    ],
    [
      "a period that is not whole minutes",
      { alarmPeriodSeconds: "90" },
      /"alarmPeriodSeconds" must be a multiple of 60/,
    ],
    ["a high-resolution period", { alarmPeriodSeconds: "30" }, /"alarmPeriodSeconds" must be an integer from 60/],
    [
      "the retired count of periods for every alarm",
      { alarmEvaluationPeriods: "2" },
      /"alarmEvaluationPeriods" must be removed: alone it made every alarm N of N; set one "M\/N" key per alarm instead \(alarmStateMachineFailuresDatapoints, /,
    ],
  ])("refuses %s, naming the key", (_, keys, message) => {
    expect(() => stackConfig(keys)).toThrow(message);
  });

  it("accepts a day of 5-minute periods, and spaces around the slash", () => {
    const config = stackConfig({ alarmThrottleDatapoints: "1/288", alarmApi5xxDatapoints: " 2 / 3 " });

    expect(config.alarms.datapoints.throttles).toEqual({ datapointsToAlarm: 1, evaluationPeriods: 288 });
    expect(config.alarms.datapoints.api5xx).toEqual({ datapointsToAlarm: 2, evaluationPeriods: 3 });
  });
});

describe("alarm specs of an Express state machine", () => {
  // Express throttles no state transitions, so it never publishes ExecutionThrottled; it publishes the
  // execution counts alike, and counts an execution stopped at five minutes in ExecutionsTimedOut
  // (https://docs.aws.amazon.com/step-functions/latest/dg/express-limits.html).
  const expressSpecs = () => alarmSpecs({ ...inputFor(), workflowType: "EXPRESS" });

  it("read only series an Express state machine publishes, and still catch its unrecorded failures and timeouts", () => {
    // Act
    const specs = expressSpecs();

    // Assess
    expect(
      metricProblems(specs.flatMap(alarmMetrics), {
        engineNamespace: METRIC_NAMESPACE,
        emitted,
        workflowType: "EXPRESS",
      }),
    ).toEqual([]);
    expect(specs.map((spec) => spec.id)).toEqual(alarmSpecs(inputFor()).map((spec) => spec.id));
    expect(mathAlarm(specs, "throttles").metrics.map((term) => term.metricName)).not.toContain("ExecutionThrottled");
    expect(mathAlarm(specs, "throttles").description).not.toContain("state machine transitions");
    expect(mathAlarm(specs, "state-machine-failures").metrics.map((term) => term.metricName)).toEqual([
      "ExecutionsFailed",
      "ExecutionFailed",
      "ExecutionsTimedOut",
      "ExecutionsAborted",
    ]);
    expect(mathAlarm(specs, "state-machine-failures").description).toContain("stopped at five minutes");
  });

  it("are told apart from Standard's: Standard's throttle alarm on an Express state machine is a problem", () => {
    // Act
    const problems = metricProblems(alarmSpecs(inputFor()).flatMap(alarmMetrics), {
      engineNamespace: METRIC_NAMESPACE,
      emitted,
      workflowType: "EXPRESS",
    });

    // Assess
    expect(problems).toEqual(["AWS/States/ExecutionThrottled is not published for EXPRESS state machines"]);
  });
});
