// Metric names, units and dimensions: emitted by the handlers, alarmed on and plotted by the infrastructure.
// Pure data, so the Pulumi program can import it without pulling in Powertools.

/** Default CloudWatch namespace; each stack may override it (POWERTOOLS_METRICS_NAMESPACE). */
export const METRIC_NAMESPACE = "ActionExecutionEngine";

/**
 * Powertools always adds a `service` dimension. Every function uses this one value for it, so a metric
 * emitted by two functions (both recorders emit ExecutionFailed) is one CloudWatch series an alarm can use.
 */
export const METRIC_SERVICE = "action-execution-engine";

export const Metric = {
  ExecutionSucceeded: { name: "ExecutionSucceeded", unit: "Count" },
  ExecutionFailed: { name: "ExecutionFailed", unit: "Count" },
  /** Same event as ExecutionFailed, with the error class as an extra dimension for the dashboard. */
  ExecutionFailedByClass: { name: "ExecutionFailedByClass", unit: "Count", dimension: "error_class" },
  ExecutionDuration: { name: "ExecutionDuration", unit: "Milliseconds" },
  DuplicateIgnored: { name: "DuplicateIgnored", unit: "Count" },
  ToolLatency: { name: "ToolLatency", unit: "Milliseconds", dimension: "tool_name" },
  ToolThrottled: { name: "ToolThrottled", unit: "Count" },
  ToolErrors: { name: "ToolErrors", unit: "Count", dimension: "error_class" },
  CompensationRun: { name: "CompensationRun", unit: "Count", dimension: "compensation_status" },
} as const;

export type MetricSpec = (typeof Metric)[keyof typeof Metric];
