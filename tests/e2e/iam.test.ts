// Local IAM is enforced, not recorded only: with one statement taken out of one function's role policy
// (the tool invoker's read of the gateway client secret), an execution fails the way it would on AWS,
// with AccessDeniedException from Secrets Manager, and the tool is never called.
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, describe, expect, inject, it } from "vitest";
import { keys } from "../../functions/kernel/data-layout.ts";
import { demoIntent } from "../../local/demo-data.ts";
import { publicClient } from "../../local/demo-scenarios.ts";
import { startLocalEngine } from "../../local/engine.ts";

const droppedStatement = "ReadGatewayClientSecret";
const engine = await startLocalEngine({
  dynamodbEndpoint: inject("dynamodbEndpoint"),
  tablePrefix: "iam-proof",
  stateDirectory: mkdtempSync(join(tmpdir(), "engine-iam-")),
  retryIntervalMs: 10,
  iamPolicy: (functionId, document) =>
    functionId === "tool-invoker"
      ? { ...document, Statement: document.Statement.filter((statement) => statement.Sid !== droppedStatement) }
      : document,
});
afterAll(() => engine.stop());
const client = publicClient(engine);

describe("a role policy without one statement", () => {
  it("fails the execution with AccessDeniedException where AWS would refuse the call", async () => {
    const intent = demoIntent({
      action_intent_id: `intent-${randomUUID().slice(0, 8)}`,
      tenant_id: "tenant-iam",
      account_id: "account-iam",
      action_type: "CREATE_INTERNAL_NOTE",
      parameters: { text: "never written" },
    });
    await client.storeIntent(intent);

    await client.approve(intent);
    await engine.idle();

    const [run] = engine.executions.filter(
      (report) => (report.input as { action_intent_id?: string }).action_intent_id === intent.action_intent_id,
    );
    const { Item: record } = await client.db.send(
      new GetCommand({
        TableName: client.tables.executions,
        Key: keys.execution(intent.tenant_id, intent.action_intent_id),
      }),
    );
    const refused = engine.iam.decisions.filter((decision) => decision.result !== "Allowed");

    expect(engine.iam.identity("tool-invoker")?.policy.Statement.map((statement) => statement.Sid)).not.toContain(
      droppedStatement,
    );
    expect(run?.status).toBe("FAILED");
    expect(run?.path).toContain("InvokeTool");
    expect(record?.status).toBe("FAILED");
    expect(String(record?.error_message)).toMatch(/AccessDeniedException/);
    expect(refused).toEqual([
      expect.objectContaining({
        functionId: "tool-invoker",
        action: "secretsmanager:GetSecretValue",
        resource: expect.stringMatching(/:secret:engine-local\/gateway-client-secret-[A-Za-z0-9]{6}$/),
        result: "ImplicitlyDenied",
      }),
    ]);
    expect(engine.gateway.calls().filter((call) => call.arguments.text === "never written")).toEqual([]);
  });
});
