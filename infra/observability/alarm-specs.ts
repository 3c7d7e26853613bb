// The engine's alarms as plain data: what each one reads, how it aggregates and when it fires. The Pulumi
// component turns each spec into a CloudWatch MetricAlarm; tests (and a local evaluator over captured EMF
// lines) read the same specs, so what is checked is what deploys.
import { METRIC_SERVICE, Metric, type MetricSpec } from "../../functions/kernel/metric-names.ts";
import type { EngineConfig } from "../config.ts";
import type { AwsMetricName, AwsNamespace } from "./aws-metrics.ts";

/** CloudWatch evaluates a metric-math alarm over at most 10 metrics (a hard limit). */
export const MAX_ALARM_METRICS = 10;

export type AlarmThresholds = Omit<EngineConfig["alarms"], "emails">;

/**
 * What the alarms and the dashboard watch. `V` is how a physical name is held: a plain string in tests and
 * local evaluation, a `pulumi.Input<string>` in the component (the specs only place names, never read them).
 */
export interface WatchedResources<V = string> {
  stateMachineArn: V;
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
  evaluationPeriods: number;
  datapointsToAlarm?: number;
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

export interface MathTerm<V = string> extends MetricRef<V> {
  /** The metric's id in the expression: a lowercase letter, then letters, digits or underscores. */
  id: string;
  label: string;
  statistic: Statistic;
  periodSeconds: number;
  /** +1 adds the metric to the alarm's value, -1 subtracts it. */
  weight: 1 | -1;
}

export interface MathAlarmSpec<V = string> extends AlarmBase {
  kind: "math";
  /**
   * Always the weighted sum of `metrics` with missing data read as 0 (see `weightedSum`), so an evaluator
   * can compute the value from `metrics` alone.
   */
  expression: string;
  metrics: MathTerm<V>[];
}

export type AlarmSpec<V = string> = MetricAlarmSpec<V> | MathAlarmSpec<V>;

/** The series an alarm reads. */
export function alarmMetrics<V>(spec: AlarmSpec<V>): MetricRef<V>[] {
  if (spec.kind === "math") return spec.metrics;
  return [{ namespace: spec.namespace, metricName: spec.metricName, dimensions: spec.dimensions }];
}

/** CloudWatch metric math for Σ weight·metric, a metric without data counting as 0. */
export function weightedSum(terms: readonly Pick<MathTerm<unknown>, "id" | "weight">[]): string {
  return terms
    .map(({ id, weight }, index) => {
      const sign = weight < 0 ? "-" : "+";
      return `${index === 0 ? (sign === "-" ? "-" : "") : ` ${sign} `}FILL(${id}, 0)`;
    })
    .join("");
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

function mathAlarm<V>(base: AlarmBase, terms: Omit<MathTerm<V>, "periodSeconds">[]): MathAlarmSpec<V> {
  if (terms.length > MAX_ALARM_METRICS) {
    throw new Error(
      `alarm ${base.id} would read ${terms.length} metrics; CloudWatch allows ${MAX_ALARM_METRICS} in one metric-math alarm`,
    );
  }
  const ids = terms.map((term) => term.id);
  const repeated = ids.filter((id, index) => ids.indexOf(id) !== index);
  if (repeated.length) throw new Error(`alarm ${base.id} has repeated metric ids: ${repeated.join(", ")}`);
  const metrics = terms.map((term) => ({ ...term, periodSeconds: base.periodSeconds }));
  return { kind: "math", ...base, expression: weightedSum(metrics), metrics };
}

export function alarmSpecs<V = string>(input: AlarmSpecInput<V>): AlarmSpec<V>[] {
  const { alarms, metricsNamespace: namespace } = input;
  const base = (id: string, description: string) => ({
    id,
    name: `${input.namePrefix}-${id}`,
    description,
    periodSeconds: alarms.periodSeconds,
    evaluationPeriods: alarms.evaluationPeriods,
    treatMissingData: "notBreaching" as const,
  });
  const period = `${alarms.periodSeconds} s`;
  const stateMachine = { StateMachineArn: input.stateMachineArn };

  const specs: AlarmSpec<V>[] = [
    {
      kind: "metric",
      ...base(
        "failed-executions",
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
          `At least ${alarms.throttleThreshold} throttles in ${period}: tool calls the gateway answered 429 (${Metric.ToolThrottled.name}), throttled invocations of the engine's functions, throttled state machine transitions.`,
        ),
        threshold: alarms.throttleThreshold,
        comparison: "GreaterThanOrEqualToThreshold",
      },
      [
        {
          id: "tool_throttled",
          label: Metric.ToolThrottled.name,
          ...engineMetric(namespace, Metric.ToolThrottled),
          statistic: "Sum",
          weight: 1,
        },
        ...Object.entries(input.functionNames).map(([key, functionName]) => ({
          id: metricId("lambda", key),
          label: `${key} Throttles`,
          ...awsMetric("AWS/Lambda", "Throttles", { FunctionName: functionName }),
          statistic: "Sum" as const,
          weight: 1 as const,
        })),
        {
          id: "sfn_throttled",
          label: "ExecutionThrottled",
          ...awsMetric("AWS/States", "ExecutionThrottled", stateMachine),
          statistic: "Sum",
          weight: 1,
        },
      ],
    ),
    // A FAILED or EXPIRED outcome ends the execution in `Fail` by design, so ExecutionsFailed counts business
    // failures too; failed-executions alarms on those. Subtracting the failures the engine recorded leaves the
    // ones it could not record (RecordFailure itself failing, an intent another execution owns), plus
    // executions that timed out or were stopped: each of those needs a person, so one is enough.
    mathAlarm<V>(
      {
        ...base(
          "state-machine-failures",
          `An execution ended without the engine recording its failure in ${period}: Step Functions ExecutionsFailed minus the engine's ${Metric.ExecutionFailed.name} (FAILED outcomes end in Fail by design and cancel out), plus ExecutionsTimedOut and ExecutionsAborted. Look for executions whose RecordFailure step failed.`,
        ),
        threshold: 1,
        comparison: "GreaterThanOrEqualToThreshold",
      },
      [
        {
          id: "sfn_failed",
          label: "ExecutionsFailed",
          ...awsMetric("AWS/States", "ExecutionsFailed", stateMachine),
          statistic: "Sum",
          weight: 1,
        },
        {
          id: "engine_failed",
          label: Metric.ExecutionFailed.name,
          ...engineMetric(namespace, Metric.ExecutionFailed),
          statistic: "Sum",
          weight: -1,
        },
        {
          id: "sfn_timed_out",
          label: "ExecutionsTimedOut",
          ...awsMetric("AWS/States", "ExecutionsTimedOut", stateMachine),
          statistic: "Sum",
          weight: 1,
        },
        {
          id: "sfn_aborted",
          label: "ExecutionsAborted",
          ...awsMetric("AWS/States", "ExecutionsAborted", stateMachine),
          statistic: "Sum",
          weight: 1,
        },
      ],
    ),
    ...Object.entries(input.deadLetterQueueNames).map(
      ([key, queueName]): AlarmSpec<V> => ({
        kind: "metric",
        ...base(
          `dlq-depth-${key}`,
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
      ...base("api-5xx", `At least ${alarms.api5xxThreshold} server errors (5xx) from the status API in ${period}.`),
      ...awsMetric("AWS/ApiGateway", "5xx", { ApiId: input.httpApi.apiId, Stage: input.httpApi.stage }),
      statistic: "Sum",
      threshold: alarms.api5xxThreshold,
      comparison: "GreaterThanOrEqualToThreshold",
    });
  }
  return specs;
}
