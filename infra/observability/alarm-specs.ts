// The engine's alarms as plain data: what each one reads, how it aggregates and when it fires. The Pulumi
// component turns each spec into a CloudWatch MetricAlarm; tests (and a local evaluator over captured EMF
// lines) read the same specs, so what is checked is what deploys.
import { METRIC_SERVICE, Metric, type MetricSpec } from "../../functions/kernel/metric-names.ts";
import type { AlarmDatapoints, EngineConfig } from "../config.ts";
import type { WorkflowType } from "../workflow/workflow-type.ts";
import { type AwsMetricName, type AwsNamespace, publishesStatesMetric } from "./aws-metrics.ts";
import { add, diff, fill, ifThen, type MathExpr, ref, referencedIds, renderMathExpr, subtract } from "./metric-math.ts";

/** CloudWatch evaluates a metric-math alarm over at most 10 metrics (a hard limit). */
export const MAX_ALARM_METRICS = 10;

export type AlarmThresholds = Omit<EngineConfig["alarms"], "emails">;

/**
 * What the alarms and the dashboard watch. `V` is how a physical name is held: a plain string in tests and
 * local evaluation, a `pulumi.Input<string>` in the component (the specs only place names, never read them).
 */
export interface WatchedResources<V = string> {
  stateMachineArn: V;
  /** The state machine's type (the stack's workflowType), which decides the AWS/States metrics read. STANDARD when absent. */
  workflowType?: WorkflowType;
  /** Engine function id (infra/catalog.ts) -> function name. */
  functionNames: Record<string, V>;
  /** Short key -> queue name of each dead-letter queue, e.g. `{ trigger: <the EventBridge target's DLQ> }`. */
  deadLetterQueueNames: Record<string, V>;
  /** The status API; without it there is no API alarm or widget. */
  httpApi?: { apiId: V; stage: V };
}

export interface AlarmSpecInput<V = string> extends WatchedResources<V> {
  alarms: AlarmThresholds;
  /** The engine's EMF namespace for this stack (EngineConfig.metricsNamespace). */
  metricsNamespace: string;
  namePrefix: string;
}

export type Statistic = "Sum" | "Average" | "Maximum" | "Minimum" | "SampleCount";
export type ComparisonOperator =
  | "GreaterThanOrEqualToThreshold"
  | "GreaterThanThreshold"
  | "LessThanThreshold"
  | "LessThanOrEqualToThreshold";
export type TreatMissingData = "notBreaching" | "breaching" | "ignore" | "missing";

/** One CloudWatch series: a series matches only when every dimension (name and value) matches. */
export interface MetricRef<V = string> {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string | V>;
}

interface AlarmBase {
  /** Stable within the stack; the component's child resource is `${name}-${id}`. */
  id: string;
  /** The CloudWatch alarm name. */
  name: string;
  description: string;
  periodSeconds: number;
  /** N of "M out of N": how many of the latest periods the alarm looks at. */
  evaluationPeriods: number;
  /** M of "M out of N": how many of them must breach. Always set, so N alone never means N of N. */
  datapointsToAlarm: number;
  threshold: number;
  comparison: ComparisonOperator;
  treatMissingData: TreatMissingData;
}

export interface MetricAlarmSpec<V = string> extends AlarmBase, MetricRef<V> {
  kind: "metric";
  /** Exactly one of `statistic` and `extendedStatistic` (a percentile such as `p90`) is set. */
  statistic?: Statistic;
  extendedStatistic?: string;
  unit?: string;
}

/** A metric a math alarm reads. */
export interface MathMetric<V = string> extends MetricRef<V> {
  /** The metric's id in the expressions: a lowercase letter, then letters, digits or underscores. */
  id: string;
  label: string;
  statistic: Statistic;
  periodSeconds: number;
}

/** One expression of a math alarm: the string CloudWatch gets, and the tree it was rendered from. */
export interface MathExpression {
  id: string;
  label: string;
  /** `renderMathExpr(model)`: what the deployed alarm evaluates. */
  expression: string;
  /** What the local evaluator evaluates (evaluateMathExpr). */
  model: MathExpr;
}

export interface MathAlarmSpec<V = string> extends AlarmBase {
  kind: "math";
  metrics: MathMetric<V>[];
  /** In order, each reading metrics and earlier expressions; the alarm watches the last one. */
  expressions: MathExpression[];
}

export type AlarmSpec<V = string> = MetricAlarmSpec<V> | MathAlarmSpec<V>;

/** The series an alarm reads. */
export function alarmMetrics<V>(spec: AlarmSpec<V>): MetricRef<V>[] {
  if (spec.kind === "math") return spec.metrics;
  return [{ namespace: spec.namespace, metricName: spec.metricName, dimensions: spec.dimensions }];
}

/** The expression a math alarm watches. */
export function watchedExpression(spec: MathAlarmSpec<unknown>): MathExpression {
  const last = spec.expressions.at(-1);
  if (!last) throw new Error(`alarm ${spec.id} has no expression`);
  return last;
}

/** Σ metric, a metric without data in a period counting as 0. */
function sumOf(ids: string[]): MathExpr {
  const [first, ...rest] = ids.map((id) => fill(ref(id), 0));
  if (!first) throw new Error("a sum needs at least one metric");
  return rest.reduce((sum, term) => add(sum, term), first);
}

/** A handler metric as the handlers emit it: Powertools adds the one `service` dimension to every series. */
function engineMetric(namespace: string, metric: MetricSpec): MetricRef<never> {
  return { namespace, metricName: metric.name, dimensions: { service: METRIC_SERVICE } };
}

function awsMetric<N extends AwsNamespace, V>(
  namespace: N,
  metricName: AwsMetricName<N>,
  dimensions: Record<string, V>,
): MetricRef<V> {
  return { namespace, metricName, dimensions };
}

const metricId = (prefix: string, key: string) => `${prefix}_${key.replace(/[^A-Za-z0-9_]/g, "_")}`;

function mathAlarm<V>(
  base: AlarmBase,
  metrics: Omit<MathMetric<V>, "periodSeconds">[],
  expressions: Omit<MathExpression, "expression">[],
): MathAlarmSpec<V> {
  if (metrics.length > MAX_ALARM_METRICS) {
    throw new Error(
      `alarm ${base.id} would read ${metrics.length} metrics; CloudWatch allows ${MAX_ALARM_METRICS} in one metric-math alarm`,
    );
  }
  const ids = [...metrics, ...expressions].map((query) => query.id);
  const repeated = ids.filter((id, index) => ids.indexOf(id) !== index);
  if (repeated.length) throw new Error(`alarm ${base.id} has repeated metric ids: ${repeated.join(", ")}`);
  expressions.forEach(({ id, model }, index) => {
    const known = new Set(ids.slice(0, metrics.length + index));
    const unknown = referencedIds(model).filter((used) => !known.has(used));
    if (unknown.length) throw new Error(`expression ${id} of alarm ${base.id} reads undefined ${unknown.join(", ")}`);
  });
  return {
    kind: "math",
    ...base,
    // CloudWatch requires every metric of a math alarm to use the same period.
    metrics: metrics.map((metric) => ({ ...metric, periodSeconds: base.periodSeconds })),
    expressions: expressions.map((expression) => ({ ...expression, expression: renderMathExpr(expression.model) })),
  };
}

/**
 * Unrecorded failures per period, robust to a recorded failure whose two datapoints straddle a period
 * boundary. Per period t, with every metric FILLed to 0:
 *
 *   v(t) = ExecutionsFailed - engine ExecutionFailed + ExecutionsTimedOut + ExecutionsAborted
 *   alarm value a(t) = v(t) + min(v(t-1), 0),  as  unrecorded + IF(previous < 0, previous, 0)
 *
 * where previous = v - DIFF(v) is v one period earlier. A recorded failure adds -1 when the engine
 * records it and +1 when Step Functions ends the execution in Fail, a moment later. In one period they
 * cancel. Across the boundary between t-1 and t they give v(t-1) -1 and v(t) +1: alone, a false alarm at
 * t, or a real +1 in t-1 cancelled. Write U(t) for the executions in t that ended without a record
 * (RecordFailure failing, timed out, aborted) and S(t) for the recorded failures straddling the boundary
 * into t, so v(t) = U(t) + S(t) - S(t+1). If no two consecutive boundaries are both straddled:
 *  - no false alarm: a(t) >= 1 only if U(t) >= 1 or U(t-1) >= 1;
 *  - none hidden: U(t) >= 1 gives a(t) >= 1 or a(t+1) >= 1 (reported at once, or one period late when a
 *    straddle starting in t cancels it there).
 * Proof sketch: with U(t) = U(t-1) = 0, a(t) = S(t) - S(t+1) + min(S(t-1) - S(t), 0), which is at most 0
 * unless S(t-1) and S(t) are both 1 or more. With U(t) >= 1, a(t) >= U(t) - S(t+1) since the min term is
 * at least -S(t); if S(t+1) >= 1, then S(t+2) = 0 and a(t+1) >= S(t+1) >= 1. alarm-semantics.test.ts
 * checks both statements for every pattern over 7 periods, and that consecutive straddles do break them.
 * A straddle needs a recorded failure within the record-to-Fail gap (well under a second) of a boundary.
 */
function unrecordedFailuresExpressions(): Omit<MathExpression, "expression">[] {
  const unrecorded: MathExpr = add(
    add(subtract(fill(ref("sfn_failed"), 0), fill(ref("engine_failed"), 0)), fill(ref("sfn_timed_out"), 0)),
    fill(ref("sfn_aborted"), 0),
  );
  return [
    { id: "unrecorded", label: "Failures without a recorded outcome", model: unrecorded },
    {
      id: "previous",
      label: "The same, one period earlier",
      model: subtract(ref("unrecorded"), diff(ref("unrecorded"))),
    },
    {
      id: "total",
      label: "Unrecorded failures, less an earlier period's deficit",
      model: add(ref("unrecorded"), ifThen({ series: ref("previous"), op: "<", bound: 0 }, ref("previous"), 0)),
    },
  ];
}

export function alarmSpecs<V = string>(input: AlarmSpecInput<V>): AlarmSpec<V>[] {
  const { alarms, metricsNamespace: namespace } = input;
  const base = (
    id: string,
    datapoints: AlarmDatapoints,
    treatMissingData: TreatMissingData,
    description: string,
  ): Omit<AlarmBase, "threshold" | "comparison"> => ({
    id,
    name: `${input.namePrefix}-${id}`,
    description: `${description} Fires when ${datapoints.datapointsToAlarm} of the latest ${datapoints.evaluationPeriods} period(s) breach.`,
    periodSeconds: alarms.periodSeconds,
    evaluationPeriods: datapoints.evaluationPeriods,
    datapointsToAlarm: datapoints.datapointsToAlarm,
    treatMissingData,
  });
  const period = `${alarms.periodSeconds} s`;
  const stateMachine = { StateMachineArn: input.stateMachineArn };
  const workflowType = input.workflowType ?? "STANDARD";
  // Express throttles no state transitions: a StartExecution it refuses is EventBridge's to retry, then to
  // dead-letter, and the dead-letter queue's alarm sees it.
  const throttledTransitions = publishesStatesMetric(workflowType, "ExecutionThrottled");
  const sum = (metric: MetricRef<V>, id: string, label: string) => ({
    id,
    label,
    ...metric,
    statistic: "Sum" as const,
  });
  const throttleMetrics = [
    sum(engineMetric(namespace, Metric.ToolThrottled), "tool_throttled", Metric.ToolThrottled.name),
    ...Object.entries(input.functionNames).map(([key, functionName]) =>
      sum(
        awsMetric("AWS/Lambda", "Throttles", { FunctionName: functionName }),
        metricId("lambda", key),
        `${key} Throttles`,
      ),
    ),
    ...(throttledTransitions
      ? [sum(awsMetric("AWS/States", "ExecutionThrottled", stateMachine), "sfn_throttled", "ExecutionThrottled")]
      : []),
  ];

  // Missing data, alarm by alarm: the engine's metrics, AWS/States' failures, Lambda's throttles and API
  // Gateway's 5xx have datapoints only when something happened, so a period without data is a quiet one
  // (notBreaching); the math alarms FILL each metric with 0 and never lack a value. An SQS queue reports
  // while it is active, which includes holding messages, so a dead-letter queue without data is empty.
  const specs: AlarmSpec<V>[] = [
    {
      kind: "metric",
      ...base(
        "failed-executions",
        alarms.datapoints.failedExecutions,
        "notBreaching",
        `At least ${alarms.failedExecutionsThreshold} executions recorded a FAILED or EXPIRED outcome in ${period} (engine metric ${Metric.ExecutionFailed.name}).`,
      ),
      ...engineMetric(namespace, Metric.ExecutionFailed),
      statistic: "Sum",
      threshold: alarms.failedExecutionsThreshold,
      comparison: "GreaterThanOrEqualToThreshold",
    },
    {
      kind: "metric",
      ...base(
        "execution-duration",
        alarms.datapoints.duration,
        "notBreaching",
        `${alarms.durationPercentile} of execution duration, approval to recorded outcome, above ${alarms.durationThresholdMs} ms in ${period} (engine metric ${Metric.ExecutionDuration.name}).`,
      ),
      ...engineMetric(namespace, Metric.ExecutionDuration),
      extendedStatistic: alarms.durationPercentile,
      unit: Metric.ExecutionDuration.unit,
      threshold: alarms.durationThresholdMs,
      comparison: "GreaterThanThreshold",
    },
    mathAlarm<V>(
      {
        ...base(
          "throttles",
          alarms.datapoints.throttles,
          "notBreaching",
          `At least ${alarms.throttleThreshold} throttles in ${period}: tool calls the gateway answered 429 (${Metric.ToolThrottled.name}), throttled invocations of the engine's functions${throttledTransitions ? ", throttled state machine transitions" : ""}.`,
        ),
        threshold: alarms.throttleThreshold,
        comparison: "GreaterThanOrEqualToThreshold",
      },
      throttleMetrics,
      [{ id: "total", label: "Throttles", model: sumOf(throttleMetrics.map(({ id }) => id)) }],
    ),
    // A FAILED or EXPIRED outcome ends the execution in `Fail` by design, so ExecutionsFailed counts business
    // failures too; failed-executions alarms on those. Subtracting the failures the engine recorded leaves the
    // ones it could not record (RecordFailure itself failing, an intent another execution owns), plus
    // executions that timed out or were stopped: each of those needs a person, so one is enough.
    mathAlarm<V>(
      {
        ...base(
          "state-machine-failures",
          alarms.datapoints.stateMachineFailures,
          "notBreaching",
          `An execution ended without the engine recording its failure in ${period}: Step Functions ExecutionsFailed minus the engine's ${Metric.ExecutionFailed.name} (FAILED outcomes end in Fail by design and cancel out, also across a period boundary), plus ExecutionsTimedOut${workflowType === "EXPRESS" ? " (an Express execution stopped at five minutes)" : ""} and ExecutionsAborted. Look for executions whose RecordFailure step failed${workflowType === "EXPRESS" ? ", in the state machine's log group" : ""}.`,
        ),
        threshold: 1,
        comparison: "GreaterThanOrEqualToThreshold",
      },
      [
        sum(awsMetric("AWS/States", "ExecutionsFailed", stateMachine), "sfn_failed", "ExecutionsFailed"),
        sum(engineMetric(namespace, Metric.ExecutionFailed), "engine_failed", Metric.ExecutionFailed.name),
        sum(awsMetric("AWS/States", "ExecutionsTimedOut", stateMachine), "sfn_timed_out", "ExecutionsTimedOut"),
        sum(awsMetric("AWS/States", "ExecutionsAborted", stateMachine), "sfn_aborted", "ExecutionsAborted"),
      ],
      unrecordedFailuresExpressions(),
    ),
    ...Object.entries(input.deadLetterQueueNames).map(
      ([key, queueName]): AlarmSpec<V> => ({
        kind: "metric",
        ...base(
          `dlq-depth-${key}`,
          alarms.datapoints.dlqDepth,
          "notBreaching",
          `At least ${alarms.dlqDepthThreshold} messages waiting in the ${key} dead-letter queue: events that could not be delivered. Inspect and redrive them.`,
        ),
        ...awsMetric("AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: queueName }),
        statistic: "Maximum",
        threshold: alarms.dlqDepthThreshold,
        comparison: "GreaterThanOrEqualToThreshold",
      }),
    ),
  ];
  if (input.httpApi) {
    specs.push({
      kind: "metric",
      ...base(
        "api-5xx",
        alarms.datapoints.api5xx,
        "notBreaching",
        `At least ${alarms.api5xxThreshold} server errors (5xx) from the status API in ${period}.`,
      ),
      ...awsMetric("AWS/ApiGateway", "5xx", { ApiId: input.httpApi.apiId, Stage: input.httpApi.stage }),
      statistic: "Sum",
      threshold: alarms.api5xxThreshold,
      comparison: "GreaterThanOrEqualToThreshold",
    });
  }
  return specs;
}
