// Puts the identifiers of the work at hand on every log line and as X-Ray annotations, so one
// execution can be followed across functions by intent, tenant and trace.
import { logger, tracer } from "./powertools.ts";

const correlationFields = ["action_intent_id", "tenant_id", "account_id", "execution_trace_id", "tool_name"] as const;

export function correlate(source: unknown): void {
  if (typeof source !== "object" || source === null) return;
  const fields = source as Record<string, unknown>;
  const keys: Record<string, string> = {};
  for (const field of correlationFields) {
    const value = fields[field];
    if (typeof value !== "string") continue;
    keys[field] = value;
    tracer.putAnnotation(field, value);
  }
  // One call: each reaches the logger's invocation-scoped store, a cost per call, not per key.
  logger.appendKeys(keys);
}
