// The execution record: one item per intent holding its attempt and, once recorded, its outcome.

import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { ExecutionRecord } from "#schemas/records.ts";
import { ExecutionRecord as validateExecutionRecord } from "#schemas/validators.generated.js";
import { keys, tables } from "../data-layout.ts";
import { toDomainRecord } from "./records.ts";

export function toExecutionRecord(item: Record<string, unknown>): ExecutionRecord {
  return toDomainRecord<ExecutionRecord>(item, validateExecutionRecord, `execution record ${String(item.sk)}`);
}

export function executionItem(record: ExecutionRecord): Record<string, unknown> {
  return {
    ...keys.execution(record.tenant_id, record.action_intent_id),
    ...keys.executionByAccount(record.tenant_id, record.account_id, record.started_at, record.action_intent_id),
    ...record,
  };
}

export type StartAttemptResult = { written: true } | { written: false; existing: ExecutionRecord };

/** Writes the attempt unless the intent already has one; then returns the one it has, in the same round trip. */
export async function startAttempt(
  db: DynamoDBDocumentClient,
  tableName: string,
  attempt: ExecutionRecord,
): Promise<StartAttemptResult> {
  try {
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: executionItem(attempt),
        ConditionExpression: "attribute_not_exists(pk)",
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }),
    );
    return { written: true };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException && error.Item) {
      return { written: false, existing: toExecutionRecord(unmarshall(error.Item)) };
    }
    throw error;
  }
}

export async function getExecution(
  db: DynamoDBDocumentClient,
  tableName: string,
  tenantId: string,
  actionIntentId: string,
): Promise<ExecutionRecord | undefined> {
  const { Item } = await db.send(
    new GetCommand({ TableName: tableName, Key: keys.execution(tenantId, actionIntentId), ConsistentRead: true }),
  );
  return Item ? toExecutionRecord(Item) : undefined;
}

export interface IntentSummary {
  account_id: string;
  expires_at_epoch: number;
}

/**
 * The execution record and the intent's account and expiry, in one BatchGetItem: what the status API
 * needs to tell RUNNING/SUCCEEDED/FAILED from PENDING/EXPIRED.
 */
export async function getExecutionWithIntent(
  db: DynamoDBDocumentClient,
  tableNames: { executions: string; intents: string },
  tenantId: string,
  actionIntentId: string,
): Promise<{ record?: ExecutionRecord; intent?: IntentSummary; complete: boolean }> {
  const { Responses, UnprocessedKeys } = await db.send(
    new BatchGetCommand({
      RequestItems: {
        [tableNames.executions]: { Keys: [keys.execution(tenantId, actionIntentId)], ConsistentRead: true },
        [tableNames.intents]: {
          Keys: [keys.intent(tenantId, actionIntentId)],
          ProjectionExpression: "account_id, expires_at_epoch",
          ConsistentRead: true,
        },
      },
    }),
  );
  const recordItem = Responses?.[tableNames.executions]?.[0];
  const intentItem = Responses?.[tableNames.intents]?.[0];
  return {
    record: recordItem ? toExecutionRecord(recordItem) : undefined,
    intent:
      typeof intentItem?.account_id === "string" && typeof intentItem.expires_at_epoch === "number"
        ? { account_id: intentItem.account_id, expires_at_epoch: intentItem.expires_at_epoch }
        : undefined,
    complete: Object.keys(UnprocessedKeys ?? {}).length === 0,
  };
}

export interface ExecutionPage {
  records: ExecutionRecord[];
  /** The key to continue after, when more records may follow. */
  lastKey?: Record<string, unknown>;
}

/** One account's executions within a tenant, newest first. */
export async function listExecutionsByAccount(
  db: DynamoDBDocumentClient,
  tableName: string,
  tenantId: string,
  accountId: string,
  limit: number,
  startKey?: Record<string, unknown>,
): Promise<ExecutionPage> {
  const index = tables.executions.globalIndexes[0];
  const { Items, LastEvaluatedKey } = await db.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: index.name,
      KeyConditionExpression: "#pk = :pk",
      ExpressionAttributeNames: { "#pk": index.partitionKey.name },
      ExpressionAttributeValues: { ":pk": keys.accountPartition(tenantId, accountId) },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: startKey,
    }),
  );
  return { records: (Items ?? []).map(toExecutionRecord), lastKey: LastEvaluatedKey };
}
