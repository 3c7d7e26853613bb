// Fixtures shared by the tests: Lambda context, a document client on DynamoDB Local, and seeders that
// write records the way the decision layer and operators would.
import { randomUUID } from "node:crypto";
import { PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { inject } from "vitest";
import { createDocumentClient } from "../../functions/kernel/clients/dynamodb.ts";
import { keys } from "../../functions/kernel/data-layout.ts";
import { tableNamesFor } from "../../local/tables.ts";

export { lambdaContext } from "../../local/lambda-context.ts";

import type { ActionIntent, RegistryEntry, TenantControls } from "../../schemas/records.ts";
import type { InvokerInput } from "../../schemas/states.ts";

export const tableNames = tableNamesFor(inject("tablePrefix"));

/** A plain client (not traced) on the same DynamoDB Local the functions use. */
export const db = createDocumentClient();

/** A tenant no other test uses, so tests share tables without seeing each other's records. */
export function uniqueTenant(): string {
  return `tenant-${randomUUID().slice(0, 8)}`;
}

export function executionArn(name = randomUUID()): string {
  return `arn:aws:states:us-east-1:123456789012:execution:action-execution:${name}`;
}

export function intentFixture(overrides: Partial<ActionIntent> & { tenant_id: string }): ActionIntent {
  return {
    action_intent_id: `intent-${randomUUID().slice(0, 8)}`,
    account_id: "account-1",
    action_type: "CREATE_CRM_TASK",
    parameters: { title: "Call back about renewal", due_date: "2026-12-01" },
    registry_version: 1,
    trace_id: `decision-${randomUUID().slice(0, 8)}`,
    expires_at_epoch: Math.floor(Date.now() / 1000) + 3600,
    ...overrides,
  };
}

/** Writes an item as-is (no schema check), so tests can also store what the contract forbids. */
export async function putIntentItem(intent: Record<string, unknown> & { tenant_id: string; action_intent_id: string }) {
  await db.send(
    new PutCommand({
      TableName: tableNames.intents,
      Item: { ...keys.intent(intent.tenant_id, intent.action_intent_id), ...intent },
    }),
  );
}

export async function seedIntent(overrides: Partial<ActionIntent> & { tenant_id: string }): Promise<ActionIntent> {
  const intent = intentFixture(overrides);
  await putIntentItem(intent);
  return intent;
}

export async function seedRegistryEntry(entry: RegistryEntry): Promise<RegistryEntry> {
  await db.send(new PutCommand({ TableName: tableNames.registry, Item: entry }));
  return entry;
}

export async function setTenantControls(controls: TenantControls): Promise<void> {
  await db.send(
    new PutCommand({
      TableName: tableNames.controls,
      Item: { ...keys.tenantControls(controls.tenant_id), ...controls },
    }),
  );
}

/** Every item of one tenant in a table whose partition key leads with the tenant. */
export async function tenantItems(table: string, tenantId: string) {
  const { Items } = await db.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": `TENANT#${tenantId}` },
      ConsistentRead: true,
    }),
  );
  return Items ?? [];
}

/** A tool invoker's input as MapActionToTool shapes it: a fresh intent, trace and idempotency key. */
export function invokerInputFixture(toolName: string, toolArguments: Record<string, unknown> = {}): InvokerInput {
  return {
    action_intent_id: `intent-${randomUUID().slice(0, 8)}`,
    tenant_id: "tenant-1",
    account_id: "account-1",
    execution_trace_id: randomUUID(),
    attempt_count: 1,
    idempotency_key: randomUUID(),
    tool_name: toolName,
    tool_arguments: toolArguments,
  };
}
