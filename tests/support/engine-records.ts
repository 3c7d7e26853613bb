// What an end-to-end test reads back from a local engine after an execution: the items one intent left in a
// tenant-keyed table, and the report of the execution that ran for it.
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { PublicClient } from "../../local/demo-scenarios.ts";
import type { LocalEngine } from "../../local/engine.ts";

/** The items of one intent in a table keyed `TENANT#<tenant>` / `...#<intent>...`. */
export async function itemsOf(client: PublicClient, table: string, tenantId: string, actionIntentId: string) {
  const { Items } = await client.db.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": `TENANT#${tenantId}` },
    }),
  );
  return (Items ?? []).filter((item) => String(item.sk).includes(`#${actionIntentId}`));
}

/** The report of the (ended) execution started for an intent. */
export const executionOf = (engine: LocalEngine, actionIntentId: string) =>
  engine.executions.find(
    (report) => (report.input as { action_intent_id?: string }).action_intent_id === actionIntentId,
  );
