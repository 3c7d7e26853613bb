import { describe, expect, it } from "vitest";
import { SIGNAL_TTL_DAYS } from "#kernel/data-layout.ts";
import { getExecution } from "#kernel/repositories/executions.ts";
import type { ExecutionRecord } from "#schemas/records.ts";
import type { RecorderInput } from "#schemas/states.ts";
import { SignalDetail as validateSignalDetail } from "#schemas/validators.generated.js";
import { seedRunningAttempt } from "../../tests/support/attempts.ts";
import { captureEmf } from "../../tests/support/emf.ts";
import { useLocalEventBus } from "../../tests/support/event-bus.ts";
import { db, executionArn, lambdaContext, tableNames, tenantItems } from "../../tests/support/fixtures.ts";

const bus = await useLocalEventBus();
const { handler } = await import("./handler.ts");
const emf = captureEmf();

const record = (input: RecorderInput | Record<string, unknown>) =>
  handler(input as never, lambdaContext("execution-recorder"));

function recorderInput(
  attempt: ExecutionRecord,
  toolResult: Partial<RecorderInput["tool_result"]> = {},
): RecorderInput {
  return {
    action_intent_id: attempt.action_intent_id,
    tenant_id: attempt.tenant_id,
    account_id: attempt.account_id,
    execution_id: attempt.execution_id,
    attempt: {
      duplicate: false,
      execution_trace_id: attempt.execution_trace_id,
      attempt_count: attempt.attempt_count,
      started_at: attempt.started_at,
      registry_version: 1,
      action_type: "CREATE_CRM_TASK",
      idempotency_key: attempt.idempotency_key ?? "",
      decision_trace_id: "decision-1",
    },
    tool_name: "crm.create_task",
    tool_schema_version: "1.0",
    tool_result: {
      success: true,
      tool_run_ref: `toolrun/${attempt.execution_trace_id}/1/crm.create_task`,
      external_object_refs: [{ system: "crm", object_type: "task", object_id: "task-1" }],
      raw_response_ref: `s3://artifacts/${attempt.tenant_id}/${attempt.action_intent_id}/response.json`,
      ...toolResult,
    },
    compensation: { compensation_status: "NONE", compensated_refs: [] },
  };
}

const signalsFor = (actionIntentId: string) =>
  bus.events.filter((event) => (event.detail as { action_intent_id?: string }).action_intent_id === actionIntentId);

describe("execution-recorder", () => {
  it("records a success with its ledger entry and signal, publishes ACTION_EXECUTED and counts it", async () => {
    // Prepare
    const attempt = await seedRunningAttempt();

    // Act
    const outcome = await record(recorderInput(attempt));

    // Assess
    expect(outcome).toMatchObject({
      status: "SUCCEEDED",
      recorded: true,
      replayed: false,
      signal_id: `${attempt.execution_trace_id}:ACTION_EXECUTED`,
    });
    const stored = await getExecution(db, tableNames.executions, attempt.tenant_id, attempt.action_intent_id);
    expect(stored).toMatchObject({
      status: "SUCCEEDED",
      idempotency_key: attempt.idempotency_key,
      external_object_refs: [{ system: "crm", object_type: "task", object_id: "task-1" }],
      compensation_status: "NONE",
    });
    const [ledger, ...moreLedger] = await tenantItems(tableNames.ledger, attempt.tenant_id);
    expect(moreLedger).toEqual([]);
    expect(ledger).toMatchObject({
      event_type: "ACTION_EXECUTED",
      decision_trace_id: "decision-1",
      execution_trace_id: attempt.execution_trace_id,
    });
    const [signal] = await tenantItems(tableNames.signals, attempt.tenant_id);
    const ttlDays = ((signal?.expires_at_epoch as number) - Date.parse(stored?.completed_at ?? "") / 1000) / 86_400;
    expect(Math.round(ttlDays)).toBe(SIGNAL_TTL_DAYS);
    const [published, ...morePublished] = signalsFor(attempt.action_intent_id);
    expect(morePublished).toEqual([]);
    expect(published).toMatchObject({
      source: "cc-native.execution",
      "detail-type": "ACTION_EXECUTED",
      "event-bus-name": "engine-tests",
    });
    expect(validateSignalDetail(published?.detail)).toBe(true);
    expect(emf.count("ExecutionSucceeded")).toBe(1);
    expect(emf.count("ExecutionDuration")).toBeGreaterThanOrEqual(1000);
  });

  it("invoked twice with the same input, keeps one ledger entry and the same outcome, and counts once", async () => {
    const attempt = await seedRunningAttempt();
    const input = recorderInput(attempt);
    const first = await record(input);
    const storedFirst = await getExecution(db, tableNames.executions, attempt.tenant_id, attempt.action_intent_id);

    const second = await record(input);

    expect(second).toEqual({ ...first, replayed: true });
    expect(await getExecution(db, tableNames.executions, attempt.tenant_id, attempt.action_intent_id)).toEqual(
      storedFirst,
    );
    expect(await tenantItems(tableNames.ledger, attempt.tenant_id)).toHaveLength(1);
    expect(await tenantItems(tableNames.signals, attempt.tenant_id)).toHaveLength(1);
    const published = signalsFor(attempt.action_intent_id);
    expect(published).toHaveLength(2);
    expect(published[1]?.detail).toEqual(published[0]?.detail);
    expect(emf.count("ExecutionSucceeded")).toBe(1);
  });

  it.each([
    ["answers FailedEntryCount", "failed-entry"],
    ["answers 500 InternalException", "internal-error"],
  ] as const)(
    "counts an outcome once when the bus %s after the write: the failed invocation counts, its replay does not",
    async (_case, refusal) => {
      // Prepare
      const attempt = await seedRunningAttempt();
      const input = recorderInput(attempt);
      bus.refuse(refusal);

      // Act
      const firstTry = record(input).finally(() => bus.accept());
      await expect(firstTry).rejects.toMatchObject({ name: "TransientError" });
      const retry = await record(input);

      // Assess
      expect(await getExecution(db, tableNames.executions, attempt.tenant_id, attempt.action_intent_id)).toMatchObject({
        status: "SUCCEEDED",
      });
      expect(retry).toMatchObject({ status: "SUCCEEDED", recorded: true, replayed: true });
      expect(signalsFor(attempt.action_intent_id)).toHaveLength(1);
      expect(emf.count("ExecutionSucceeded")).toBe(1);
      expect(emf.datapoints("ExecutionSucceeded")).toBe(1);
      expect(emf.datapoints("ExecutionDuration")).toBe(1);
    },
  );

  it("writes the outcome's datapoints to stdout before it asks the bus to publish", async () => {
    // Prepare: what stdout holds when PutEvents arrives is what survives a crash during the publish.
    const attempt = await seedRunningAttempt();
    const datapointsAtPublish: number[] = [];
    const unsubscribe = bus.onRequest(() => datapointsAtPublish.push(emf.datapoints("ExecutionSucceeded")));

    // Act
    await record(recorderInput(attempt)).finally(unsubscribe);

    // Assess
    expect(datapointsAtPublish).toEqual([1]);
    expect(emf.datapoints("ExecutionSucceeded")).toBe(1);
    expect(emf.datapoints("ExecutionDuration")).toBe(1);
  });

  it("records a tool's reported failure as FAILED with its class and compensation, publishes ACTION_FAILED, then throws OutcomeFailedError", async () => {
    const attempt = await seedRunningAttempt();
    const input = {
      ...recorderInput(attempt, {
        success: false,
        error_code: "DUPLICATE_TASK",
        error_class: "DOWNSTREAM",
        error_message: "rejected",
      }),
      compensation: {
        compensation_status: "COMPLETED",
        compensated_refs: [{ system: "crm", object_type: "task", object_id: "task-1" }],
      },
    } satisfies RecorderInput;

    const recording = record(input);

    // Thrown only after recording, so the state machine's Catch can end the execution in Fail.
    await expect(recording).rejects.toMatchObject({
      name: "OutcomeFailedError",
      errorClass: "DOWNSTREAM",
      message: "[DOWNSTREAM] the outcome was recorded as FAILED (DUPLICATE_TASK)",
    });
    expect(await getExecution(db, tableNames.executions, attempt.tenant_id, attempt.action_intent_id)).toMatchObject({
      status: "FAILED",
      compensation_status: "COMPLETED",
      error_message: "rejected",
    });
    expect(signalsFor(attempt.action_intent_id)[0]).toMatchObject({ "detail-type": "ACTION_FAILED" });
    expect(emf.count("ExecutionFailed")).toBe(1);
    expect(emf.records.some((r) => r.ExecutionFailedByClass === 1 && r.error_class === "DOWNSTREAM")).toBe(true);
  });

  it("refuses to record over an attempt another execution owns, writing nothing", async () => {
    const attempt = await seedRunningAttempt();

    const attemptByStranger = record({ ...recorderInput(attempt), execution_id: executionArn() });

    await expect(attemptByStranger).rejects.toMatchObject({ name: "PermanentError" });
    expect(await getExecution(db, tableNames.executions, attempt.tenant_id, attempt.action_intent_id)).toMatchObject({
      status: "RUNNING",
    });
    expect(await tenantItems(tableNames.ledger, attempt.tenant_id)).toEqual([]);
    expect(signalsFor(attempt.action_intent_id)).toEqual([]);
  });

  it("rejects a tool result missing tool_run_ref as ValidationError naming it, writing nothing", async () => {
    const attempt = await seedRunningAttempt();
    const { tool_run_ref: _dropped, ...toolResult } = recorderInput(attempt).tool_result;

    const attemptWithBadInput = record({ ...recorderInput(attempt), tool_result: toolResult });

    await expect(attemptWithBadInput).rejects.toMatchObject({
      name: "ValidationError",
      message: expect.stringContaining("/tool_result/tool_run_ref"),
    });
    expect(await tenantItems(tableNames.ledger, attempt.tenant_id)).toEqual([]);
  });
});
