import { describe, expect, it } from "vitest";
import { objectStore } from "#kernel/clients/object-store.ts";
import { connectGateway } from "#kernel/mcp/gateway.ts";
import type { McpClient } from "#kernel/mcp/mcp-client.ts";
import { metrics } from "#kernel/powertools.ts";
import type { InvokerInput } from "#schemas/states.ts";
import { captureEmf } from "../../tests/support/emf.ts";
import { invokerInputFixture, lambdaContext, tableNames } from "../../tests/support/fixtures.ts";
import { ARTIFACTS_BUCKET, useToolEngines } from "../../tests/support/tool-engines.ts";

const engines = await useToolEngines();
const handlerGateway = await engines.gateway({ mode: "stateful", response: "sse" });
Object.assign(process.env, {
  GATEWAY_URL: handlerGateway.config.url,
  GATEWAY_TOKEN_URL: handlerGateway.config.tokenUrl,
  GATEWAY_CLIENT_ID: handlerGateway.config.clientId,
});
const { handler, createToolInvoker } = await import("./handler.ts");
const emf = captureEmf();

/** The invoker over a gateway client, with the artifacts bucket and idempotency table the engines hold. */
const invokerOver = (gateway: McpClient) =>
  createToolInvoker({
    gateway,
    artifacts: objectStore,
    artifactsBucket: ARTIFACTS_BUCKET,
    idempotencyTable: tableNames.idempotency,
  });

const invokerInput = invokerInputFixture;

const modes = [
  { mode: "stateless", response: "json" },
  { mode: "stateless", response: "sse" },
  { mode: "stateful", response: "json" },
  { mode: "stateful", response: "sse" },
] as const;

describe.each(modes)("tool-invoker against a $mode gateway answering $response", ({ mode, response }) => {
  const started = engines.gateway({ mode, response, timeoutMs: 1000 });
  const setup = started.then(({ gateway, config }) => ({
    gateway,
    invoke: invokerOver(connectGateway(config, "tool-invoker-test")),
  }));
  const invoke = async (input: InvokerInput) => (await setup).invoke(input);

  it("creates the object once, reports its ref and keeps the raw reply in S3", async () => {
    // Prepare
    const { gateway } = await setup;
    const input = invokerInput("crm.create_task", { title: "Renewal call", account_id: "account-1" });

    // Act
    const result = await invoke(input);
    const again = await invoke(input);

    // Assess
    expect(result).toMatchObject({
      success: true,
      tool_run_ref: `toolrun/${input.execution_trace_id}/1/crm.create_task`,
      external_object_refs: [{ system: "crm", object_type: "task" }],
    });
    expect(again.external_object_refs).toEqual(result.external_object_refs);
    expect(gateway.objects().filter((object) => object.idempotency_key === input.idempotency_key)).toHaveLength(1);
    expect(result.raw_response_ref).toBe(
      `s3://${ARTIFACTS_BUCKET}/tenant-1/${input.action_intent_id}/${result.tool_run_ref}/response`,
    );
    const artifact = await engines.artifact(result.raw_response_ref ?? "");
    expect(artifact.body).toContain(result.external_object_refs[0]?.object_id);
    expect(artifact.contentType).toContain(response === "json" ? "application/json" : "text/event-stream");
  });

  it("reads the legacy single-object form", async () => {
    const result = await invoke(invokerInput("internal.create_note", { text: "remember" }));

    expect(result.external_object_refs).toEqual([expect.objectContaining({ system: "internal", object_type: "note" })]);
  });

  it("returns a tool's reported failure with its class and the object it wrote", async () => {
    const result = await invoke(invokerInput("demo.fail_after_write"));

    expect(result).toMatchObject({
      success: false,
      error_code: "DOWNSTREAM_FAILED_AFTER_WRITE",
      error_class: "DOWNSTREAM",
      external_object_refs: [{ system: "demo", object_type: "record" }],
    });
    expect(emf.records.some((record) => record.ToolErrors === 1 && record.error_class === "DOWNSTREAM")).toBe(true);
  });

  it("throws TransientError on 503 and succeeds when the state machine calls again", async () => {
    const input = invokerInput("demo.flaky", { fail_times: 1 });

    await expect(invoke(input)).rejects.toMatchObject({ name: "TransientError", errorClass: "DOWNSTREAM" });
    await expect(invoke(input)).resolves.toMatchObject({ success: true });
  });

  it("throws TransientError of class RATE_LIMIT on 429 and counts the throttle", async () => {
    await expect(invoke(invokerInput("demo.throttled"))).rejects.toMatchObject({
      name: "TransientError",
      errorClass: "RATE_LIMIT",
    });
    metrics.publishStoredMetrics();
    expect(emf.count("ToolThrottled")).toBe(1);
  });

  it("throws TransientError of class TIMEOUT when the gateway answers too late", async () => {
    await expect(invoke(invokerInput("demo.slow", { delay_ms: 1500 }))).rejects.toMatchObject({
      name: "TransientError",
      errorClass: "TIMEOUT",
    });
  });

  it("throws PermanentError for a reply that is not MCP, keeping the reply as evidence", async () => {
    const failure = await invoke(invokerInput("demo.malformed")).catch((error: Error) => error);

    expect(failure).toMatchObject({
      name: "PermanentError",
      message: expect.stringContaining(`raw reply kept at s3://${ARTIFACTS_BUCKET}/`),
    });
    const [reference] = /s3:\/\/\S+/.exec((failure as Error).message) ?? [];
    expect((await engines.artifact(reference ?? "")).body.length).toBeGreaterThan(0);
  });

  it("returns an unknown tool as a reported failure", async () => {
    await expect(invoke(invokerInput("crm.no_such_tool"))).resolves.toMatchObject({ success: false });
  });

  it("reuses one token across calls and renews it once after a 401", async () => {
    const { gateway } = await setup;
    await invoke(invokerInput("internal.create_note", { text: "warm up" }));
    const issuedBefore = gateway.stats().tokens_issued;

    await invoke(invokerInput("internal.create_note", { text: "cached token" }));
    gateway.revokeTokens();
    await invoke(invokerInput("internal.create_note", { text: "after revocation" }));

    expect(gateway.stats().tokens_issued).toBe(issuedBefore + 1);
  });
});

describe.each(modes.filter(({ mode }) => mode === "stateful"))(
  "tool-invoker sessions with a stateful gateway answering $response",
  ({ response }) => {
    it("opens a new session when the gateway says the old one is gone", async () => {
      const { gateway, config } = await engines.gateway({ mode: "stateful", response });
      const call = connectGateway(config, "tool-invoker-test");
      const invoke = invokerOver(call);
      await invoke(invokerInput("internal.create_note", { text: "open a session" }));
      await gateway.expireSessions();

      const result = await invoke(invokerInput("internal.create_note", { text: "after expiry" }));

      expect(result.success).toBe(true);
      expect(gateway.calls().map((call) => call.http_status)).toEqual([200, 404, 200]);
    });
  },
);

describe("tool-invoker failures before or without a gateway", () => {
  it("names AUTH when the gateway keeps refusing the credentials", async () => {
    const { config } = await engines.gateway({ mode: "stateless", response: "json" });
    engines.secrets.putSecret("wrong-secret", "not-the-secret");
    const call = connectGateway({ ...config, clientSecretId: "wrong-secret" }, "tool-invoker-test");

    const attempt = invokerOver(call)(invokerInput("internal.create_note", { text: "x" }));

    await expect(attempt).rejects.toMatchObject({ name: "PermanentError", errorClass: "AUTH" });
  });

  it("throws TransientError when the gateway is unreachable", async () => {
    const { config } = await engines.gateway({ mode: "stateless", response: "json" });
    const call = connectGateway({ ...config, url: "http://127.0.0.1:9/mcp" }, "tool-invoker-test");

    const attempt = invokerOver(call)(invokerInput("internal.create_note", { text: "x" }));

    await expect(attempt).rejects.toMatchObject({ name: "TransientError" });
  });

  it("rejects arguments over 200 KB before any HTTP call", async () => {
    const callsBefore = handlerGateway.gateway.calls().length;

    const attempt = handler(
      invokerInput("internal.create_note", { text: "x".repeat(210 * 1024) }) as never,
      lambdaContext("tool-invoker"),
    );

    await expect(attempt).rejects.toMatchObject({
      name: "ValidationError",
      message: expect.stringContaining("byte limit"),
    });
    expect(handlerGateway.gateway.calls()).toHaveLength(callsBefore);
  });

  it("rejects tool_arguments that are not a plain object, naming the field", async () => {
    const attempt = handler(
      { ...invokerInput("internal.create_note"), tool_arguments: ["not", "an", "object"] } as never,
      lambdaContext("tool-invoker"),
    );

    await expect(attempt).rejects.toMatchObject({
      name: "ValidationError",
      message: expect.stringContaining("/tool_arguments"),
    });
  });

  it("runs a call end to end through its Middy pipeline", async () => {
    const result = await handler(
      invokerInput("crm.create_task", { title: "Through the pipeline", account_id: "a" }) as never,
      lambdaContext("tool-invoker"),
    );

    expect(result).toMatchObject({ success: true, external_object_refs: [{ system: "crm" }] });
  });
});
