// The alarms and the dashboard over the local engine's datapoints. Alarms: the state the stack's evaluator
// gives each spec, and its recent periods against the threshold. Dashboard: the body the stack deploys,
// each metric widget's rows (explicit series and SEARCH expressions) turned into one value per period,
// with CloudWatch's statistics; alarm widgets show the states of the alarms they list.
import { type AlarmSpec, watchedExpression } from "../../infra/observability/alarm-specs.ts";
import { type DashboardBody, type MetricRow, plottedMetrics } from "../../infra/observability/dashboard.ts";
import {
  type AlarmEvaluation,
  type Datapoint,
  EXTRA_PERIODS_FETCHED,
  evaluateAlarm,
  nextEvaluation,
  statisticOf,
} from "../../infra/observability/evaluate.ts";
import type { AlarmStateName, AlarmView, ChartSeries, DashboardView, WidgetView } from "./api-types.ts";

/** How many periods an alarm's chart shows, at least; the alarm's own evaluation range if longer. */
export const ALARM_HISTORY_PERIODS = 12;
/** How many periods a dashboard graph shows. */
export const DASHBOARD_PERIODS = 30;

/** The datapoints at or after `since`: every chart looks at recent periods only. */
const recent = (points: Datapoint[], since: number) => points.filter((point) => point.timestamp >= since);

function reads(spec: AlarmSpec): string {
  if (spec.kind === "math") return `${watchedExpression(spec).label}: ${watchedExpression(spec).expression}`;
  return `${spec.namespace} ${spec.metricName} (${spec.extendedStatistic ?? spec.statistic})`;
}

/** Each alarm as CloudWatch's next evaluation after `now` sees it, with its recent periods. */
export function alarmViews(specs: AlarmSpec[], datapoints: Datapoint[], now: number): AlarmView[] {
  return specs.map((spec) => {
    const at = nextEvaluation(spec, now);
    const shown = Math.max(spec.evaluationPeriods, ALARM_HISTORY_PERIODS - EXTRA_PERIODS_FETCHED);
    const points = recent(datapoints, at - (shown + EXTRA_PERIODS_FETCHED + 1) * spec.periodSeconds * 1000);
    const evaluation: AlarmEvaluation = evaluateAlarm(spec, points, { at });
    // The same evaluator over a longer range: only its per-period values are used, never its verdict.
    const history = evaluateAlarm({ ...spec, evaluationPeriods: shown }, points, { at });
    return {
      id: spec.id,
      name: spec.name,
      description: spec.description,
      state: evaluation.state,
      reason: evaluation.reason,
      threshold: spec.threshold,
      comparison: spec.comparison,
      periodSeconds: spec.periodSeconds,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm,
      evaluatedAt: evaluation.evaluatedAt,
      reads: reads(spec),
      periods: history.periods,
    };
  });
}

type MetricOptions = { stat?: string; label?: string; expression?: string };

const sameDimensions = (point: Datapoint, dimensions: Record<string, string | undefined>) => {
  const names = Object.keys(dimensions);
  return (
    names.length === Object.keys(point.dimensions).length &&
    names.every(
      (name) => name in point.dimensions && (dimensions[name] ?? point.dimensions[name]) === point.dimensions[name],
    )
  );
};

/** A row's series: one for an explicit metric, one per value of the open dimensions for a SEARCH. */
function rowSeries(row: MetricRow, points: Datapoint[], times: number[], periodMs: number): ChartSeries[] {
  const options = (row.find((part) => typeof part === "object") ?? {}) as MetricOptions;
  const [metric] = plottedMetrics({
    widgets: [{ type: "metric", x: 0, y: 0, width: 1, height: 1, properties: { metrics: [row] } }],
  });
  if (!metric) return [];
  const search = options.expression ? /,\s*'([^']+)',\s*\d+\)\s*$/.exec(options.expression) : null;
  const stat = search?.[1] ?? options.stat ?? "Average";
  const own = points.filter(
    (point) =>
      point.namespace === metric.namespace &&
      point.metricName === metric.metricName &&
      sameDimensions(point, metric.dimensions),
  );
  const open = Object.entries(metric.dimensions)
    .filter(([, value]) => value === undefined)
    .map(([name]) => name);
  const groups = new Map<string, Datapoint[]>();
  for (const point of own) {
    const key = open.map((name) => point.dimensions[name]).join(" ");
    groups.set(key, [...(groups.get(key) ?? []), point]);
  }
  return [...groups]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, group]) => ({
      label: open.length ? key : (options.label ?? `${metric.metricName} ${stat}`),
      values: times.map(
        (start) =>
          statisticOf(
            group.filter((point) => point.timestamp >= start && point.timestamp < start + periodMs).map((p) => p.value),
            stat,
          ) ?? null,
      ),
    }));
}

/**
 * The dashboard body with the local datapoints: the last DASHBOARD_PERIODS periods of each graph, up to
 * `now`, each graph at its own period or at `periodOverride` seconds (CloudWatch's "period override").
 */
export function dashboardView(
  body: DashboardBody,
  datapoints: Datapoint[],
  alarmStates: Record<string, AlarmStateName>,
  now: number,
  periodOverride?: number,
): DashboardView {
  const widgets = body.widgets.map((widget): WidgetView => {
    const place = { x: widget.x, y: widget.y, width: widget.width, height: widget.height };
    const title = String(widget.properties.title ?? "");
    if (widget.type === "alarm") {
      const names = (widget.properties.alarms as string[]).map((arn) => arn.slice(arn.lastIndexOf(":") + 1));
      return {
        type: "alarm",
        title,
        ...place,
        alarms: names.map((name) => ({ name, state: alarmStates[name] ?? "INSUFFICIENT_DATA" })),
      };
    }
    const periodSeconds = periodOverride ?? Number(widget.properties.period ?? 300);
    const periodMs = periodSeconds * 1000;
    const last = Math.floor(now / periodMs) * periodMs;
    const times = Array.from(
      { length: DASHBOARD_PERIODS },
      (_, index) => last - (DASHBOARD_PERIODS - 1 - index) * periodMs,
    );
    const points = recent(datapoints, times[0] ?? 0);
    const annotations = widget.properties.annotations as
      | { horizontal?: { label?: string; value: number }[] }
      | undefined;
    return {
      type: "metric",
      title,
      ...place,
      periodSeconds,
      times,
      series: (widget.properties.metrics as MetricRow[]).flatMap((row) => rowSeries(row, points, times, periodMs)),
      thresholds: (annotations?.horizontal ?? []).map(({ label, value }) => ({ label: label ?? "", value })),
    };
  });
  return { widgets };
}
