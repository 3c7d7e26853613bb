// Logger, Tracer and Metrics, created once per container. Service name, log level and namespace come from
// the standard POWERTOOLS_* variables each function's configuration sets.
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { METRIC_NAMESPACE, METRIC_SERVICE } from "./metric-names.ts";

export const logger = new Logger();
export const tracer = new Tracer();
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || METRIC_NAMESPACE,
  serviceName: METRIC_SERVICE,
  // Its own warnings (e.g. an invocation that emitted nothing) become structured, level-filtered log lines.
  logger,
});
