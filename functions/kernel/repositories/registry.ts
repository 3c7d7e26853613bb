import { type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import type { RegistryEntry } from "#schemas/records.ts";
import { RegistryEntry as validateRegistryEntry } from "#schemas/validators.generated.js";
import { keys } from "../data-layout.ts";
import { toDomainRecord } from "./records.ts";

export async function getRegistryEntry(
  db: DynamoDBDocumentClient,
  tableName: string,
  actionType: string,
  registryVersion: number,
): Promise<RegistryEntry | undefined> {
  const { Item } = await db.send(
    new GetCommand({ TableName: tableName, Key: keys.registryEntry(actionType, registryVersion) }),
  );
  return Item
    ? toDomainRecord<RegistryEntry>(Item, validateRegistryEntry, `registry entry ${actionType} v${registryVersion}`)
    : undefined;
}
