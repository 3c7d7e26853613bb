// Starts the shared engines once per test run: DynamoDB Local with the engine's tables.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { TestProject } from "vitest/node";
import { startDynamoDbLocal } from "../../local/dynamodb-local.ts";
import { createTables, tableNamesFor } from "../../local/tables.ts";
import { localCredentials, localRegion } from "./local-aws.ts";

declare module "vitest" {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    tablePrefix: string;
  }
}

export default async function setup(project: TestProject) {
  const dynamodb = await startDynamoDbLocal();
  const tablePrefix = "test";
  const client = new DynamoDBClient({
    endpoint: dynamodb.endpoint,
    region: localRegion,
    credentials: localCredentials,
  });
  await createTables(client, tableNamesFor(tablePrefix));
  client.destroy();
  project.provide("dynamodbEndpoint", dynamodb.endpoint);
  project.provide("tablePrefix", tablePrefix);
  return () => dynamodb.stop();
}
