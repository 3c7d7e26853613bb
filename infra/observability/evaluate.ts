// Evaluates the stack's alarm specs against captured datapoints the way CloudWatch does: per period, the
// statistic of each series (a math alarm sums its weighted terms, missing ones as 0), compared with the
// threshold; ALARM when enough of the latest periods breach. Periods end at `now`, so data just written
// counts in the latest one (CloudWatch aligns to clock boundaries; the local engine has no history).
import type { AlarmSpec, ComparisonOperator, MetricRef, Statistic } from "./alarm-specs.ts";

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
  /** Undefined when the period has no data. */
  value?: number;
  breaching: boolean;
}

export interface AlarmEvaluation {
  id: string;
  name: string;
  state: AlarmState;
  reason: string;
  periods: PeriodValue[];
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

function valueIn(spec: AlarmSpec, points: Datapoint[], start: number, end: number): number | undefined {
  const inPeriod = points.filter((point) => point.timestamp >= start && point.timestamp < end);
  const seriesValues = (ref: MetricRef) =>
    inPeriod.filter((point) => sameSeries(point, ref)).map((point) => point.value);
  if (spec.kind === "metric") {
    return statisticOf(seriesValues(spec), spec.extendedStatistic ?? spec.statistic ?? "Average");
  }
  const terms = spec.metrics.map((term) => statisticOf(seriesValues(term), term.statistic));
  if (terms.every((term) => term === undefined)) return undefined;
  return spec.metrics.reduce((sum, term, index) => sum + term.weight * (terms[index] ?? 0), 0);
}

export function evaluateAlarm(spec: AlarmSpec, points: Datapoint[], now = Date.now()): AlarmEvaluation {
  const period = spec.periodSeconds * 1000;
  const periods: PeriodValue[] = Array.from({ length: spec.evaluationPeriods }, (_, index) => {
    const end = now - index * period;
    const start = end - period;
    const value = valueIn(spec, points, start, end);
    const breaching =
      value === undefined ? spec.treatMissingData === "breaching" : compare(value, spec.comparison, spec.threshold);
    return { start, end, value, breaching };
  }).reverse();
  const needed = spec.datapointsToAlarm ?? spec.evaluationPeriods;
  const breaching = periods.filter((p) => p.breaching).length;
  const withData = periods.filter((p) => p.value !== undefined);
  const shown = periods
    .map((p) => (p.value === undefined ? "no data" : String(Math.round(p.value * 100) / 100)))
    .join(", ");
  const state: AlarmState =
    breaching >= needed
      ? "ALARM"
      : withData.length === 0 && spec.treatMissingData === "missing"
        ? "INSUFFICIENT_DATA"
        : "OK";
  const verdict = state === "ALARM" ? "breaches" : "does not breach";
  return {
    id: spec.id,
    name: spec.name,
    state,
    reason: `${breaching} of ${periods.length} period(s) of ${spec.periodSeconds} s ${verdict} ${spec.comparison} ${spec.threshold} (values: ${shown})`,
    periods,
  };
}
