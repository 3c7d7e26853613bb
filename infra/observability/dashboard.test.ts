import { describe, expect, it } from "vitest";
import { METRIC_NAMESPACE, METRIC_SERVICE } from "../../functions/kernel/metric-names.ts";
import { type DashboardBody, type DashboardInput, dashboardBody, type MetricRow, plottedMetrics } from "./dashboard.ts";
import { stackConfig, watched } from "./fixtures.ts";
import { emittedMetricNames, metricProblems, readHandlerSources } from "./metric-coverage.ts";

const emitted = emittedMetricNames(readHandlerSources(new URL("../../functions", import.meta.url).pathname));
const alarmArns = ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:engine-test-failed-executions"];

function inputFor(config = stackConfig()): DashboardInput {
  return {
    ...watched,
    region: "us-east-1",
    metricsNamespace: config.metricsNamespace,
    alarms: config.alarms,
    alarmArns,
  };
}

const titles = (body: DashboardBody) => body.widgets.map((widget) => widget.properties.title);
const widget = (body: DashboardBody, title: string) => {
  const found = body.widgets.find((candidate) => candidate.properties.title === title);
  if (!found) throw new Error(`no widget "${title}" among ${titles(body).join(", ")}`);
  return found;
};

describe("dashboard body", () => {
  it("shows alarms, executions, failures by class, durations, tools, throttles, dead letters, functions and the API", () => {
    // Act
    const body = dashboardBody(inputFor());

    // Assess
    expect(titles(body)).toEqual([
      "Alarms",
      "Executions (recorded outcomes)",
      "State machine executions",
      "Failures by error class",
      "Execution duration (ms)",
      "Tool latency p90 by tool (ms)",
      "Tool errors by class",
      "Compensations by status",
      "Throttles",
      "Dead-letter queue depth",
      "Lambda errors",
      "Lambda duration p90 (ms)",
      "Status API requests",
      "Status API latency (ms)",
    ]);
    expect(widget(body, "Alarms")).toMatchObject({ type: "alarm", properties: { alarms: alarmArns } });
    expect(JSON.parse(JSON.stringify(body))).toEqual(body);
  });

  it("plots only series a handler emits or AWS publishes, with the dimensions they carry", () => {
    // Prepare
    const plotted = plottedMetrics(dashboardBody(inputFor()));

    // Act
    const problems = metricProblems(plotted, { engineNamespace: METRIC_NAMESPACE, emitted });

    // Assess
    expect(problems).toEqual([]);
    const engineMetrics = new Set(
      plotted.filter((use) => use.namespace === METRIC_NAMESPACE).map((use) => use.metricName),
    );
    expect([...engineMetrics].sort()).toEqual([
      "CompensationRun",
      "DuplicateIgnored",
      "ExecutionDuration",
      "ExecutionFailed",
      "ExecutionFailedByClass",
      "ExecutionSucceeded",
      "ToolErrors",
      "ToolLatency",
      "ToolThrottled",
    ]);
    expect(new Set(plotted.map((use) => use.namespace))).toEqual(
      new Set([METRIC_NAMESPACE, "AWS/States", "AWS/Lambda", "AWS/SQS", "AWS/ApiGateway"]),
    );
  });

  it("finds one line per error class and tool with a SEARCH pinned to the engine's service", () => {
    // Act
    const body = dashboardBody(inputFor());
    const [row] = widget(body, "Failures by error class").properties.metrics as MetricRow[];

    // Assess
    expect(row).toEqual([
      {
        expression: `SEARCH('{ActionExecutionEngine,error_class,service} MetricName="ExecutionFailedByClass" service="${METRIC_SERVICE}"', 'Sum', 300)`,
        label: "",
      },
    ]);
    expect(plottedMetrics(body).filter((use) => use.metricName === "ToolLatency")).toEqual([
      {
        namespace: METRIC_NAMESPACE,
        metricName: "ToolLatency",
        dimensions: { tool_name: undefined, service: METRIC_SERVICE },
      },
    ]);
  });

  it("reports a plotted metric no handler emits, also inside a SEARCH", () => {
    // Prepare
    const body = dashboardBody(inputFor());
    const made = JSON.parse(
      JSON.stringify(body).replaceAll('MetricName=\\"ToolLatency\\"', 'MetricName=\\"ToolLatencyMs\\"'),
    ) as DashboardBody;

    // Act
    const problems = metricProblems(plottedMetrics(made), { engineNamespace: METRIC_NAMESPACE, emitted });

    // Assess
    expect(problems).toEqual(["ActionExecutionEngine/ToolLatencyMs is not in functions/kernel/metric-names.ts"]);
  });

  it("refuses to read an expression it did not write rather than skip it", () => {
    // Prepare
    const body: DashboardBody = {
      widgets: [
        { type: "metric", x: 0, y: 0, width: 12, height: 6, properties: { metrics: [[{ expression: "m1 * 2" }]] } },
      ],
    };

    // Act
    const read = () => plottedMetrics(body);

    // Assess
    expect(read).toThrow(/not a SEARCH this module writes: m1 \* 2/);
  });

  it("uses the stack's namespace, period and duration threshold, quoting a namespace SEARCH would misread", () => {
    // Prepare
    const config = stackConfig({
      metricsNamespace: "Engine-Dev",
      alarmPeriodSeconds: "60",
      alarmDurationPercentile: "p99",
      alarmDurationThresholdMs: "5000",
    });

    // Act
    const body = dashboardBody(inputFor(config));

    // Assess
    const graphs = body.widgets.filter((candidate) => candidate.type === "metric");
    expect(graphs.every((graph) => graph.properties.period === 60 && graph.properties.region === "us-east-1")).toBe(
      true,
    );
    expect(widget(body, "Execution duration (ms)").properties.annotations).toEqual({
      horizontal: [{ label: "alarm: p99", value: 5000 }],
    });
    expect(JSON.stringify(widget(body, "Tool errors by class").properties.metrics)).toContain(
      String.raw`SEARCH('{\"Engine-Dev\",error_class,service}`,
    );
    expect(plottedMetrics(body).filter((use) => use.metricName === "ExecutionFailedByClass")).toEqual([
      expect.objectContaining({ namespace: "Engine-Dev" }),
    ]);
  });

  it("lays widgets out on the 24-column grid without overlaps", () => {
    // Act
    const { widgets } = dashboardBody(inputFor());

    // Assess
    const cells = widgets.flatMap((placed) =>
      Array.from({ length: placed.width * placed.height }, (_, index) => {
        const column = placed.x + (index % placed.width);
        expect(column).toBeLessThan(24);
        return `${column},${placed.y + Math.floor(index / placed.width)}`;
      }),
    );
    expect(new Set(cells).size).toBe(cells.length);
  });

  it("leaves out the API widgets when there is no API, and the alarm widget when there are no alarms", () => {
    // Act
    const body = dashboardBody({ ...inputFor(), httpApi: undefined, alarmArns: [] });

    // Assess
    expect(titles(body)).not.toContain("Status API requests");
    expect(titles(body)).not.toContain("Alarms");
    expect(plottedMetrics(body).some((use) => use.namespace === "AWS/ApiGateway")).toBe(false);
    expect(body.widgets[0]?.y).toBe(0);
  });

  it("plots what an Express state machine publishes: no throttled transitions, which Express does not have", () => {
    // Prepare
    const input = { ...inputFor(), workflowType: "EXPRESS" as const };

    // Act
    const body = dashboardBody(input);
    const plotted = plottedMetrics(body);

    // Assess
    expect(metricProblems(plotted, { engineNamespace: METRIC_NAMESPACE, emitted, workflowType: "EXPRESS" })).toEqual(
      [],
    );
    expect(plotted.filter((use) => use.namespace === "AWS/States").map((use) => use.metricName)).toEqual([
      "ExecutionsStarted",
      "ExecutionsSucceeded",
      "ExecutionsFailed",
      "ExecutionsTimedOut",
      "ExecutionsAborted",
    ]);
    expect(
      metricProblems(plottedMetrics(dashboardBody(inputFor())), {
        engineNamespace: METRIC_NAMESPACE,
        emitted,
        workflowType: "EXPRESS",
      }),
    ).toEqual(["AWS/States/ExecutionThrottled is not published for EXPRESS state machines"]);
  });
});
