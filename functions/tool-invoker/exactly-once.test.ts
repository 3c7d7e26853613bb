// The tool call is exactly-once per idempotency key inside the engine, proved against a demo gateway that
// does NOT deduplicate (every call with a repeated key acts again), with the idempotency table on DynamoDB Local.
import { createHash, randomUUID } from "node:crypto";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { objectStore } from "#kernel/clients/object-store.ts";
import { connectGateway } from "#kernel/mcp/gateway.ts";
import { db, invokerInputFixture, lambdaContext, tableNames } from "../../tests/support/fixtures.ts";
import { ARTIFACTS_BUCKET, useToolEngines } from "../../tests/support/tool-engines.ts";

const engines = await useToolEngines();
const { gateway, config } = await engines.gateway({ mode: "stateless", response: "json", deduplicate: false });
Object.assign(process.env, {
  GATEWAY_URL: config.url,
  GATEWAY_TOKEN_URL: config.tokenUrl,
  GATEWAY_CLIENT_ID: config.clientId,
});
const { createToolInvoker } = await import("./handler.ts");
const client = connectGateway(config, "tool-invoker-test");
const invoke = createToolInvoker({
  gateway: client,
  artifacts: objectStore,
  artifactsBucket: ARTIFACTS_BUCKET,
  idempotencyTable: tableNames.idempotency,
});

const invokerInput = (toolArguments: Record<string, unknown>, toolName = "crm.create_task") =>
  invokerInputFixture(toolName, toolArguments);

const callsWith = (key: string) => gateway.calls().filter((call) => call.idempotency_key === key);
const objectsWith = (key: string) => gateway.objects().filter((object) => object.idempotency_key === key);

describe("the tool call, exactly once per idempotency key against a gateway that does not deduplicate", () => {
  it("the gateway itself acts on every call with a repeated key (what the engine must protect against)", async () => {
    const key = randomUUID();

    await client.callTool("crm.create_task", { title: "twice", account_id: "account-1", idempotency_key: key });
    await client.callTool("crm.create_task", { title: "twice", account_id: "account-1", idempotency_key: key });

    expect(objectsWith(key)).toHaveLength(2);
  });

  it("two concurrent runs of the same invocation make one call: the other gets its result or is told it is in progress", async () => {
    const input = invokerInput({ title: "Renewal call", account_id: "account-1" });

    const settled = await Promise.allSettled([
      invoke(input, lambdaContext("tool-invoker")),
      invoke(input, lambdaContext("tool-invoker")),
    ]);

    expect(callsWith(input.idempotency_key)).toHaveLength(1);
    expect(objectsWith(input.idempotency_key)).toHaveLength(1);
    const results = settled.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : []));
    const failures = settled.flatMap((outcome) => (outcome.status === "rejected" ? [outcome.reason] : []));
    expect(results.length).toBeGreaterThanOrEqual(1);
    for (const result of results) expect(result).toEqual(results[0]);
    for (const failure of failures) expect(failure).toMatchObject({ name: "ToolCallInProgressError" });
  });

  it("a run while another holds the claim is told ToolCallInProgressError; the claim expires at that one's deadline", async () => {
    // Prepare: a slow call holds the claim.
    const input = invokerInput({ delay_ms: 400 }, "demo.slow");
    const context = lambdaContext("tool-invoker", 14_000);
    const deadline = Date.now() + context.getRemainingTimeInMillis();
    const first = invoke(input, context);
    let claim = await recordOf(input.idempotency_key);
    while (!claim) claim = await recordOf(input.idempotency_key);

    // Act
    const during = invoke(input, lambdaContext("tool-invoker"));

    // Assess: refused by name, for InvokeTool's retrier to wait out; the claim cannot outlive the deadline of
    // the invocation that made it (infra/workflow/tool-call-in-progress.test.ts), and its result is replayed.
    await expect(during).rejects.toMatchObject({ name: "ToolCallInProgressError", errorClass: "DOWNSTREAM" });
    expect(claim).toMatchObject({ status: "INPROGRESS" });
    expect(Math.abs(Number(claim.in_progress_expiration) - deadline)).toBeLessThan(1000);
    const result = await first;
    await expect(invoke(input, lambdaContext("tool-invoker"))).resolves.toEqual(result);
    expect(callsWith(input.idempotency_key)).toHaveLength(1);
  });

  it("a run after the first completed makes no second call and answers the same result", async () => {
    const input = invokerInput({ title: "Follow-up", account_id: "account-1" });
    const first = await invoke(input, lambdaContext("tool-invoker"));

    const replay = await invoke({ ...input, execution_trace_id: randomUUID(), attempt_count: 2 });

    expect(replay).toEqual(first);
    expect(callsWith(input.idempotency_key)).toHaveLength(1);
    expect(objectsWith(input.idempotency_key)).toHaveLength(1);
  });

  it("the same key with other arguments is a PermanentError and calls nothing", async () => {
    const input = invokerInput({ title: "Original", account_id: "account-1" });
    await invoke(input);

    const attempt = invoke({ ...input, tool_arguments: { title: "Changed", account_id: "account-1" } });

    await expect(attempt).rejects.toMatchObject({ name: "PermanentError", errorClass: "VALIDATION" });
    expect(callsWith(input.idempotency_key)).toHaveLength(1);
  });

  it("keeps refs and status in the idempotency record, not the raw reply", async () => {
    const input = invokerInput({ title: "Small record", account_id: "account-1" });
    const result = await invoke(input);

    const record = await recordOf(input.idempotency_key);
    expect(record).toMatchObject({ status: "COMPLETED", expiration: expect.any(Number) });
    expect(record?.data).toEqual(result);
    expect(JSON.stringify(record)).not.toContain("jsonrpc");
    expect((await engines.artifact(result.raw_response_ref ?? "")).body).toContain("jsonrpc");
  });

  it("a reply S3 would not keep leaves the call made and recorded, so a retry does not act again", async () => {
    const withoutBucket = createToolInvoker({
      gateway: client,
      artifacts: objectStore,
      artifactsBucket: "no-such-bucket",
      idempotencyTable: tableNames.idempotency,
    });
    const input = invokerInput({ title: "Evidence lost", account_id: "account-1" });

    const first = await withoutBucket(input, lambdaContext("tool-invoker"));
    const retry = await withoutBucket(input, lambdaContext("tool-invoker"));

    expect(first).toMatchObject({ success: true, external_object_refs: [{ system: "crm" }] });
    expect(first.raw_response_ref).toBeUndefined();
    expect(retry).toEqual(first);
    expect(objectsWith(input.idempotency_key)).toHaveLength(1);
  });

  it("a claim lasts only the claiming invocation's remaining time: a later attempt calls again", async () => {
    const input = invokerInput({ delay_ms: 400 }, "demo.slow");
    const first = invoke(input, lambdaContext("tool-invoker", 50));
    await new Promise((resolve) => setTimeout(resolve, 150));

    const second = invoke(input, lambdaContext("tool-invoker"));

    await expect(Promise.all([first, second])).resolves.toHaveLength(2);
    expect(callsWith(input.idempotency_key)).toHaveLength(2);
  });
});

/**
 * The idempotency record of a key, at the id Powertools gives it: the key prefix, then the base64 MD5 of the
 * JSON of what `eventKeyJmesPath` selects (BasePersistenceLayer.getHashedIdempotencyKey).
 */
async function recordOf(idempotencyKey: string): Promise<Record<string, unknown> | undefined> {
  const hash = createHash("md5").update(JSON.stringify(idempotencyKey)).digest("base64");
  const { Item } = await db.send(
    new GetCommand({ TableName: tableNames.idempotency, Key: { id: `tool-call#${hash}` }, ConsistentRead: true }),
  );
  return Item;
}
