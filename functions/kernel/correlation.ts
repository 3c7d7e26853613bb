// Puts the identifiers of the work at hand on every log line and as X-Ray annotations, so one
// execution can be followed across functions by intent, tenant and trace.
import { logger, tracer } from "./powertools.ts";

const correlationFields = ["action_intent_id", "tenant_id", "account_id", "execution_trace_id", "tool_name"] as const;

export function correlate(source: unknown): void {
  if (typeof source !== "object" || source === null) return;
  const fields = source as Record<string, unknown>;
  for (const field of correlationFields) {
    const value = fields[field];
    if (typeof value !== "string") continue;
    logger.appendKeys({ [field]: value });
    tracer.putAnnotation(field, value);
  }
}
