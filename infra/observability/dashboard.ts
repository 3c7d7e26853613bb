// The engine's one CloudWatch dashboard, as the JSON body CloudWatch takes (dashboard body structure:
// widgets of type metric and alarm; a metric row is [namespace, name, dimension, value, ..., options]).
// `plottedMetrics` reads the series back out of a body, so tests check what the dashboard really plots.
import { METRIC_SERVICE, Metric, type MetricSpec } from "../../functions/kernel/metric-names.ts";
import type { AlarmThresholds, MetricRef, WatchedResources } from "./alarm-specs.ts";
import { type AwsMetricName, type AwsNamespace, publishesStatesMetric } from "./aws-metrics.ts";

export interface DashboardInput extends WatchedResources<string> {
  region: string;
  metricsNamespace: string;
  alarms: Pick<AlarmThresholds, "periodSeconds" | "durationPercentile" | "durationThresholdMs">;
  /** ARNs of the alarms shown in the status widget. */
  alarmArns: string[];
}

type MetricOptions = { stat?: string; label?: string; id?: string; expression?: string; yAxis?: "left" | "right" };
export type MetricRow = [...(string | MetricOptions)[]];

export interface DashboardWidget {
  type: "metric" | "alarm";
  x: number;
  y: number;
  width: number;
  height: number;
  properties: Record<string, unknown>;
}

export interface DashboardBody {
  widgets: DashboardWidget[];
}

/** A series the dashboard reads; a dimension a SEARCH leaves open has the value `undefined`. */
export interface PlottedMetric {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string | undefined>;
}

const GRID_WIDTH = 24;

function row(ref: MetricRef, options: MetricOptions = {}): MetricRow {
  return [ref.namespace, ref.metricName, ...Object.entries(ref.dimensions).flat(), options];
}

function engine(namespace: string, metric: MetricSpec): MetricRef {
  return { namespace, metricName: metric.name, dimensions: { service: METRIC_SERVICE } };
}

function aws<N extends AwsNamespace>(namespace: N, metricName: AwsMetricName<N>, dimensions: Record<string, string>) {
  return { namespace, metricName, dimensions };
}

/** One line per value of the metric's own dimension (error class, tool name...), whatever values appear. */
function searchRow(
  namespace: string,
  metric: MetricSpec & { dimension: string },
  stat: string,
  period: number,
  label: string,
): MetricRow {
  const quotedNamespace = /^[A-Za-z0-9_/]+$/.test(namespace) ? namespace : `"${namespace}"`;
  const query = `{${quotedNamespace},${metric.dimension},service} MetricName="${metric.name}" service="${METRIC_SERVICE}"`;
  return [{ expression: `SEARCH('${query}', '${stat}', ${period})`, label }];
}

function graph(title: string, metrics: MetricRow[], extra: Record<string, unknown> = {}) {
  return { type: "metric" as const, title, metrics, extra };
}

export function dashboardBody(input: DashboardInput): DashboardBody {
  const ns = input.metricsNamespace;
  const period = input.alarms.periodSeconds;
  const functions = Object.entries(input.functionNames);
  const stateMachine = { StateMachineArn: input.stateMachineArn };
  const api = input.httpApi && { ApiId: input.httpApi.apiId, Stage: input.httpApi.stage };

  const graphs = [
    graph("Executions (recorded outcomes)", [
      row(engine(ns, Metric.ExecutionSucceeded), { stat: "Sum", label: "succeeded" }),
      row(engine(ns, Metric.ExecutionFailed), { stat: "Sum", label: "failed" }),
      row(engine(ns, Metric.DuplicateIgnored), { stat: "Sum", label: "duplicate approvals ignored" }),
    ]),
    graph("State machine executions", [
      row(aws("AWS/States", "ExecutionsStarted", stateMachine), { stat: "Sum", label: "started" }),
      row(aws("AWS/States", "ExecutionsSucceeded", stateMachine), { stat: "Sum", label: "succeeded" }),
      row(aws("AWS/States", "ExecutionsFailed", stateMachine), { stat: "Sum", label: "failed" }),
      row(aws("AWS/States", "ExecutionsTimedOut", stateMachine), { stat: "Sum", label: "timed out" }),
      row(aws("AWS/States", "ExecutionsAborted", stateMachine), { stat: "Sum", label: "aborted" }),
    ]),
    graph("Failures by error class", [searchRow(ns, Metric.ExecutionFailedByClass, "Sum", period, "")]),
    graph(
      "Execution duration (ms)",
      ["p50", "p90", "p99"].map((stat) => row(engine(ns, Metric.ExecutionDuration), { stat, label: stat })),
      {
        annotations: {
          horizontal: [{ label: `alarm: ${input.alarms.durationPercentile}`, value: input.alarms.durationThresholdMs }],
        },
      },
    ),
    graph("Tool latency p90 by tool (ms)", [searchRow(ns, Metric.ToolLatency, "p90", period, "")]),
    graph("Tool errors by class", [searchRow(ns, Metric.ToolErrors, "Sum", period, "")]),
    graph("Compensations by status", [searchRow(ns, Metric.CompensationRun, "Sum", period, "")]),
    graph("Throttles", [
      row(engine(ns, Metric.ToolThrottled), { stat: "Sum", label: "tool calls (429)" }),
      ...(publishesStatesMetric(input.workflowType ?? "STANDARD", "ExecutionThrottled")
        ? [row(aws("AWS/States", "ExecutionThrottled", stateMachine), { stat: "Sum", label: "state machine" })]
        : []),
      ...functions.map(([key, FunctionName]) =>
        row(aws("AWS/Lambda", "Throttles", { FunctionName }), { stat: "Sum", label: key }),
      ),
    ]),
    graph(
      "Dead-letter queue depth",
      Object.entries(input.deadLetterQueueNames).map(([key, QueueName]) =>
        row(aws("AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName }), { stat: "Maximum", label: key }),
      ),
    ),
    graph(
      "Lambda errors",
      functions.map(([key, FunctionName]) =>
        row(aws("AWS/Lambda", "Errors", { FunctionName }), { stat: "Sum", label: key }),
      ),
    ),
    graph(
      "Lambda duration p90 (ms)",
      functions.map(([key, FunctionName]) =>
        row(aws("AWS/Lambda", "Duration", { FunctionName }), { stat: "p90", label: key }),
      ),
    ),
    ...(api
      ? [
          graph("Status API requests", [
            row(aws("AWS/ApiGateway", "Count", api), { stat: "Sum", label: "requests" }),
            row(aws("AWS/ApiGateway", "4xx", api), { stat: "Sum", label: "4xx" }),
            row(aws("AWS/ApiGateway", "5xx", api), { stat: "Sum", label: "5xx" }),
          ]),
          graph("Status API latency (ms)", [
            row(aws("AWS/ApiGateway", "Latency", api), { stat: "p50", label: "latency p50" }),
            row(aws("AWS/ApiGateway", "Latency", api), { stat: "p90", label: "latency p90" }),
            row(aws("AWS/ApiGateway", "IntegrationLatency", api), { stat: "p90", label: "integration p90" }),
          ]),
        ]
      : []),
  ];

  const widgets: DashboardWidget[] = [];
  let top = 0;
  if (input.alarmArns.length) {
    widgets.push({
      type: "alarm",
      x: 0,
      y: 0,
      width: GRID_WIDTH,
      height: 3,
      properties: { title: "Alarms", alarms: input.alarmArns, sortBy: "stateUpdatedTimestamp" },
    });
    top = 3;
  }
  graphs.forEach(({ title, metrics, extra }, index) => {
    widgets.push({
      type: "metric",
      x: (index % 2) * (GRID_WIDTH / 2),
      y: top + Math.floor(index / 2) * 6,
      width: GRID_WIDTH / 2,
      height: 6,
      properties: { title, region: input.region, view: "timeSeries", stacked: false, period, metrics, ...extra },
    });
  });
  return { widgets };
}

const searchPattern = /^SEARCH\('\{([^}]*)\}\s+MetricName="([^"]+)"([^']*)'/;

function searchedMetric(expression: string): PlottedMetric {
  const match = searchPattern.exec(expression);
  if (!match) throw new Error(`dashboard expression is not a SEARCH this module writes: ${expression}`);
  const [namespace = "", ...dimensionNames] = (match[1] as string)
    .split(",")
    .map((part) => part.trim().replace(/^"|"$/g, ""));
  const pinned = Object.fromEntries([...(match[3] as string).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  return {
    namespace,
    metricName: match[2] as string,
    dimensions: Object.fromEntries(dimensionNames.map((name) => [name, pinned[name]])),
  };
}

/** Every series a dashboard body reads, explicit rows and SEARCH expressions alike. */
export function plottedMetrics(body: DashboardBody): PlottedMetric[] {
  return body.widgets
    .filter((widget) => widget.type === "metric")
    .flatMap((widget) => widget.properties.metrics as MetricRow[])
    .map((metricRow) => {
      const [first] = metricRow;
      if (typeof first === "object") {
        if (!first.expression) throw new Error(`dashboard row has neither a metric nor an expression`);
        return searchedMetric(first.expression);
      }
      const [namespace, metricName, ...rest] = metricRow.filter((part): part is string => typeof part === "string");
      const dimensions: Record<string, string> = {};
      for (let index = 0; index + 1 < rest.length; index += 2)
        dimensions[rest[index] as string] = rest[index + 1] as string;
      return { namespace: namespace as string, metricName: metricName as string, dimensions };
    });
}
