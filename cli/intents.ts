// Action intents as the decision layer handles them: checked against the contract, stored in the
// intents table, and approved by publishing the event the engine's rule starts an execution for.
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { keys } from "../functions/kernel/data-layout.ts";
import { toDomainRecord } from "../functions/kernel/repositories/records.ts";
import { approvalEntry } from "../infra/trigger.ts";
import type { ActionIntent } from "../schemas/records.ts";
import { ActionIntent as validateActionIntent } from "../schemas/validators.generated.js";
import { parseContract } from "./contract-input.ts";
import { OperationError } from "./errors.ts";
import type { Target } from "./target.ts";

export type IntentKey = Pick<ActionIntent, "action_intent_id" | "tenant_id" | "account_id">;

/** Parses and checks an intent; the refusal names the source and every field that is wrong. */
export const parseIntent = (text: string, source: string): ActionIntent =>
  parseContract<ActionIntent>(text, source, validateActionIntent, "action intent");

export async function storeIntent(target: Target, intent: ActionIntent): Promise<void> {
  await target.db.send(
    new PutCommand({
      TableName: target.tables.intents,
      Item: { ...keys.intent(intent.tenant_id, intent.action_intent_id), ...intent },
    }),
  );
}

export async function readIntent(target: Target, tenantId: string, actionIntentId: string): Promise<ActionIntent> {
  const { Item } = await target.db.send(
    new GetCommand({
      TableName: target.tables.intents,
      Key: keys.intent(tenantId, actionIntentId),
      ConsistentRead: true,
    }),
  );
  if (!Item) {
    throw new OperationError(
      `no intent ${actionIntentId} of tenant ${tenantId} in ${target.tables.intents}: store it first ` +
        "(approve <intent.json> stores and approves in one step)",
    );
  }
  return toDomainRecord<ActionIntent>(Item, validateActionIntent, `intent ${actionIntentId}`);
}

/**
 * Publishes the approval with the detail the rule's input transformer reads (`detail.data`). PutEvents
 * answers 200 even when it refused the entry, so the entry's own result is checked.
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
 */
export async function publishApproval(target: Target, key: IntentKey): Promise<string> {
  const { FailedEntryCount, Entries } = await target.events.send(
    new PutEventsCommand({ Entries: [approvalEntry({ ...target.bus, busName: target.bus.name }, key)] }),
  );
  const [entry] = Entries ?? [];
  if (FailedEntryCount || !entry?.EventId) {
    throw new OperationError(
      `the bus ${target.bus.name} refused the approval of ${key.action_intent_id}: ` +
        `${entry?.ErrorCode ?? "no event id"} ${entry?.ErrorMessage ?? ""}`.trim(),
    );
  }
  return entry.EventId;
}
