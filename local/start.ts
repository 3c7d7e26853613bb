// `npm start`: the engine on this machine until Ctrl-C. Prints its endpoints (also written to
// .local/endpoints.json), runs one demo intent through it, and prints every state transition.
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { demoIntent } from "./demo-data.ts";
import { type LocalEngine, startLocalEngine } from "./engine.ts";
import { localPorts, portsFromEnv } from "./ports.ts";

const started = Date.now();
let engine: LocalEngine;
try {
  engine = await startLocalEngine({
    ports: portsFromEnv(),
    onTransition: (transition, _arn, input) => {
      const intentId = (input as { action_intent_id?: unknown }).action_intent_id;
      const detail = transition.detail ? `  ${transition.detail}` : "";
      console.log(
        `${new Date().toISOString().slice(11, 23)}  ${String(intentId).padEnd(24)} ${transition.event.padEnd(8)}${transition.state}${detail}`,
      );
    },
    onExecutionEnd: (report) => {
      const intentId = (report.input as { action_intent_id?: unknown }).action_intent_id;
      console.log(
        `${new Date().toISOString().slice(11, 23)}  ${String(intentId).padEnd(24)} ${report.status === "SUCCEEDED" ? "ended   " : "failed  "}${report.status}${report.error ? ` (${report.error})` : ""}`,
      );
    },
  });
} catch (error) {
  console.error(`The engine could not start: ${(error as Error).message}`);
  process.exit(1);
}

const { endpoints } = engine;
console.log(`Engine up in ${((Date.now() - started) / 1000).toFixed(1)} s. Endpoints (also in .local/endpoints.json):
  status API (JWT)   ${endpoints.httpApi.url}   token: npm run -s token -- --tenant tenant-demo
  EventBridge        ${endpoints.eventBridge.endpoint}   bus ${endpoints.eventBridge.busName}
  DynamoDB Local     ${endpoints.dynamodb.endpoint}   tables ${Object.values(endpoints.dynamodb.tables).join(", ")}
  S3 (s3rver)        ${endpoints.s3.endpoint}   bucket ${endpoints.s3.bucket}
  MCP gateway        ${endpoints.gateway.url}   admin ${endpoints.gateway.admin}/objects, /calls
Ports: ${Object.values(localPorts)
  .map((port) => port.env)
  .join(", ")} (0 = any free port).
Store an intent with \`npm run intent -- <file.json>\`, then approve it:
  aws events put-events --endpoint-url ${endpoints.eventBridge.endpoint} --region ${endpoints.region} --entries '[{"Source":"${endpoints.eventBridge.source}","DetailType":"${endpoints.eventBridge.detailType}","EventBusName":"${endpoints.eventBridge.busName}","Detail":"{\\"data\\":{\\"action_intent_id\\":\\"<id>\\",\\"tenant_id\\":\\"<tenant>\\",\\"account_id\\":\\"<account>\\"}}"}]'
Ctrl-C stops everything.
`);

const intent = demoIntent({
  action_intent_id: `intent-demo-${started}`,
  tenant_id: "tenant-demo",
  account_id: "account-demo",
  action_type: "CREATE_CRM_TASK",
  parameters: { title: "Follow up on the renewal" },
});
await engine.storeIntent(intent);
await new EventBridgeClient({
  endpoint: endpoints.eventBridge.endpoint,
  region: endpoints.region,
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
}).send(
  new PutEventsCommand({
    Entries: [
      {
        Source: endpoints.eventBridge.source,
        DetailType: endpoints.eventBridge.detailType,
        EventBusName: endpoints.eventBridge.busName,
        Detail: JSON.stringify({
          data: {
            action_intent_id: intent.action_intent_id,
            tenant_id: intent.tenant_id,
            account_id: intent.account_id,
          },
        }),
      },
    ],
  }),
);
console.log(
  `Approved demo intent ${intent.action_intent_id}; its status: curl -H "Authorization: Bearer $(npm run -s token -- --tenant ${intent.tenant_id})" ${endpoints.httpApi.url}/executions/${intent.action_intent_id}/status\n`,
);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log("\nStopping...");
  await engine.stop();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
