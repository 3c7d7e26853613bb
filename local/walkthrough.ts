// `npm start`: brings the engine up on this machine, sends approved intents through it as the decision
// layer would (PutEvents to the bus), prints every state transition as it happens, then each
// execution's path and what the status API answers for it. Ends by stopping everything it started.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
// The kernel's clients are not imported here: loading them would read Powertools settings before the
// engine has set each function's environment.
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { keys } from "../functions/kernel/data-layout.ts";
import type { ActionIntent } from "../schemas/records.ts";
import { demoIntent } from "./demo-data.ts";
import { startLocalEngine } from "./engine.ts";
import { httpApiEvent, tenantClaims } from "./http-api-event.ts";
import { lambdaContext } from "./lambda-context.ts";

interface Scenario {
  title: string;
  intent: ActionIntent;
  /** How many times the approval is published. */
  approvals?: number;
}

const tenant = "tenant-acme";
const scenarios: Scenario[] = [
  {
    title: "create a CRM task",
    intent: demoIntent({
      action_intent_id: "intent-crm-1",
      tenant_id: tenant,
      account_id: "account-42",
      action_type: "CREATE_CRM_TASK",
      parameters: { title: "Call about the renewal" },
    }),
  },
  {
    title: "the same approval published three times",
    intent: demoIntent({
      action_intent_id: "intent-note-1",
      tenant_id: tenant,
      account_id: "account-42",
      action_type: "CREATE_INTERNAL_NOTE",
      parameters: { text: "Prefers email" },
    }),
    approvals: 3,
  },
  {
    title: "a flaky tool, retried by the state machine",
    intent: demoIntent({
      action_intent_id: "intent-flaky-1",
      tenant_id: tenant,
      account_id: "account-42",
      action_type: "DEMO_FLAKY",
      parameters: { fail_times: 2 },
    }),
  },
  {
    title: "a write that fails afterwards, compensated automatically",
    intent: demoIntent({
      action_intent_id: "intent-compensate-1",
      tenant_id: tenant,
      account_id: "account-42",
      action_type: "DEMO_FAIL_AFTER_WRITE",
    }),
  },
  {
    title: "an intent that expired before it ran",
    intent: demoIntent({
      action_intent_id: "intent-expired-1",
      tenant_id: tenant,
      account_id: "account-42",
      action_type: "CREATE_CRM_TASK",
      parameters: { title: "Too late" },
      expires_at_epoch: Math.floor(Date.now() / 1000) - 60,
    }),
  },
  {
    title: "a tenant whose kill switch is on",
    intent: demoIntent({
      action_intent_id: "intent-blocked-1",
      tenant_id: "tenant-halted",
      account_id: "account-7",
      action_type: "CREATE_CRM_TASK",
      parameters: { title: "Blocked" },
    }),
  },
];

const engine = await startLocalEngine({
  onTransition: (transition, _arn, input) => {
    const intentId = (input as { action_intent_id?: string }).action_intent_id;
    const detail = transition.detail ? ` (${transition.detail})` : "";
    console.log(`  ${intentId}  ${transition.event.padEnd(7)} ${transition.state}${detail}`);
  },
});
let exitCode = 0;
try {
  console.log(
    "Engine up: DynamoDB Local, s3rver, demo MCP gateway",
    engine.gateway.url,
    "event bus",
    engine.bus.endpoint,
  );
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  await db.send(
    new PutCommand({
      TableName: engine.tables.controls,
      Item: {
        ...keys.tenantControls("tenant-halted"),
        tenant_id: "tenant-halted",
        kill_switch: true,
        reason: "incident drill",
      },
    }),
  );
  for (const scenario of scenarios) await engine.storeIntent(scenario.intent);

  const events = new EventBridgeClient({});
  console.log("\nPublishing approvals; transitions as they happen:");
  for (const scenario of scenarios) {
    const { action_intent_id, tenant_id, account_id } = scenario.intent;
    for (let copy = 0; copy < (scenario.approvals ?? 1); copy++) {
      await events.send(
        new PutEventsCommand({
          Entries: [
            {
              Source: engine.trigger.source,
              DetailType: engine.trigger.detailType,
              Detail: JSON.stringify({ data: { action_intent_id, tenant_id, account_id } }),
            },
          ],
        }),
      );
    }
  }
  await engine.idle();

  const { handler: statusApi } = (await import("../functions/status-api/handler.ts")) as {
    handler: (event: unknown, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;
  };
  console.log("\nResults:");
  for (const scenario of scenarios) {
    const { action_intent_id, tenant_id } = scenario.intent;
    const runs = engine.executions.filter(
      (run) => (run.input as { action_intent_id: string }).action_intent_id === action_intent_id,
    );
    console.log(`\n${scenario.title}`);
    for (const run of runs) console.log(`  execution ${run.status.padEnd(9)} ${run.path.join(" -> ")}`);
    const answer = await statusApi(
      httpApiEvent({
        path: `/executions/${action_intent_id}/status`,
        pathParameters: { action_intent_id },
        claims: tenantClaims(tenant_id),
      }),
      lambdaContext("status-api"),
    );
    const body = JSON.parse(answer.body ?? "{}") as Record<string, unknown>;
    const refs = (body.external_object_refs as { system: string; object_id: string }[] | undefined) ?? [];
    console.log(
      `  status API ${answer.statusCode}: ${body.status}` +
        (body.error_class ? ` ${body.error_class} (${body.error_code})` : "") +
        (body.compensation_status && body.compensation_status !== "NONE"
          ? `, compensation ${body.compensation_status}`
          : "") +
        (refs.length ? `, objects ${refs.map((ref) => `${ref.system}:${ref.object_id}`).join(", ")}` : ""),
    );
  }
  const signals = engine.bus.events.filter((event) => event.source !== engine.trigger.source);
  console.log(
    `\n${engine.executions.length} executions, ${signals.length} outcome signals published, ${engine.gateway.objects().length} objects on the gateway.`,
  );
} catch (error) {
  exitCode = 1;
  console.error(error);
} finally {
  await engine.stop();
}
process.exit(exitCode);
