import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { connectGateway } from "#kernel/mcp/gateway.ts";
import type { CompensationInput, ToolResult } from "#schemas/states.ts";
import { captureEmf } from "../../tests/support/emf.ts";
import { lambdaContext } from "../../tests/support/fixtures.ts";
import { functionLogs } from "../../tests/support/function-output.ts";
import { useToolEngines } from "../../tests/support/tool-engines.ts";

const engines = await useToolEngines();
const { gateway, config } = await engines.gateway({ mode: "stateful", response: "json" });
Object.assign(process.env, {
  GATEWAY_URL: config.url,
  GATEWAY_TOKEN_URL: config.tokenUrl,
  GATEWAY_CLIENT_ID: config.clientId,
});
const { compensate, compensationKeyFor, handler } = await import("./handler.ts");
const client = connectGateway(config, "compensation-test");
const emf = captureEmf();

/** The compensation_status dimensions of the CompensationRun datapoints published so far in this test. */
const compensationRuns = () =>
  emf.records.filter((record) => record.CompensationRun === 1).map((record) => record.compensation_status);

/** Calls a tool the way the invoker would, to leave real objects behind for compensation to undo. */
async function writeWith(toolName: string, toolArguments: Record<string, unknown>) {
  const reply = await client.callTool(toolName, { ...toolArguments, idempotency_key: randomUUID() });
  const result = reply.response.result as {
    structuredContent: { external_object_refs: ToolResult["external_object_refs"] };
  };
  return result.structuredContent.external_object_refs;
}

function compensationInput(
  plan: CompensationInput["plan"],
  refs: ToolResult["external_object_refs"],
): CompensationInput {
  return {
    action_intent_id: `intent-${randomUUID().slice(0, 8)}`,
    tenant_id: "tenant-1",
    account_id: "account-1",
    execution_trace_id: randomUUID(),
    idempotency_key: randomUUID(),
    plan,
    tool_result: {
      success: false,
      tool_run_ref: "toolrun/x/1/demo.fail_after_write",
      external_object_refs: refs,
      error_class: "DOWNSTREAM",
    },
  };
}

const liveIds = () =>
  new Set(
    gateway
      .objects()
      .filter((object) => !object.deleted)
      .map((object) => object.object_id),
  );

describe("compensation", () => {
  it("AUTOMATIC undoes what the failed tool wrote, and a retried compensation undoes nothing twice", async () => {
    // Prepare
    const refs = await writeWith("demo.fail_after_write", {});
    const input = compensationInput({ strategy: "AUTOMATIC", tool_name: "demo.delete_record" }, refs);

    // Act
    const first = await compensate(input, client);
    const retried = await compensate(input, client);

    // Assess
    expect(first).toEqual({ compensation_status: "COMPLETED", compensated_refs: refs });
    expect(retried).toEqual(first);
    expect(liveIds().has(refs[0]?.object_id ?? "")).toBe(false);
    const deletes = gateway
      .calls()
      .filter((call) => call.tool === "demo.delete_record" && call.arguments.object_id === refs[0]?.object_id);
    expect(deletes.map((call) => call.idempotency_key)).toEqual([
      compensationKeyFor(input.idempotency_key, refs[0] as never),
      compensationKeyFor(input.idempotency_key, refs[0] as never),
    ]);
  });

  it("undoes several objects newest first, each with its own idempotency key", async () => {
    const older = await writeWith("crm.create_task", { title: "first", account_id: "a" });
    const newer = await writeWith("crm.create_task", { title: "second", account_id: "a" });
    const input = compensationInput({ strategy: "AUTOMATIC", tool_name: "crm.delete_task" }, [...older, ...newer]);
    const callsBefore = gateway.calls().length;

    const output = await compensate(input, client);

    expect(output.compensation_status).toBe("COMPLETED");
    const deletes = gateway.calls().slice(callsBefore);
    expect(deletes.map((call) => call.arguments.object_id)).toEqual([newer[0]?.object_id, older[0]?.object_id]);
    expect(new Set(deletes.map((call) => call.idempotency_key)).size).toBe(2);
  });

  it("reports a compensation tool's business failure as FAILED with the reason, without throwing", async () => {
    const missing = [{ system: "demo", object_type: "record", object_id: "demo-record-that-never-was" }];

    const output = await compensate(
      compensationInput({ strategy: "AUTOMATIC", tool_name: "demo.delete_record" }, missing),
      client,
    );

    expect(output).toMatchObject({
      compensation_status: "FAILED",
      compensated_refs: [],
      reason: expect.stringContaining("NOT_FOUND"),
    });
    expect(compensationRuns()).toEqual(["FAILED"]);
    expect(functionLogs()).toEqual([
      expect.objectContaining({
        level: "WARN",
        message: "compensation failed",
        tool_name: "demo.delete_record",
        reason: output.reason,
      }),
    ]);
  });

  it("throws TransientError when the compensation tool is throttled, for the state machine to retry", async () => {
    const refs = await writeWith("demo.fail_after_write", {});

    const attempt = compensate(compensationInput({ strategy: "AUTOMATIC", tool_name: "demo.throttled" }, refs), client);

    await expect(attempt).rejects.toMatchObject({ name: "TransientError", errorClass: "RATE_LIMIT" });
  });

  it("leaves MANUAL compensation PENDING for an operator and calls nothing", async () => {
    const refs = await writeWith("demo.fail_after_write", {});
    const callsBefore = gateway.calls().length;

    const output = await compensate(compensationInput({ strategy: "MANUAL" }, refs), client);

    expect(output).toEqual({
      compensation_status: "PENDING",
      compensated_refs: [],
      reason: "manual compensation required for 1 external object(s)",
    });
    expect(gateway.calls()).toHaveLength(callsBefore);
    expect(liveIds().has(refs[0]?.object_id ?? "")).toBe(true);
    expect(compensationRuns()).toEqual(["PENDING"]);
  });

  it("answers NONE for a registry entry without compensation", async () => {
    const output = await compensate(compensationInput({ strategy: "NONE" }, []), client);

    expect(output).toEqual({ compensation_status: "NONE", compensated_refs: [] });
    expect(compensationRuns()).toEqual(["NONE"]);
  });

  it("runs through its Middy pipeline and rejects a plan without a strategy, naming it", async () => {
    const refs = await writeWith("demo.fail_after_write", {});
    const input = compensationInput({ strategy: "AUTOMATIC", tool_name: "demo.delete_record" }, refs);

    await expect(handler(input as never, lambdaContext("compensation"))).resolves.toMatchObject({
      compensation_status: "COMPLETED",
    });
    await expect(handler({ ...input, plan: {} } as never, lambdaContext("compensation"))).rejects.toMatchObject({
      name: "ValidationError",
      message: expect.stringContaining("/plan/strategy"),
    });
  });
});
