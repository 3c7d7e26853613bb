// What the status API shows of an execution: the status derived from the record or, before any record
// exists, from the intent's expiry; and the record's public fields, named one by one so keys, execution
// ARNs and idempotency keys never reach a caller.
import type { ExecutionPage, IntentSummary } from "#kernel/repositories/executions.ts";
import type { ExecutionListResponse, ExecutionStatusResponse } from "#schemas/api.ts";
import type { ExecutionRecord } from "#schemas/records.ts";
import { encodePageToken } from "./page-token.ts";

export type ExecutionStatus = ExecutionStatusResponse["status"];

/** A recorded FAILED whose class is EXPIRED is shown as EXPIRED: preflight rejected a stale intent. */
export function recordedStatus(record: ExecutionRecord): ExecutionStatus {
  if (record.status === "FAILED" && record.error_class === "EXPIRED") return "EXPIRED";
  return record.status;
}

/** An approved intent nothing has picked up yet is PENDING until its expiry passes. */
export function intentStatus(intent: IntentSummary, nowEpochSeconds: number): ExecutionStatus {
  return intent.expires_at_epoch <= nowEpochSeconds ? "EXPIRED" : "PENDING";
}

export function recordView(record: ExecutionRecord, intent?: IntentSummary): ExecutionStatusResponse {
  return withoutUndefined({
    action_intent_id: record.action_intent_id,
    account_id: record.account_id,
    status: recordedStatus(record),
    execution_trace_id: record.execution_trace_id,
    attempt_count: record.attempt_count,
    started_at: record.started_at,
    updated_at: record.updated_at,
    completed_at: record.completed_at,
    expires_at_epoch: intent?.expires_at_epoch,
    tool_name: record.tool_name,
    external_object_refs: record.external_object_refs,
    error_code: record.error_code,
    error_class: record.error_class,
    error_message: record.error_message,
    compensation_status: record.compensation_status,
  });
}

export function intentView(
  actionIntentId: string,
  intent: IntentSummary,
  nowEpochSeconds: number,
): ExecutionStatusResponse {
  return {
    action_intent_id: actionIntentId,
    account_id: intent.account_id,
    status: intentStatus(intent, nowEpochSeconds),
    expires_at_epoch: intent.expires_at_epoch,
  };
}

/** The status of one intent from what a single read found; undefined when there is nothing to show. */
export function executionView(
  actionIntentId: string,
  found: { record?: ExecutionRecord; intent?: IntentSummary },
  nowEpochSeconds: number,
): ExecutionStatusResponse | undefined {
  if (found.record) return recordView(found.record, found.intent);
  if (found.intent) return intentView(actionIntentId, found.intent, nowEpochSeconds);
  return undefined;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

export function listView(accountId: string, page: ExecutionPage): ExecutionListResponse {
  return withoutUndefined({
    account_id: accountId,
    executions: page.records.map((record) => recordView(record)),
    next_token: page.lastKey ? encodePageToken(page.lastKey) : undefined,
  });
}
