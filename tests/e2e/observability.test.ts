// Observability end to end: the stack's alarms evaluated over the metrics the functions really emitted
// (EMF on stdout), the X-Ray traces of real executions, and the functions' log lines.

import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it, vi } from "vitest";
import { demoIntent } from "../../local/demo-data.ts";
import { publicClient } from "../../local/demo-scenarios.ts";
import { startLocalEngine } from "../../local/engine.ts";
import { descendants, tracesOfIntent, traceTree } from "../../local/trace-tree.ts";
import type { ActionIntent } from "../../schemas/records.ts";

const engine = await startLocalEngine({
  dynamodbEndpoint: inject("dynamodbEndpoint"),
  tablePrefix: "observability",
  stateDirectory: mkdtempSync(join(tmpdir(), "engine-observability-")),
  retryIntervalMs: 10,
  logLevel: "INFO",
  // Thresholds a handful of executions can cross; the alarms themselves are the stack's.
  configOverrides: {
    alarmFailedExecutionsThreshold: "3",
    alarmDurationThresholdMs: "1500",
    alarmThrottleThreshold: "1",
  },
});
afterAll(() => engine.stop());
const client = publicClient(engine);

async function run(fields: Partial<ActionIntent> & Pick<ActionIntent, "action_type">): Promise<ActionIntent> {
  const intent = demoIntent({
    action_intent_id: `intent-${randomUUID().slice(0, 8)}`,
    tenant_id: "tenant-obs",
    account_id: "account-obs",
    ...fields,
  });
  await client.storeAndApprove(intent);
  await engine.idle();
  return intent;
}

const stateOf = (id: string) => engine.evaluateAlarms().find((alarm) => alarm.id === id)?.state;
const alarmStates = () => Object.fromEntries(engine.evaluateAlarms().map((alarm) => [alarm.id, alarm.state]));

describe("alarms over the metrics the functions emit", () => {
  it("leaves failure, duration and throttle alarms OK after a happy execution", async () => {
    await run({ action_type: "CREATE_CRM_TASK", parameters: { title: "Renewal" } });

    expect(alarmStates()).toMatchObject({ "failed-executions": "OK", "execution-duration": "OK", throttles: "OK" });
  });

  it("raises the duration alarm once an execution runs past the threshold", async () => {
    // Two executions so far: their p90 is the slower one.
    await run({ action_type: "DEMO_SLOW", parameters: { delay_ms: 1800 } });

    expect(stateOf("execution-duration")).toBe("ALARM");
  });

  it("raises the failure alarm at the third failed execution, and not before", async () => {
    await run({ action_type: "CREATE_CRM_TASK", parameters: { title: "late" }, expires_at_epoch: 1 });
    await run({ action_type: "CREATE_CRM_TASK", parameters: { title: "late" }, expires_at_epoch: 1 });
    const beforeThird = stateOf("failed-executions");

    await run({ action_type: "CREATE_CRM_TASK", parameters: { title: "late" }, expires_at_epoch: 1 });

    expect(beforeThird).toBe("OK");
    expect(stateOf("failed-executions")).toBe("ALARM");
  });

  it("counts the status API's answers the way API Gateway does, for the 5xx alarm", async () => {
    const intent = await run({ action_type: "CREATE_INTERNAL_NOTE", parameters: { text: "read" } });

    const answer = await client.status(intent);

    expect(answer.httpStatus).toBe(200);
    const counted = engine.telemetry.datapoints.filter(
      (point) => point.namespace === "AWS/ApiGateway" && point.metricName === "Count",
    );
    expect(counted.length).toBeGreaterThan(0);
    expect(engine.evaluateAlarms().find((alarm) => alarm.id === "api-5xx")?.reason).toMatch(/values: 0\)/);
  });

  it("raises the throttle alarm when the gateway throttles a tool", async () => {
    expect(stateOf("throttles")).toBe("OK");

    await run({ action_type: "DEMO_THROTTLED" });

    expect(stateOf("throttles")).toBe("ALARM");
  });
});

describe("traces", () => {
  it("give a happy execution one segment per Lambda state, each with an annotated handler subsegment", async () => {
    const intent = await run({ action_type: "CREATE_INTERNAL_NOTE", parameters: { text: "traced" } });
    const [traceId] = tracesOfIntent(engine.telemetry.documents, intent.action_intent_id);
    const lambdasOf = () =>
      (traceTree(engine.telemetry.documents, traceId ?? "")?.children ?? []).filter(
        (node) => node.document.origin === "AWS::Lambda::Function",
      );
    // The functions' X-Ray SDK sends its subsegments over UDP, so the last ones may still be on their way.
    await vi.waitFor(() => expect(lambdasOf().every((node) => node.children.length > 0)).toBe(true));

    const lambdas = lambdasOf();
    expect(lambdas.map((node) => node.document.annotations?.state)).toEqual([
      "StartExecution",
      "ValidatePreflight",
      "MapActionToTool",
      "InvokeTool",
      "RecordOutcome",
    ]);
    for (const lambda of lambdas) {
      const handler = lambda.children.find((child) => child.document.name === "## index.handler");
      expect(handler?.document.annotations, String(lambda.document.annotations?.state)).toMatchObject({
        action_intent_id: intent.action_intent_id,
        tenant_id: "tenant-obs",
        execution_trace_id: expect.any(String),
      });
    }
    // The SDK's calls nest under the handler subsegment: the X-Ray context follows every await.
    const starter = lambdas.find((node) => node.document.annotations?.state === "StartExecution");
    const starterHandler = starter?.children.find((child) => child.document.name === "## index.handler");
    const dynamoCalls = starterHandler?.children.filter((child) => child.document.name === "DynamoDB") ?? [];
    expect(dynamoCalls.length).toBeGreaterThan(0);
    // The X-Ray SDK still records the parameters it keeps for DynamoDB, such as the table.
    expect((dynamoCalls[0]?.document.aws as { table_name?: string } | undefined)?.table_name).toMatch(/intents/);
    const invoker = lambdas.find((node) => node.document.annotations?.state === "InvokeTool");
    expect(invoker?.children[0]?.document.annotations?.tool_name).toBe("internal.create_note");
    expect(descendants(invoker as never).some((node) => node.document.name === "S3")).toBe(true);
  });

  it("mark the failing segment of a failed execution", async () => {
    const intent = await run({ action_type: "CREATE_CRM_TASK", parameters: { title: "late" }, expires_at_epoch: 1 });
    const [traceId] = tracesOfIntent(engine.telemetry.documents, intent.action_intent_id);
    const validatorOf = () =>
      traceTree(engine.telemetry.documents, traceId ?? "")?.children.find(
        (node) => node.document.annotations?.state === "ValidatePreflight",
      );
    await vi.waitFor(() => expect(validatorOf()?.children.length).toBeGreaterThan(0));
    const root = traceTree(engine.telemetry.documents, traceId ?? "");

    const validator = validatorOf();
    expect(validator?.document.fault).toBe(true);
    expect(
      descendants(validator as never).some(
        (node) => node.document.name === "## index.handler" && (node.document.fault || node.document.error),
      ),
    ).toBe(true);
    expect(root?.document.error).toBe(true);
  });
});

describe("logs", () => {
  const lines = () =>
    engine.telemetry.logs
      .map(({ line }) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          return undefined;
        }
      })
      .filter((record): record is Record<string, unknown> => record !== undefined && "level" in record);

  it("carry the intent, tenant and execution trace id on every line an execution writes", async () => {
    // A duplicate approval is logged (at INFO) by StartExecution; so is a replayed recording.
    const intent = await run({ action_type: "CREATE_INTERNAL_NOTE", parameters: { text: "logged" } });
    await client.approve({
      action_intent_id: intent.action_intent_id,
      tenant_id: intent.tenant_id,
      account_id: intent.account_id,
    });
    await engine.idle();

    const executionLines = lines().filter(
      (record) => record.function_name !== "status-api" && record.service !== "status-api",
    );

    expect(executionLines.length).toBeGreaterThan(0);
    for (const record of executionLines) {
      expect(record, String(record.message)).toMatchObject({
        action_intent_id: expect.any(String),
        tenant_id: expect.any(String),
        execution_trace_id: expect.any(String),
      });
    }
  });

  it("never print a token or the gateway's client secret", () => {
    const everything = engine.telemetry.logs.map(({ line }) => line).join("\n");

    expect(everything).not.toContain(engine.gateway.clientSecret);
    expect(everything).not.toMatch(/Bearer\s+eyJ/);
    expect(everything).not.toMatch(/"access_token"/);
  });
});
