// Logger, Tracer and Metrics, created once per container. Service name, log level and namespace come from
// the standard POWERTOOLS_* variables each function's configuration sets.
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { METRIC_NAMESPACE, METRIC_SERVICE, type MetricSpec } from "./metric-names.ts";

export const logger = new Logger();
export const tracer = new Tracer();

/**
 * Metrics' own warnings, as structured log lines. Most states emit no metric of their own, so the warning
 * that an invocation published none is expected, and printing it cost every invocation a log line.
 */
const metricsWarnings = {
  debug: (message: unknown) => logger.debug(String(message)),
  info: (message: unknown) => logger.info(String(message)),
  warn: (message: unknown) => {
    if (!String(message).startsWith("No application metrics to publish")) logger.warn(String(message));
  },
  error: (message: unknown) => logger.error(String(message)),
};

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || METRIC_NAMESPACE,
  serviceName: METRIC_SERVICE,
  logger: metricsWarnings,
});

const dimensioned = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || METRIC_NAMESPACE,
  serviceName: METRIC_SERVICE,
  logger: metricsWarnings,
});

type DimensionedMetric = Extract<MetricSpec, { dimension: string }>;

/**
 * One datapoint with a dimension of its own (error class, tool name), published at once. One instance is
 * reused: `metrics.singleMetric()` builds a new Metrics on every call, a measurable cost per invocation.
 */
export function publishDimensioned(metric: DimensionedMetric, dimensionValue: string, value: number): void {
  dimensioned.addDimension(metric.dimension, dimensionValue);
  dimensioned.addMetric(metric.name, MetricUnit[metric.unit], value);
  dimensioned.publishStoredMetrics();
}
