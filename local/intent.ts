// `npm run intent -- <file.json | ->`: checks an action intent against its contract and stores it in the
// running engine's intents table, as the decision layer would; then says how to approve it.
import { readFileSync } from "node:fs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { keys } from "../functions/kernel/data-layout.ts";
import { describeSchemaErrors } from "../functions/kernel/errors.ts";
import type { ActionIntent } from "../schemas/records.ts";
import { ActionIntent as validateActionIntent } from "../schemas/validators.generated.js";
import { readEndpoints } from "./endpoints-file.ts";

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

const source = process.argv[2];
if (!source) fail("usage: npm run intent -- <file.json | ->   (an action intent; - reads standard input)");

let intent: unknown;
try {
  intent = JSON.parse(source === "-" ? readFileSync(0, "utf8") : readFileSync(source, "utf8"));
} catch (error) {
  fail(
    `could not read an action intent from ${source === "-" ? "standard input" : source}: ${(error as Error).message}`,
  );
}
if (!validateActionIntent(intent)) {
  fail(`not a valid action intent: ${describeSchemaErrors(validateActionIntent.errors)}`);
}
const valid = intent as ActionIntent;

let endpoints: ReturnType<typeof readEndpoints>;
try {
  endpoints = readEndpoints();
} catch (error) {
  fail((error as Error).message);
}
const db = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    endpoint: endpoints.dynamodb.endpoint,
    region: endpoints.region,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  }),
);
await db.send(
  new PutCommand({
    TableName: endpoints.dynamodb.tables.intents,
    Item: { ...keys.intent(valid.tenant_id, valid.action_intent_id), ...valid },
  }),
);
const detail = JSON.stringify({
  data: { action_intent_id: valid.action_intent_id, tenant_id: valid.tenant_id, account_id: valid.account_id },
});
console.log(`Stored intent ${valid.action_intent_id} for tenant ${valid.tenant_id}. Approve it:
  aws events put-events --endpoint-url ${endpoints.eventBridge.endpoint} --region ${endpoints.region} --entries '${JSON.stringify(
    [
      {
        Source: endpoints.eventBridge.source,
        DetailType: endpoints.eventBridge.detailType,
        EventBusName: endpoints.eventBridge.busName,
        Detail: detail,
      },
    ],
  )}'`);
