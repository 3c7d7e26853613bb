import { type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import type { ActionIntent } from "#schemas/records.ts";
import { ActionIntent as validateActionIntent } from "#schemas/validators.generated.js";
import { keys } from "../data-layout.ts";
import { toDomainRecord } from "./records.ts";

/** The intent as the decision layer stored it, or undefined. A stored intent breaking its contract is a ValidationError. */
export async function getIntent(
  db: DynamoDBDocumentClient,
  tableName: string,
  tenantId: string,
  actionIntentId: string,
): Promise<ActionIntent | undefined> {
  const { Item } = await db.send(
    new GetCommand({ TableName: tableName, Key: keys.intent(tenantId, actionIntentId), ConsistentRead: true }),
  );
  return Item ? toDomainRecord<ActionIntent>(Item, validateActionIntent, `action intent ${actionIntentId}`) : undefined;
}
