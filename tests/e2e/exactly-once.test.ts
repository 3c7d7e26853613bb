// The tool-invoker task run twice within one execution, on the local engine, against a gateway that does
// NOT deduplicate idempotency keys: Lambda reports a service error after the first run had called the tool,
// and the definition's Retry on Lambda.ServiceException runs the task again, as Step Functions does
// (https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html). The engine's own
// idempotency record must keep it to one tool call, one outcome, one ledger entry and one signal record.
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { demoIntent } from "../../local/demo-data.ts";
import { publicClient } from "../../local/demo-scenarios.ts";
import { startLocalEngine } from "../../local/engine.ts";
import { executionOf, itemsOf } from "../support/engine-records.ts";

/** Lambda's name for a service-side failure, which the state machine's Retry matches. */
function lambdaServiceException(): Error {
  const error = new Error("Lambda reported a service error after the function had run");
  error.name = "Lambda.ServiceException";
  return error;
}

let invokerRuns = 0;
const engine = await startLocalEngine({
  dynamodbEndpoint: inject("dynamodbEndpoint"),
  tablePrefix: `e2e-once-${randomUUID().slice(0, 8)}`,
  stateDirectory: mkdtempSync(join(tmpdir(), "engine-exactly-once-")),
  retryIntervalMs: 10,
  gateway: { mode: "stateless", response: "json", deduplicate: false },
  lambdaServiceError: (functionId) => {
    if (functionId !== "tool-invoker") return undefined;
    invokerRuns += 1;
    return invokerRuns === 1 ? lambdaServiceException() : undefined;
  },
});
afterAll(() => engine.stop());
const client = publicClient(engine);

describe("a tool-invoker task that runs twice in one execution", () => {
  it("calls the tool once and records one outcome, one ledger entry and one signal", async () => {
    const title = `Exactly once ${randomUUID().slice(0, 8)}`;
    const intent = demoIntent({
      action_intent_id: `intent-${randomUUID().slice(0, 8)}`,
      tenant_id: `tenant-${randomUUID().slice(0, 8)}`,
      account_id: "account-1",
      action_type: "CREATE_CRM_TASK",
      parameters: { title },
    });

    await client.storeAndApprove(intent);
    await engine.idle();

    const run = executionOf(engine, intent.action_intent_id);
    expect(invokerRuns).toBe(2);
    expect(run?.transitions).toContainEqual(expect.objectContaining({ state: "InvokeTool", event: "retried" }));
    expect(run?.status).toBe("SUCCEEDED");
    const calls = engine.gateway.calls().filter((call) => call.arguments.title === title);
    expect(calls).toHaveLength(1);
    expect(engine.gateway.objects().filter((object) => object.attributes.title === title)).toHaveLength(1);
    const { body } = await client.status(intent);
    expect(body).toMatchObject({ status: "SUCCEEDED" });
    expect(await itemsOf(client, client.tables.ledger, intent.tenant_id, intent.action_intent_id)).toHaveLength(1);
    expect(await itemsOf(client, client.tables.signals, intent.tenant_id, intent.action_intent_id)).toHaveLength(1);
    const published = engine.bus.events.filter(
      (event) => (event.detail as { action_intent_id?: string }).action_intent_id === intent.action_intent_id,
    );
    expect(published.filter((event) => event.source === "cc-native.execution")).toHaveLength(1);
  });
});
