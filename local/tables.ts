// Creates the engine's tables on a DynamoDB endpoint exactly as the data layout (and so the infra) declares them.
import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  type TableDescription,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { type TableLayout, type TableName, tables } from "../functions/kernel/data-layout.ts";
import { CorruptStateError } from "./start-errors.ts";

export type TableNames = Record<TableName, string>;

export function tableNamesFor(prefix: string): TableNames {
  return Object.fromEntries(Object.keys(tables).map((table) => [table, `${prefix}-${table}`])) as TableNames;
}

/** The environment variables through which functions learn the physical table names. */
export function tableEnvironment(names: TableNames): Record<string, string> {
  return Object.fromEntries(
    Object.entries(tables).map(([table, layout]) => [layout.envVar, names[table as TableName]]),
  );
}

function attributeDefinitions(layout: TableLayout): AttributeDefinition[] {
  const keys = [
    layout.partitionKey,
    ...(layout.sortKey ? [layout.sortKey] : []),
    ...layout.globalIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
  const unique = new Map(keys.map((key) => [key.name, key.type]));
  return [...unique].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }));
}

export async function createTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  await Promise.all(
    (Object.entries(tables) as [TableName, TableLayout][]).map(([table, layout]) =>
      createTable(client, names[table], layout),
    ),
  );
}

/**
 * Creates the tables that do not exist yet and leaves the others as they are, items included, as a restart
 * on kept state needs. A kept table whose keys or indexes are not the data layout's fails, naming it.
 */
export async function createMissingTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  await Promise.all(
    (Object.entries(tables) as [TableName, TableLayout][]).map(async ([table, layout]) => {
      let existing: TableDescription | undefined;
      try {
        ({ Table: existing } = await client.send(new DescribeTableCommand({ TableName: names[table] })));
      } catch (error) {
        if ((error as { name?: unknown }).name !== "ResourceNotFoundException") throw error;
      }
      if (!existing) return createTable(client, names[table], layout);
      const expected = layoutSignature(layout);
      const found = tableSignature(existing);
      if (found !== expected) {
        throw new CorruptStateError(
          `the kept table ${names[table]} has ${found}, but the data layout declares ${expected}: start on empty state (npm start -- --fresh) to create it anew`,
        );
      }
    }),
  );
}

/** Keys and global indexes, in one comparable line. */
function layoutSignature(layout: TableLayout): string {
  const indexes = layout.globalIndexes.map(
    (index) => `${index.name}(${index.partitionKey.name},${index.sortKey.name})`,
  );
  return `keys (${layout.partitionKey.name},${layout.sortKey?.name ?? ""}) and indexes [${indexes.sort().join(" ")}]`;
}

function tableSignature(table: TableDescription): string {
  const keysOf = (schema: TableDescription["KeySchema"]) =>
    ["HASH", "RANGE"].map((type) => schema?.find((key) => key.KeyType === type)?.AttributeName ?? "").join(",");
  const indexes = (table.GlobalSecondaryIndexes ?? []).map((index) => `${index.IndexName}(${keysOf(index.KeySchema)})`);
  return `keys (${keysOf(table.KeySchema)}) and indexes [${indexes.sort().join(" ")}]`;
}

async function createTable(client: DynamoDBClient, tableName: string, layout: TableLayout): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: attributeDefinitions(layout),
      KeySchema: [
        { AttributeName: layout.partitionKey.name, KeyType: "HASH" },
        ...(layout.sortKey ? [{ AttributeName: layout.sortKey.name, KeyType: "RANGE" as const }] : []),
      ],
      GlobalSecondaryIndexes: layout.globalIndexes.length
        ? layout.globalIndexes.map((index) => ({
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey.name, KeyType: "HASH" },
              { AttributeName: index.sortKey.name, KeyType: "RANGE" },
            ],
            Projection: { ProjectionType: "ALL" },
          }))
        : undefined,
    }),
  );
  if (layout.ttlAttribute) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: layout.ttlAttribute, Enabled: true },
      }),
    );
  }
}
