// RecordFailure: any error caught before an outcome was recorded becomes a FAILED outcome, recorded
// like any other. It works without an attempt (StartExecution itself failed): the record is created.
// It never overwrites the record of another execution: a failed duplicate is reported, not recorded.
// A FAILED outcome leaves as OutcomeFailedError (the state machine's Catch ends in ActionFailed); an outcome
// this execution had already recorded as SUCCEEDED is replayed and answered, and the execution ends here.
import { randomUUID } from "node:crypto";
import { documentClient } from "#kernel/clients/dynamodb.ts";
import { eventBridgeClient } from "#kernel/clients/eventbridge.ts";
import { readRecordingConfig } from "#kernel/config.ts";
import { correlate } from "#kernel/correlation.ts";
import { endFailedOutcome } from "#kernel/failed-outcome.ts";
import { type RecordingDeps, recordTerminal, type TerminalRecord } from "#kernel/outcome-recording.ts";
import { statePipeline } from "#kernel/pipeline.ts";
import { logger } from "#kernel/powertools.ts";
import { getExecution } from "#kernel/repositories/executions.ts";
import type { ExecutionRecord } from "#schemas/records.ts";
import type { FailureRecorderInput, RecordedOutcome } from "#schemas/states.ts";
import {
  FailureRecorderInput as validateInput,
  RecordedOutcome as validateOutput,
} from "#schemas/validators.generated.js";
import { classifyStateError } from "./classify-error.ts";

const deps: RecordingDeps = { db: documentClient, eventBridge: eventBridgeClient, config: readRecordingConfig() };

/**
 * What a FAILED outcome says of the tool's writes when RecordOutcome could not record the tool's result: the
 * writes stand unless the compensation undid them, and nothing will undo them now, so the compensation is
 * FAILED with the reason, for an operator to reconcile.
 */
function unrecordedWrites(
  tool: NonNullable<FailureRecorderInput["error"]["unrecorded_tool"]>,
): Pick<TerminalRecord, "external_object_refs" | "compensation_status" | "compensation_reason"> {
  const refs = tool.result.external_object_refs;
  const { compensation_status: compensation } = tool.compensation;
  if (refs.length === 0 || compensation === "COMPLETED") {
    return { external_object_refs: refs, compensation_status: compensation };
  }
  const outcome = tool.result.success ? "succeeded" : "failed";
  return {
    external_object_refs: refs,
    compensation_status: "FAILED",
    compensation_reason:
      `the tool call ${outcome} but its outcome could not be recorded: ${refs.length} external object(s) ` +
      `stand and were not undone (compensation ${compensation}${tool.compensation.reason ? `: ${tool.compensation.reason}` : ""})`,
  };
}

/**
 * The tool invoker's sandbox failed on its last attempt (a crash, a timeout), maybe after the tool acted:
 * whether it wrote is unknown here, and nothing was undone, so the compensation is FAILED, for an operator to
 * reconcile by the call's idempotency key.
 */
function unknownToolOutcome(
  error: FailureRecorderInput["error"],
  attempt: ExecutionRecord | undefined,
): Pick<TerminalRecord, "compensation_status" | "compensation_reason"> {
  const key = attempt?.idempotency_key ? ` (idempotency key ${attempt.idempotency_key})` : "";
  return {
    compensation_status: "FAILED",
    compensation_reason: `the tool call may have acted before its invoker failed with ${error.Error}: its outcome is unknown and nothing was undone; look for objects written with the call's key${key}`,
  };
}

export function failedRecordFor(
  input: FailureRecorderInput,
  attempt: ExecutionRecord | undefined,
  now = new Date(),
): TerminalRecord {
  const completedAt = now.toISOString();
  const tool = input.error.unrecorded_tool;
  return {
    // No attempt yet: this failure is the execution's first and only record.
    execution_trace_id: randomUUID(),
    attempt_count: 1,
    started_at: completedAt,
    ...attempt,
    action_intent_id: input.action_intent_id,
    tenant_id: input.tenant_id,
    account_id: attempt?.account_id ?? input.account_id,
    execution_id: input.execution_id,
    status: "FAILED",
    updated_at: completedAt,
    completed_at: completedAt,
    ...classifyStateError(input.error),
    compensation_status: attempt?.compensation_status ?? "NONE",
    ...(tool ? unrecordedWrites(tool) : {}),
    ...(input.error.tool_outcome_unknown ? unknownToolOutcome(input.error, attempt) : {}),
  };
}

export async function recordFailure(input: FailureRecorderInput, recording: RecordingDeps): Promise<RecordedOutcome> {
  const attempt = await getExecution(
    recording.db,
    recording.config.tables.executions,
    input.tenant_id,
    input.action_intent_id,
  );
  const record = failedRecordFor(input, attempt?.execution_id === input.execution_id ? attempt : undefined);
  correlate({ execution_trace_id: record.execution_trace_id });
  const notRecorded: RecordedOutcome = {
    status: "FAILED",
    recorded: false,
    replayed: false,
    error_class: record.error_class,
    error_code: record.error_code,
  };
  if (attempt && attempt.execution_id !== input.execution_id) {
    logger.warn("failure not recorded: the intent belongs to another execution", { owner_status: attempt.status });
    return notRecorded;
  }
  const result = await recordTerminal(recording, record, { createIfAbsent: true });
  if (result.kind === "not-owned") {
    logger.warn("failure not recorded: another execution claimed the intent meanwhile");
    return notRecorded;
  }
  return result.outcome;
}

export const handler = statePipeline<FailureRecorderInput, RecordedOutcome>(
  { input: validateInput, output: validateOutput },
  async (input) => endFailedOutcome(await recordFailure(input, deps)),
);
