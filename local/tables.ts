// Creates the engine's tables on a DynamoDB endpoint exactly as the data layout (and so the infra) declares them.
import {
  type AttributeDefinition,
  CreateTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { type TableLayout, type TableName, tables } from "../functions/kernel/data-layout.ts";

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
    layout.sortKey,
    ...layout.globalIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
  const unique = new Map(keys.map((key) => [key.name, key.type]));
  return [...unique].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }));
}

export async function createTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  await Promise.all(
    (Object.entries(tables) as [TableName, TableLayout][]).map(async ([table, layout]) => {
      await client.send(
        new CreateTableCommand({
          TableName: names[table],
          BillingMode: "PAY_PER_REQUEST",
          AttributeDefinitions: attributeDefinitions(layout),
          KeySchema: [
            { AttributeName: layout.partitionKey.name, KeyType: "HASH" },
            { AttributeName: layout.sortKey.name, KeyType: "RANGE" },
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
            TableName: names[table],
            TimeToLiveSpecification: { AttributeName: layout.ttlAttribute, Enabled: true },
          }),
        );
      }
    }),
  );
}
