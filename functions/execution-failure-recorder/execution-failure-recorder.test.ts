import { describe, expect, it } from "vitest";
import { getExecution } from "#kernel/repositories/executions.ts";
import { seedRunningAttempt } from "../../tests/support/attempts.ts";
import { captureEmf } from "../../tests/support/emf.ts";
import { useLocalEventBus } from "../../tests/support/event-bus.ts";
import {
  db,
  executionArn,
  lambdaContext,
  tableNames,
  tenantItems,
  uniqueTenant,
} from "../../tests/support/fixtures.ts";
import { functionLogs } from "../../tests/support/function-output.ts";
import { classifyStateError } from "./classify-error.ts";

const bus = await useLocalEventBus();
const { handler, failedRecordFor } = await import("./handler.ts");
const emf = captureEmf();

const recordFailure = (input: Record<string, unknown>) =>
  handler(input as never, lambdaContext("execution-failure-recorder"));

/** A Catch result as Step Functions builds it from a Lambda error. */
function lambdaError(name: string, message: string) {
  return { Error: name, Cause: JSON.stringify({ errorType: name, errorMessage: message, trace: [] }) };
}

describe("execution-failure-recorder", () => {
  it("records a StartExecution failure when no trace id or attempt exists yet", async () => {
    // Prepare
    const tenant_id = uniqueTenant();
    const input = {
      action_intent_id: "intent-never-stored",
      tenant_id,
      account_id: "account-1",
      execution_id: executionArn(),
      error: lambdaError("IntentNotFoundError", "[VALIDATION] action intent intent-never-stored not found"),
    };

    // Act
    const recording = recordFailure(input);

    // Assess: thrown only after recording, so the state machine's Catch ends the execution in ActionFailed.
    await expect(recording).rejects.toMatchObject({
      name: "OutcomeFailedError",
      errorClass: "VALIDATION",
      message: "[VALIDATION] the outcome was recorded as FAILED (IntentNotFoundError)",
    });
    const stored = await getExecution(db, tableNames.executions, tenant_id, "intent-never-stored");
    expect(stored).toMatchObject({
      status: "FAILED",
      execution_id: input.execution_id,
      execution_trace_id: expect.any(String),
      attempt_count: 1,
      error_message: "action intent intent-never-stored not found",
    });
    expect(await tenantItems(tableNames.ledger, tenant_id)).toEqual([
      expect.objectContaining({ event_type: "ACTION_FAILED", error_class: "VALIDATION" }),
    ]);
    expect(await tenantItems(tableNames.signals, tenant_id)).toHaveLength(1);
    expect(bus.events.filter((event) => (event.detail as { tenant_id: string }).tenant_id === tenant_id)).toHaveLength(
      1,
    );
    expect(emf.count("ExecutionFailed")).toBe(1);
  });

  it("completes this execution's RUNNING attempt, keeping its trace id and start time", async () => {
    const attempt = await seedRunningAttempt();

    const recording = recordFailure({
      action_intent_id: attempt.action_intent_id,
      tenant_id: attempt.tenant_id,
      account_id: attempt.account_id,
      execution_id: attempt.execution_id,
      error: lambdaError("KillSwitchError", "[KILL_SWITCH] the kill switch of tenant t is on"),
    });

    await expect(recording).rejects.toMatchObject({ name: "OutcomeFailedError", errorClass: "KILL_SWITCH" });
    expect(await getExecution(db, tableNames.executions, attempt.tenant_id, attempt.action_intent_id)).toMatchObject({
      status: "FAILED",
      execution_trace_id: attempt.execution_trace_id,
      error_class: "KILL_SWITCH",
      started_at: attempt.started_at,
      idempotency_key: attempt.idempotency_key,
      decision_trace_id: attempt.decision_trace_id,
    });
  });

  it("never overwrites the record of another execution: a failed duplicate is reported, not recorded", async () => {
    const attempt = await seedRunningAttempt();

    const recording = recordFailure({
      action_intent_id: attempt.action_intent_id,
      tenant_id: attempt.tenant_id,
      account_id: attempt.account_id,
      execution_id: executionArn(),
      error: lambdaError("TransientError", "[DOWNSTREAM] throttled"),
    });

    // The failing execution still ends in ActionFailed, its error saying the failure was not recorded.
    await expect(recording).rejects.toMatchObject({
      name: "OutcomeFailedError",
      message: "[DOWNSTREAM] the failure (TransientError) was not recorded: another execution owns the intent's record",
    });
    expect(await getExecution(db, tableNames.executions, attempt.tenant_id, attempt.action_intent_id)).toEqual(attempt);
    expect(await tenantItems(tableNames.ledger, attempt.tenant_id)).toEqual([]);
    expect(emf.count("ExecutionFailed")).toBe(0);
    expect(functionLogs()).toEqual([
      expect.objectContaining({
        level: "WARN",
        message: "failure not recorded: the intent belongs to another execution",
        owner_status: "RUNNING",
      }),
    ]);
  });

  it("invoked twice, answers the stored failure and keeps one ledger entry", async () => {
    const attempt = await seedRunningAttempt();
    const input = {
      action_intent_id: attempt.action_intent_id,
      tenant_id: attempt.tenant_id,
      account_id: attempt.account_id,
      execution_id: attempt.execution_id,
      error: lambdaError("IntentExpiredError", "[EXPIRED] intent expired"),
    };
    await expect(recordFailure(input)).rejects.toMatchObject({ name: "OutcomeFailedError" });
    const first = await getExecution(db, tableNames.executions, attempt.tenant_id, attempt.action_intent_id);

    const second = recordFailure(input);

    await expect(second).rejects.toMatchObject({ name: "OutcomeFailedError", errorClass: "EXPIRED" });
    expect(await getExecution(db, tableNames.executions, attempt.tenant_id, attempt.action_intent_id)).toEqual(first);
    expect(await tenantItems(tableNames.ledger, attempt.tenant_id)).toHaveLength(1);
  });

  it("answers a SUCCEEDED outcome its execution recorded before failing, publishing it again: the execution ends there", async () => {
    // RecordOutcome committed SUCCEEDED, then could not publish: its Catch sent the execution here.
    const completedAt = new Date().toISOString();
    const attempt = await seedRunningAttempt({
      status: "SUCCEEDED",
      completed_at: completedAt,
      updated_at: completedAt,
    });

    const outcome = await recordFailure({
      action_intent_id: attempt.action_intent_id,
      tenant_id: attempt.tenant_id,
      account_id: attempt.account_id,
      execution_id: attempt.execution_id,
      error: lambdaError("TransientError", "[DOWNSTREAM] signal not accepted by the bus"),
    });

    expect(outcome).toMatchObject({ status: "SUCCEEDED", recorded: true, replayed: true });
    expect(await getExecution(db, tableNames.executions, attempt.tenant_id, attempt.action_intent_id)).toEqual(attempt);
    expect(
      bus.events.filter((event) => (event.detail as { tenant_id: string }).tenant_id === attempt.tenant_id),
    ).toHaveLength(1);
    expect(emf.count("ExecutionFailed")).toBe(0);
  });

  it.each([
    ["answers FailedEntryCount", "failed-entry"],
    ["answers 500 InternalException", "internal-error"],
  ] as const)(
    "counts a failure once when the bus %s after the write: the failed invocation counts, its replay does not",
    async (_case, refusal) => {
      // Prepare: a StartExecution failure, so the record is created by this very write.
      const tenant_id = uniqueTenant();
      const input = {
        action_intent_id: "intent-publish-refused",
        tenant_id,
        account_id: "account-1",
        execution_id: executionArn(),
        error: lambdaError("IntentNotFoundError", "[VALIDATION] action intent intent-publish-refused not found"),
      };
      bus.refuse(refusal);

      // Act
      const firstTry = recordFailure(input).finally(() => bus.accept());
      await expect(firstTry).rejects.toMatchObject({ name: "TransientError" });
      const retry = recordFailure(input);

      // Assess
      expect(await getExecution(db, tableNames.executions, tenant_id, input.action_intent_id)).toMatchObject({
        status: "FAILED",
        error_class: "VALIDATION",
      });
      await expect(retry).rejects.toMatchObject({ name: "OutcomeFailedError", errorClass: "VALIDATION" });
      expect(
        bus.events.filter((event) => (event.detail as { tenant_id: string }).tenant_id === tenant_id),
      ).toHaveLength(1);
      expect(emf.count("ExecutionFailed")).toBe(1);
      expect(emf.datapoints("ExecutionFailed")).toBe(1);
      expect(emf.datapoints("ExecutionDuration")).toBe(1);
      expect(emf.records.filter((r) => r.ExecutionFailedByClass === 1 && r.error_class === "VALIDATION")).toHaveLength(
        1,
      );
    },
  );

  it("rejects input without the intent key, naming the field", async () => {
    await expect(
      recordFailure({ action_intent_id: "i", account_id: "a", execution_id: "x", error: { Error: "States.ALL" } }),
    ).rejects.toMatchObject({ name: "ValidationError", message: expect.stringContaining("/tenant_id") });
  });
});

describe("classifyStateError", () => {
  it.each([
    [
      lambdaError("ValidationError", "[VALIDATION] input rejected: /x is bad"),
      "VALIDATION",
      "input rejected: /x is bad",
    ],
    [lambdaError("RegistryEntryNotFoundError", "[VALIDATION] no entry"), "VALIDATION", "no entry"],
    [lambdaError("KillSwitchError", "[KILL_SWITCH] off"), "KILL_SWITCH", "off"],
    [lambdaError("IntentExpiredError", "[EXPIRED] late"), "EXPIRED", "late"],
    [lambdaError("TransientError", "[RATE_LIMIT] gateway answered 429"), "RATE_LIMIT", "gateway answered 429"],
    [lambdaError("PermanentError", "[AUTH] gateway answered 401"), "AUTH", "gateway answered 401"],
    [
      { Error: "States.Timeout", Cause: "Task timed out after 30 seconds" },
      "TIMEOUT",
      "Task timed out after 30 seconds",
    ],
    [{ Error: "Lambda.TooManyRequestsException", Cause: "Rate exceeded" }, "RATE_LIMIT", "Rate exceeded"],
    [{ Error: "Lambda.ServiceException" }, "DOWNSTREAM", "Lambda.ServiceException"],
    [lambdaError("TypeError", "x is undefined"), "UNKNOWN", "x is undefined"],
  ])("classifies %j as %s", (error, errorClass, message) => {
    expect(classifyStateError(error)).toEqual({
      error_code: error.Error,
      error_class: errorClass,
      error_message: message,
    });
  });

  it("keeps long causes within 1000 characters", () => {
    expect(classifyStateError(lambdaError("TypeError", "x".repeat(5000))).error_message).toHaveLength(1000);
  });
});

describe("failedRecordFor, after RecordOutcome failed with the tool's result in hand", () => {
  const ref = { system: "crm", object_type: "task", object_id: "crm-task-1", object_url: "http://crm/1" };
  const input = (compensation_status: "NONE" | "COMPLETED") => ({
    action_intent_id: "intent-1",
    tenant_id: "tenant-1",
    account_id: "account-1",
    execution_id: executionArn(),
    error: {
      ...lambdaError("TransientError", "[DOWNSTREAM] outcome transaction cancelled"),
      unrecorded_tool: {
        result: { success: true, tool_run_ref: "toolrun/1", external_object_refs: [ref] },
        compensation: { compensation_status, compensated_refs: [] },
      },
    },
  });

  it("names the writes that stand and records their compensation FAILED, with the reason", () => {
    const record = failedRecordFor(input("NONE"), undefined);

    expect(record).toMatchObject({
      status: "FAILED",
      error_code: "TransientError",
      external_object_refs: [ref],
      compensation_status: "FAILED",
    });
    expect(record.compensation_reason).toContain("the tool call succeeded but its outcome could not be recorded");
  });

  it("keeps a compensation that already undid them", () => {
    expect(failedRecordFor(input("COMPLETED"), undefined)).toMatchObject({ compensation_status: "COMPLETED" });
  });
});

describe("failedRecordFor, after the tool invoker's sandbox failed on its last attempt", () => {
  it("records the compensation FAILED, naming the call's idempotency key, since the tool may have acted", () => {
    const record = failedRecordFor(
      {
        action_intent_id: "intent-1",
        tenant_id: "tenant-1",
        account_id: "account-1",
        execution_id: executionArn(),
        error: {
          ...lambdaError("Lambda.Unknown", "Runtime exited with error: signal: killed"),
          tool_outcome_unknown: true,
        },
      },
      undefined,
    );

    expect(record).toMatchObject({ status: "FAILED", error_code: "Lambda.Unknown", compensation_status: "FAILED" });
    expect(record.compensation_reason).toContain("its outcome is unknown and nothing was undone");
  });
});
