// End to end on the local engine: approvals go in through PutEvents, the rendered state machine runs on
// aws-local-stepfunctions, and outcomes are read back from DynamoDB and the gateway's admin view.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DynamoDBDocumentClient, PutCommand, QueryCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, describe, expect, inject, it } from "vitest";
import { keys } from "../../functions/kernel/data-layout.ts";
import { demoIntent } from "../../local/demo-data.ts";
import { startLocalEngine } from "../../local/engine.ts";
import type { ActionIntent } from "../../schemas/records.ts";

const engine = await startLocalEngine({
  dynamodbEndpoint: inject("dynamodbEndpoint"),
  tablePrefix: "e2e",
  retryIntervalMs: 10,
});
afterAll(() => engine.stop());
const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const events = new EventBridgeClient({});

let sequence = 0;
async function approve(intent: Partial<ActionIntent> & Pick<ActionIntent, "action_type">, copies = 1) {
  const stored = demoIntent({
    action_intent_id: `e2e-${++sequence}`,
    tenant_id: "tenant-e2e",
    account_id: "account-1",
    ...intent,
  });
  await engine.storeIntent(stored);
  const detail = JSON.stringify({
    data: { action_intent_id: stored.action_intent_id, tenant_id: stored.tenant_id, account_id: stored.account_id },
  });
  for (let copy = 0; copy < copies; copy++) {
    await events.send(
      new PutEventsCommand({
        Entries: [{ Source: engine.trigger.source, DetailType: engine.trigger.detailType, Detail: detail }],
      }),
    );
  }
  await engine.idle();
  const runs = engine.executions.filter(
    (run) => (run.input as { action_intent_id?: string }).action_intent_id === stored.action_intent_id,
  );
  return { intent: stored, runs };
}

async function recordsOf(table: string, intent: ActionIntent) {
  const { Items } = await db.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": `TENANT#${intent.tenant_id}` },
    }),
  );
  return (Items ?? []).filter(
    (item) =>
      item.action_intent_id === intent.action_intent_id || item.detail?.action_intent_id === intent.action_intent_id,
  );
}

async function outcomeOf(intent: ActionIntent) {
  const [record] = await recordsOf(engine.tables.executions, intent);
  const ledger = await recordsOf(engine.tables.ledger, intent);
  const signals = await recordsOf(engine.tables.signals, intent);
  return { record, ledger, signals };
}

describe("the engine on the rendered state machine", () => {
  it("executes an approved intent once: one object, one ledger entry, one signal", async () => {
    const { intent, runs } = await approve({ action_type: "CREATE_CRM_TASK", parameters: { title: "Renewal" } });

    expect(runs.map((run) => run.status)).toEqual(["SUCCEEDED"]);
    expect(runs[0]?.path).toContain("NoCompensationNeeded");
    const { record, ledger, signals } = await outcomeOf(intent);
    expect(record).toMatchObject({ status: "SUCCEEDED", tool_name: "crm.create_task" });
    expect(record?.raw_response_ref).toMatch(/^s3:\/\/engine-local-artifacts\/tenant-e2e\//);
    expect(ledger).toHaveLength(1);
    expect(signals).toHaveLength(1);
    expect(
      engine.gateway.objects().filter((object) => object.object_id === record?.external_object_refs?.[0]?.object_id),
    ).toHaveLength(1);
  });

  it("runs the same approval sent three times exactly once; the others end in DuplicateIgnored", async () => {
    const objectsBefore = engine.gateway.objects().length;

    const { intent, runs } = await approve({ action_type: "CREATE_INTERNAL_NOTE", parameters: { text: "once" } }, 3);

    expect(runs.map((run) => run.path.at(-1)).sort()).toEqual([
      "ActionSucceeded",
      "DuplicateIgnored",
      "DuplicateIgnored",
    ]);
    expect(engine.gateway.objects().length - objectsBefore).toBe(1);
    expect((await outcomeOf(intent)).ledger).toHaveLength(1);
  });

  it("retries a flaky tool in the state machine until it succeeds, creating one object", async () => {
    const { intent, runs } = await approve({ action_type: "DEMO_FLAKY", parameters: { fail_times: 2 } });

    expect(runs[0]?.status).toBe("SUCCEEDED");
    expect(runs[0]?.transitions.filter((t) => t.event === "retried" && t.state === "InvokeTool")).toHaveLength(2);
    const { record } = await outcomeOf(intent);
    expect(
      engine.gateway.objects().filter((object) => object.object_id === record?.external_object_refs?.[0]?.object_id),
    ).toHaveLength(1);
  });

  it("records RATE_LIMIT when a throttled tool exhausts its retries, and the execution fails", async () => {
    const { intent, runs } = await approve({ action_type: "DEMO_THROTTLED" });

    expect(runs[0]).toMatchObject({ status: "FAILED", error: "ActionFailed" });
    expect(runs[0]?.path.slice(-2)).toEqual(["RecordFailure", "ActionFailed"]);
    expect((await outcomeOf(intent)).record).toMatchObject({ status: "FAILED", error_class: "RATE_LIMIT" });
  });

  it("compensates a write that failed afterwards, and records the failure with compensation COMPLETED", async () => {
    const { intent, runs } = await approve({ action_type: "DEMO_FAIL_AFTER_WRITE" });

    expect(runs[0]?.path).toContain("CompensateAction");
    const { record } = await outcomeOf(intent);
    expect(record).toMatchObject({ status: "FAILED", error_class: "DOWNSTREAM", compensation_status: "COMPLETED" });
    const written = engine.gateway
      .objects()
      .find((object) => object.object_id === record?.external_object_refs?.[0]?.object_id);
    expect(written?.deleted).toBe(true);
  });

  it.each([
    ["a malformed gateway reply", { action_type: "DEMO_MALFORMED" }, "DOWNSTREAM", "PermanentError"],
    [
      "an expired intent",
      { action_type: "CREATE_CRM_TASK", parameters: { title: "x" }, expires_at_epoch: 1 },
      "EXPIRED",
      "IntentExpiredError",
    ],
    [
      "an unknown registry version",
      { action_type: "CREATE_CRM_TASK", parameters: { title: "x" }, registry_version: 99 },
      "VALIDATION",
      "RegistryEntryNotFoundError",
    ],
  ])("records %s as FAILED with its class", async (_case, intent, errorClass, errorCode) => {
    const { intent: stored, runs } = await approve(intent as never);

    expect(runs[0]?.status).toBe("FAILED");
    const { record, ledger, signals } = await outcomeOf(stored);
    expect(record).toMatchObject({ status: "FAILED", error_class: errorClass, error_code: errorCode });
    expect(record?.error_message).toMatch(/^[A-Za-z]/);
    expect([ledger.length, signals.length]).toEqual([1, 1]);
  });

  it("stops a tenant whose kill switch is on before anything external happens", async () => {
    await db.send(
      new PutCommand({
        TableName: engine.tables.controls,
        Item: { ...keys.tenantControls("tenant-halted"), tenant_id: "tenant-halted", kill_switch: true },
      }),
    );
    const callsBefore = engine.gateway.calls().length;

    const { intent } = await approve({
      action_type: "CREATE_CRM_TASK",
      tenant_id: "tenant-halted",
      parameters: { title: "x" },
    });

    expect((await outcomeOf(intent)).record).toMatchObject({ status: "FAILED", error_class: "KILL_SWITCH" });
    expect(engine.gateway.calls()).toHaveLength(callsBefore);
  });

  it("fails a malformed event naming the missing field, recording nothing", async () => {
    const recordsBefore = (await db.send(new ScanCommand({ TableName: engine.tables.executions }))).Count;

    await events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: engine.trigger.source,
            DetailType: engine.trigger.detailType,
            Detail: JSON.stringify({ data: { action_intent_id: "e2e-bad" } }),
          },
        ],
      }),
    );
    await engine.idle();

    const run = engine.executions.find(
      (report) => (report.input as { action_intent_id?: string }).action_intent_id === "e2e-bad",
    );
    expect(run?.status).toBe("FAILED");
    expect(JSON.stringify(run?.transitions)).toContain("tenant_id");
    expect((await db.send(new ScanCommand({ TableName: engine.tables.executions }))).Count).toBe(recordsBefore);
  });

  it("leaves no execution RUNNING", async () => {
    const { Items } = await db.send(new ScanCommand({ TableName: engine.tables.executions }));

    expect(Items?.filter((item) => item.status === "RUNNING")).toEqual([]);
  });
});
