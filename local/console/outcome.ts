// An execution's outcome as the engine recorded it: the execution record (attempt, status, error class,
// external object refs, compensation), the intent, the ledger entry and the signal, read in one
// BatchGetItem, and the tool's raw reply from the artifacts bucket behind the record's s3:// reference.
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { BatchGetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { keyAttributes, keys, type TableName } from "../../functions/kernel/data-layout.ts";
import type { OutcomeView } from "./api-types.ts";

/** A raw reply larger than this is cut: the page shows it, it is no place for megabytes. */
export const RAW_REPLY_LIMIT = 64 * 1024;

export interface OutcomeSources {
  db: DynamoDBDocumentClient;
  tables: Record<TableName, string>;
  s3: S3Client;
}

const withoutKeys = (item: Record<string, unknown> | undefined) =>
  item &&
  Object.fromEntries(Object.entries(item).filter(([name]) => !(keyAttributes as readonly string[]).includes(name)));

export function parseS3Reference(reference: string): { bucket: string; key: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(reference);
  return match ? { bucket: match[1] as string, key: match[2] as string } : undefined;
}

async function rawReply(s3: S3Client, reference: string): Promise<OutcomeView["rawReply"]> {
  const location = parseS3Reference(reference);
  if (!location) return { reference, unreadable: "not an s3:// reference" };
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
    const body = (await object.Body?.transformToString("utf8")) ?? "";
    return {
      reference,
      ...(object.ContentType ? { contentType: object.ContentType } : {}),
      body: body.length > RAW_REPLY_LIMIT ? `${body.slice(0, RAW_REPLY_LIMIT)}\n... (${body.length} characters)` : body,
    };
  } catch (error) {
    return { reference, unreadable: (error as Error).message };
  }
}

export async function readOutcome(
  sources: OutcomeSources,
  intent: { tenantId: string; actionIntentId: string },
): Promise<OutcomeView> {
  const { tables } = sources;
  const request = {
    [tables.executions]: keys.execution(intent.tenantId, intent.actionIntentId),
    [tables.intents]: keys.intent(intent.tenantId, intent.actionIntentId),
    [tables.ledger]: keys.outcomeLedgerEvent(intent.tenantId, intent.actionIntentId),
    [tables.signals]: keys.signal(intent.tenantId, intent.actionIntentId),
  };
  const { Responses } = await sources.db.send(
    new BatchGetCommand({
      RequestItems: Object.fromEntries(
        Object.entries(request).map(([table, key]) => [table, { Keys: [key], ConsistentRead: true }]),
      ),
    }),
  );
  const itemOf = (table: string) => withoutKeys(Responses?.[table]?.[0]);
  const record = itemOf(tables.executions);
  const reference = typeof record?.raw_response_ref === "string" ? record.raw_response_ref : undefined;
  const found = {
    record,
    intent: itemOf(tables.intents),
    ledger: itemOf(tables.ledger),
    signal: itemOf(tables.signals),
    rawReply: reference ? await rawReply(sources.s3, reference) : undefined,
  };
  return Object.fromEntries(Object.entries(found).filter(([, value]) => value !== undefined)) as OutcomeView;
}
