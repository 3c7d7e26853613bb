import { createHash } from "node:crypto";

/** Stable per intent, so every call an execution makes for it can be deduplicated by the tool. */
export function idempotencyKeyFor(tenantId: string, actionIntentId: string): string {
  return createHash("sha256").update(`${tenantId}\u0000${actionIntentId}`).digest("hex");
}
