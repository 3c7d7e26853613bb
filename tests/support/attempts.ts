// Builds the state the lifecycle reaches before recording: an intent with a RUNNING attempt.

import { randomUUID } from "node:crypto";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { executionItem } from "../../functions/kernel/repositories/executions.ts";
import type { ExecutionRecord } from "../../schemas/records.ts";
import { db, executionArn, tableNames, uniqueTenant } from "./fixtures.ts";

export async function seedRunningAttempt(overrides: Partial<ExecutionRecord> = {}): Promise<ExecutionRecord> {
  const startedAt = new Date(Date.now() - 1500).toISOString();
  const attempt: ExecutionRecord = {
    action_intent_id: `intent-${randomUUID().slice(0, 8)}`,
    tenant_id: uniqueTenant(),
    account_id: "account-1",
    status: "RUNNING",
    execution_id: executionArn(),
    execution_trace_id: randomUUID(),
    decision_trace_id: "decision-1",
    attempt_count: 1,
    action_type: "CREATE_CRM_TASK",
    registry_version: 1,
    idempotency_key: randomUUID(),
    started_at: startedAt,
    updated_at: startedAt,
    ...overrides,
  };
  await db.send(new PutCommand({ TableName: tableNames.executions, Item: executionItem(attempt) }));
  return attempt;
}
