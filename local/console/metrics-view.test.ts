// The alarms and dashboard as the console shows them: each alarm in the state the stack's evaluator gives
// it, with its recent periods against the threshold; the deployed dashboard body's rows turned into one
// value per period (explicit series by their statistic, SEARCH rows one line per dimension value).
import { describe, expect, it } from "vitest";
import { METRIC_SERVICE } from "../../functions/kernel/metric-names.ts";
import { alarmSpecs } from "../../infra/observability/alarm-specs.ts";
import { dashboardBody } from "../../infra/observability/dashboard.ts";
import { type Datapoint, evaluateAlarm, nextEvaluation } from "../../infra/observability/evaluate.ts";
import { stackConfig, watched } from "../../infra/observability/fixtures.ts";
import { ALARM_HISTORY_PERIODS, alarmViews, DASHBOARD_PERIODS, dashboardView } from "./metrics-view.ts";

const config = stackConfig({ alarmFailedExecutionsThreshold: "2", alarmPeriodSeconds: "60" });
const specs = alarmSpecs({
  ...watched,
  alarms: config.alarms,
  metricsNamespace: config.metricsNamespace,
  namePrefix: "engine-test",
});
const now = Date.UTC(2026, 0, 1, 12, 0, 30);
const engineMetric = (metricName: string, timestamp: number, value: number, dimensions = {}): Datapoint => ({
  namespace: config.metricsNamespace,
  metricName,
  dimensions: { service: METRIC_SERVICE, ...dimensions },
  timestamp,
  value,
});

describe("alarm views", () => {
  const datapoints = [
    engineMetric("ExecutionFailed", now - 5_000, 1),
    engineMetric("ExecutionFailed", now - 4_000, 1),
    engineMetric("ExecutionFailed", now - 4 * 60_000, 1),
  ];

  it("give each alarm the stack's evaluation and its recent periods against the threshold", () => {
    const views = alarmViews(specs, datapoints, now);

    const failed = views.find((view) => view.id === "failed-executions");
    const spec = specs.find((candidate) => candidate.id === "failed-executions");
    const evaluation = spec && evaluateAlarm(spec, datapoints, { at: nextEvaluation(spec, now) });
    expect(failed).toMatchObject({ state: "ALARM", reason: evaluation?.reason, threshold: 2, periodSeconds: 60 });
    expect(failed?.periods).toHaveLength(ALARM_HISTORY_PERIODS);
    expect(failed?.periods.at(-1)).toMatchObject({ value: 2, breaching: true });
    expect(failed?.periods.filter((period) => period.value !== undefined).map((period) => period.value)).toEqual([
      1, 2,
    ]);
    expect(views.map((view) => view.id)).toEqual(specs.map((candidate) => candidate.id));
  });
});

describe("dashboard view", () => {
  const body = dashboardBody({
    ...watched,
    region: "us-east-1",
    metricsNamespace: config.metricsNamespace,
    alarms: config.alarms,
    alarmArns: ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:engine-test-failed-executions"],
  });
  const widget = (view: ReturnType<typeof dashboardView>, title: string) => {
    const found = view.widgets.find((candidate) => candidate.title === title);
    if (found?.type !== "metric") throw new Error(`no metric widget ${title}`);
    return found;
  };
  const datapoints = [
    engineMetric("ExecutionSucceeded", now - 1_000, 1),
    engineMetric("ExecutionSucceeded", now - 2_000, 1),
    engineMetric("ExecutionSucceeded", now - 120_000, 1),
    engineMetric("ExecutionFailedByClass", now - 1_000, 1, { error_class: "KILL_SWITCH" }),
    engineMetric("ExecutionFailedByClass", now - 2_000, 1, { error_class: "EXPIRED" }),
    engineMetric("ExecutionFailedByClass", now - 3_000, 1, { error_class: "KILL_SWITCH" }),
    engineMetric("ExecutionDuration", now - 1_000, 900),
  ];

  it("sums an explicit series per period, up to now, on the grid the body places it", () => {
    const view = dashboardView(body, datapoints, {}, now);

    const executions = widget(view, "Executions (recorded outcomes)");
    expect(executions.times).toHaveLength(DASHBOARD_PERIODS);
    expect(executions.times.at(-1)).toBe(Date.UTC(2026, 0, 1, 12, 0, 0));
    const succeeded = executions.series.find((series) => series.label === "succeeded");
    expect(succeeded?.values.at(-1)).toBe(2);
    expect(succeeded?.values.at(-3)).toBe(1);
    expect(succeeded?.values.at(-2)).toBeNull();
    expect(executions).toMatchObject({ x: 0, width: 12, periodSeconds: 60 });
  });

  it("draws a SEARCH row as one line per value of its open dimension", () => {
    const view = dashboardView(body, datapoints, {}, now);

    const byClass = widget(view, "Failures by error class");
    expect(byClass.series.map((series) => [series.label, series.values.at(-1)])).toEqual([
      ["EXPIRED", 1],
      ["KILL_SWITCH", 2],
    ]);
  });

  it("keeps the body's threshold annotations and shows alarm widgets with their alarms' states", () => {
    const view = dashboardView(body, datapoints, { "engine-test-failed-executions": "ALARM" }, now);

    const duration = widget(view, "Execution duration (ms)");
    expect(duration.thresholds).toEqual([
      { label: `alarm: ${config.alarms.durationPercentile}`, value: config.alarms.durationThresholdMs },
    ]);
    expect(duration.series.find((series) => series.label === "p90")?.values.at(-1)).toBe(900);
    expect(view.widgets[0]).toMatchObject({
      type: "alarm",
      alarms: [{ name: "engine-test-failed-executions", state: "ALARM" }],
    });
  });

  it("draws every graph at one period when overridden, as CloudWatch's period override does", () => {
    const view = dashboardView(body, datapoints, {}, now, 10);

    const executions = widget(view, "Executions (recorded outcomes)");
    expect(executions.periodSeconds).toBe(10);
    // The period now is in has just begun: the two successes of the last seconds are in the one before.
    const succeeded = executions.series.find((series) => series.label === "succeeded")?.values;
    expect(succeeded?.slice(-2)).toEqual([2, null]);
    expect(executions.times.at(-1)).toBe(now);
  });
});
