// The action-type registry as operators keep it: entries keyed by (action_type, registry_version), each
// version immutable once written, since intents name the version they were approved against.
import { GetCommand, PutCommand, QueryCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { keys } from "../functions/kernel/data-layout.ts";
import { toDomainRecord } from "../functions/kernel/repositories/records.ts";
import type { RegistryEntry } from "../schemas/records.ts";
import { RegistryEntry as validateRegistryEntry } from "../schemas/validators.generated.js";
import { parseContract } from "./contract-input.ts";
import { OperationError } from "./errors.ts";
import type { Target } from "./target.ts";

const fromItem = (item: Record<string, unknown>) =>
  toDomainRecord<RegistryEntry>(
    item,
    validateRegistryEntry,
    `registry entry ${String(item.action_type)} v${String(item.registry_version)}`,
  );

export const parseRegistryEntry = (text: string, source: string): RegistryEntry =>
  parseContract<RegistryEntry>(text, source, validateRegistryEntry, "registry entry");

export async function listEntries(target: Target): Promise<RegistryEntry[]> {
  const entries: RegistryEntry[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await target.db.send(
      new ScanCommand({ TableName: target.tables.registry, ExclusiveStartKey: startKey }),
    );
    entries.push(...(page.Items ?? []).map(fromItem));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return entries.sort((a, b) => a.action_type.localeCompare(b.action_type) || a.registry_version - b.registry_version);
}

/** The newest version of an action type, or the version asked for; undefined when there is none. */
export async function getEntry(
  target: Target,
  actionType: string,
  version?: number,
): Promise<RegistryEntry | undefined> {
  if (version !== undefined) {
    const { Item } = await target.db.send(
      new GetCommand({
        TableName: target.tables.registry,
        Key: keys.registryEntry(actionType, version),
        ConsistentRead: true,
      }),
    );
    return Item ? fromItem(Item) : undefined;
  }
  const { Items } = await target.db.send(
    new QueryCommand({
      TableName: target.tables.registry,
      KeyConditionExpression: "action_type = :type",
      ExpressionAttributeValues: { ":type": actionType },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  const [item] = Items ?? [];
  return item ? fromItem(item) : undefined;
}

const versionTaken = (entry: RegistryEntry, latest: number) =>
  new OperationError(
    `${entry.action_type} v${entry.registry_version} already exists and versions are immutable: ` +
      `intents approved against it must keep meaning what they meant. Put it as version ${latest + 1}, ` +
      "the next free one, and approve new intents with that registry_version",
  );

/** Refuses a version that exists, naming the next free one. */
export async function assertVersionFree(target: Target, entry: RegistryEntry): Promise<void> {
  const latest = await getEntry(target, entry.action_type);
  if (latest && latest.registry_version >= entry.registry_version) {
    const existing = await getEntry(target, entry.action_type, entry.registry_version);
    if (existing) throw versionTaken(entry, latest.registry_version);
  }
}

/** Writes the entry only where no entry of that version exists, so a race cannot replace one either. */
export async function putEntry(target: Target, entry: RegistryEntry): Promise<void> {
  try {
    await target.db.send(
      new PutCommand({
        TableName: target.tables.registry,
        Item: entry,
        ConditionExpression: "attribute_not_exists(action_type)",
      }),
    );
  } catch (error) {
    if ((error as Error).name !== "ConditionalCheckFailedException") throw error;
    const latest = await getEntry(target, entry.action_type);
    throw versionTaken(entry, latest?.registry_version ?? entry.registry_version);
  }
}
