// The scenarios `npm run demo` runs and the end-to-end tests assert: each drives the engine only as its
// users would (PutEvents, the status API with a token, DynamoDB for intents and controls, the gateway's
// admin view) and reports what it saw and what was not as it should be.
import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { keys } from "../functions/kernel/data-layout.ts";
import { idempotencyKeyFor } from "../functions/kernel/idempotency.ts";
import type { ActionIntent } from "../schemas/records.ts";
import { demoIntent } from "./demo-data.ts";
import type { LocalEngine } from "./engine.ts";
import { loadSigningKey, mintToken } from "./jwt.ts";
import type { ExecutionReport } from "./state-machine.ts";

type IntentKey = Pick<ActionIntent, "action_intent_id" | "tenant_id" | "account_id">;

export interface StatusAnswer {
  httpStatus: number;
  body: Record<string, unknown>;
}

/** What a user of the engine has: the bus, the status API, the tables upstream writes, the gateway's admin view. */
export function publicClient(engine: LocalEngine) {
  const { endpoints } = engine;
  const credentials = { accessKeyId: "local", secretAccessKey: "local" };
  const events = new EventBridgeClient({
    endpoint: endpoints.eventBridge.endpoint,
    region: endpoints.region,
    credentials,
  });
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: endpoints.dynamodb.endpoint, region: endpoints.region, credentials }),
  );
  const signingKey = loadSigningKey(endpoints.httpApi.signingKeyFile);
  const { tables } = endpoints.dynamodb;

  return {
    db,
    tables,
    async publish(detailType: string, detail: unknown) {
      await events.send(
        new PutEventsCommand({
          Entries: [
            {
              Source: endpoints.eventBridge.source,
              DetailType: detailType,
              EventBusName: endpoints.eventBridge.busName,
              Detail: JSON.stringify(detail),
            },
          ],
        }),
      );
    },
    approve(key: Partial<IntentKey>) {
      return this.publish(endpoints.eventBridge.detailType, { data: key });
    },
    /** Stores an intent as the decision layer does, then approves it once with its key. */
    async storeAndApprove(intent: ActionIntent) {
      await this.storeIntent(intent);
      const { action_intent_id, tenant_id, account_id } = intent;
      await this.approve({ action_intent_id, tenant_id, account_id });
    },
    storeIntent: (intent: ActionIntent) =>
      db.send(
        new PutCommand({
          TableName: tables.intents,
          Item: { ...keys.intent(intent.tenant_id, intent.action_intent_id), ...intent },
        }),
      ),
    setTenantKillSwitch: (tenantId: string, on: boolean) =>
      db.send(
        new PutCommand({
          TableName: tables.controls,
          Item: { ...keys.tenantControls(tenantId), tenant_id: tenantId, kill_switch: on, reason: "demo" },
        }),
      ),
    async token(tenantId: string) {
      return mintToken(signingKey, {
        tenantId,
        tenantClaim: endpoints.httpApi.tenantClaim,
        issuer: endpoints.httpApi.issuer,
        clientId: endpoints.httpApi.audience[0] as string,
      });
    },
    async get(path: string, tenantId: string): Promise<StatusAnswer> {
      const response = await fetch(`${endpoints.httpApi.url}${path}`, {
        headers: { authorization: `Bearer ${await this.token(tenantId)}` },
      });
      return { httpStatus: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    status(key: IntentKey, asTenant = key.tenant_id) {
      return this.get(`/executions/${key.action_intent_id}/status?account_id=${key.account_id}`, asTenant);
    },
    async gatewayObjects(): Promise<{ object_id: string; idempotency_key: string; deleted: boolean }[]> {
      const response = await fetch(`${endpoints.gateway.admin}/objects`);
      return (
        (await response.json()) as { objects: { object_id: string; idempotency_key: string; deleted: boolean }[] }
      ).objects;
    },
  };
}

export type PublicClient = ReturnType<typeof publicClient>;

export interface ScenarioResult {
  name: string;
  intent?: IntentKey;
  runs: ExecutionReport[];
  status?: StatusAnswer;
  problems: string[];
}

interface Expectation {
  /** How each execution of the scenario ends, in any order. */
  ends: string[];
  status?: string;
  errorClass?: string;
  compensation?: string;
  /** Objects the gateway holds for this intent afterwards (live ones). */
  liveObjects?: number;
}

function check(result: Omit<ScenarioResult, "problems">, expected: Expectation, liveObjects: number): string[] {
  const problems: string[] = [];
  const ends = result.runs.map((run) => run.path.at(-1) ?? "(no state)").sort();
  if (JSON.stringify(ends) !== JSON.stringify([...expected.ends].sort())) {
    problems.push(`executions ended in ${ends.join(", ") || "nothing"}, expected ${expected.ends.join(", ")}`);
  }
  const body = result.status?.body ?? {};
  if (expected.status && body.status !== expected.status)
    problems.push(`status API says ${String(body.status)}, expected ${expected.status}`);
  if (expected.errorClass && body.error_class !== expected.errorClass) {
    problems.push(`error class ${String(body.error_class)}, expected ${expected.errorClass}`);
  }
  if (expected.compensation && body.compensation_status !== expected.compensation) {
    problems.push(`compensation ${String(body.compensation_status)}, expected ${expected.compensation}`);
  }
  if (expected.liveObjects !== undefined && liveObjects !== expected.liveObjects) {
    problems.push(`${liveObjects} live objects on the gateway, expected ${expected.liveObjects}`);
  }
  return problems;
}

export interface Scenario {
  name: string;
  run(engine: LocalEngine, client: PublicClient): Promise<ScenarioResult>;
}

const tenant = "tenant-demo";

/** Stores an intent, approves it `approvals` times, waits for the engine, and reads the result back. */
function approvalScenario(
  name: string,
  fields: Partial<ActionIntent> & Pick<ActionIntent, "action_type">,
  expected: Expectation,
  options: {
    approvals?: number;
    before?: (engine: LocalEngine, client: PublicClient, intent: ActionIntent) => Promise<void>;
    after?: (engine: LocalEngine) => Promise<void>;
  } = {},
): Scenario {
  return {
    name,
    async run(engine, client) {
      const intent = demoIntent({
        action_intent_id: `intent-${randomUUID().slice(0, 8)}`,
        tenant_id: tenant,
        account_id: "account-demo",
        ...fields,
      });
      await client.storeIntent(intent);
      await options.before?.(engine, client, intent);
      const key = {
        action_intent_id: intent.action_intent_id,
        tenant_id: intent.tenant_id,
        account_id: intent.account_id,
      };
      for (let copy = 0; copy < (options.approvals ?? 1); copy++) await client.approve(key);
      await engine.idle();
      await options.after?.(engine);
      const runs = engine.executions.filter(
        (run) => (run.input as IntentKey).action_intent_id === intent.action_intent_id,
      );
      const status = await client.status(key);
      const ours = idempotencyKeyFor(key.tenant_id, key.action_intent_id);
      const liveObjects = (await client.gatewayObjects()).filter(
        (object) => object.idempotency_key === ours && !object.deleted,
      ).length;
      const result = { name, intent: key, runs, status };
      return { ...result, problems: check(result, expected, liveObjects) };
    },
  };
}

export const demoScenarios: Scenario[] = [
  approvalScenario(
    "create a CRM task",
    { action_type: "CREATE_CRM_TASK", parameters: { title: "Call about the renewal" } },
    {
      ends: ["RecordOutcome"],
      status: "SUCCEEDED",
      liveObjects: 1,
    },
  ),
  approvalScenario(
    "create a calendar event",
    { action_type: "CREATE_CALENDAR_EVENT", parameters: { title: "Quarterly review", start: "2026-12-01T10:00:00Z" } },
    { ends: ["RecordOutcome"], status: "SUCCEEDED", liveObjects: 1 },
  ),
  approvalScenario(
    "create an internal note",
    { action_type: "CREATE_INTERNAL_NOTE", parameters: { text: "Prefers email" } },
    {
      ends: ["RecordOutcome"],
      status: "SUCCEEDED",
      liveObjects: 1,
    },
  ),
  approvalScenario(
    "the same approval sent three times",
    { action_type: "CREATE_INTERNAL_NOTE", parameters: { text: "Only once" } },
    { ends: ["RecordOutcome", "DuplicateIgnored", "DuplicateIgnored"], status: "SUCCEEDED", liveObjects: 1 },
    { approvals: 3 },
  ),
  approvalScenario(
    "the global kill switch is on",
    { action_type: "CREATE_CRM_TASK", parameters: { title: "Blocked" } },
    { ends: ["ActionFailed"], status: "FAILED", errorClass: "KILL_SWITCH", liveObjects: 0 },
    { before: (engine) => engine.setGlobalKillSwitch(true), after: (engine) => engine.setGlobalKillSwitch(false) },
  ),
  approvalScenario(
    "the tenant's kill switch is on",
    { action_type: "CREATE_CRM_TASK", tenant_id: "tenant-halted", parameters: { title: "Blocked" } },
    { ends: ["ActionFailed"], status: "FAILED", errorClass: "KILL_SWITCH", liveObjects: 0 },
    { before: (_engine, client) => client.setTenantKillSwitch("tenant-halted", true).then(() => undefined) },
  ),
  approvalScenario(
    "an intent that expired before it ran",
    {
      action_type: "CREATE_CRM_TASK",
      parameters: { title: "Too late" },
      expires_at_epoch: Math.floor(Date.now() / 1000) - 60,
    },
    { ends: ["ActionFailed"], status: "EXPIRED", errorClass: "EXPIRED", liveObjects: 0 },
  ),
  approvalScenario(
    "an unknown registry version",
    { action_type: "CREATE_CRM_TASK", parameters: { title: "x" }, registry_version: 99 },
    { ends: ["ActionFailed"], status: "FAILED", errorClass: "VALIDATION", liveObjects: 0 },
  ),
  approvalScenario(
    "a flaky tool, retried by the state machine",
    { action_type: "DEMO_FLAKY", parameters: { fail_times: 2 } },
    {
      ends: ["RecordOutcome"],
      status: "SUCCEEDED",
      liveObjects: 1,
    },
  ),
  approvalScenario(
    "a throttled tool, retried until the retries run out",
    { action_type: "DEMO_THROTTLED" },
    {
      ends: ["ActionFailed"],
      status: "FAILED",
      errorClass: "RATE_LIMIT",
      liveObjects: 0,
    },
  ),
  approvalScenario(
    "a write that fails afterwards, compensated",
    { action_type: "DEMO_FAIL_AFTER_WRITE" },
    {
      ends: ["ActionFailed"],
      status: "FAILED",
      errorClass: "DOWNSTREAM",
      compensation: "COMPLETED",
      liveObjects: 0,
    },
  ),
  approvalScenario(
    "a gateway reply that is not MCP",
    { action_type: "DEMO_MALFORMED" },
    {
      ends: ["ActionFailed"],
      status: "FAILED",
      errorClass: "DOWNSTREAM",
      liveObjects: 0,
    },
  ),
  {
    name: "a malformed event (no tenant_id)",
    async run(engine, client) {
      const before = engine.executions.length;
      await client.approve({ action_intent_id: `intent-${randomUUID().slice(0, 8)}`, account_id: "account-demo" });
      await engine.idle();
      const runs = engine.executions.slice(before);
      const problems =
        runs.length === 1 && runs[0]?.status === "FAILED"
          ? []
          : [`expected one FAILED execution, saw ${runs.map((run) => run.status).join(", ") || "none"}`];
      if (!runs[0]?.transitions.some((transition) => transition.detail?.includes("tenant_id")))
        problems.push("the failure does not name tenant_id");
      return { name: "a malformed event (no tenant_id)", runs, problems };
    },
  },
];
