// RecordOutcome: turns the tool's result (and any compensation) into the intent's terminal record,
// written once with its ledger entry and signal, then published.

import { documentClient } from "#kernel/clients/dynamodb.ts";
import { eventBridgeClient } from "#kernel/clients/eventbridge.ts";
import { readRecordingConfig } from "#kernel/config.ts";
import { correlate } from "#kernel/correlation.ts";
import { PermanentError } from "#kernel/errors.ts";
import { endFailedOutcome } from "#kernel/failed-outcome.ts";
import { type RecordingDeps, recordTerminal, type TerminalRecord } from "#kernel/outcome-recording.ts";
import { statePipeline } from "#kernel/pipeline.ts";
import type { RecordedOutcome, RecorderInput } from "#schemas/states.ts";
import { RecorderInput as validateInput, RecordedOutcome as validateOutput } from "#schemas/validators.generated.js";

const deps: RecordingDeps = { db: documentClient, eventBridge: eventBridgeClient, config: readRecordingConfig() };

export function terminalRecordFor(input: RecorderInput, now = new Date()): TerminalRecord {
  const result = input.tool_result;
  const completedAt = now.toISOString();
  return {
    action_intent_id: input.action_intent_id,
    tenant_id: input.tenant_id,
    account_id: input.account_id,
    status: result.success ? "SUCCEEDED" : "FAILED",
    execution_id: input.execution_id,
    execution_trace_id: input.attempt.execution_trace_id,
    decision_trace_id: input.attempt.decision_trace_id,
    attempt_count: input.attempt.attempt_count,
    registry_version: input.attempt.registry_version,
    action_type: input.attempt.action_type,
    idempotency_key: input.attempt.idempotency_key,
    started_at: input.attempt.started_at,
    updated_at: completedAt,
    completed_at: completedAt,
    tool_name: input.tool_name,
    tool_schema_version: input.tool_schema_version,
    tool_run_ref: result.tool_run_ref,
    raw_response_ref: result.raw_response_ref,
    external_object_refs: result.external_object_refs,
    error_code: result.success ? undefined : (result.error_code ?? "TOOL_REPORTED_FAILURE"),
    error_class: result.success ? undefined : (result.error_class ?? "UNKNOWN"),
    error_message: result.success ? undefined : result.error_message,
    compensation_status: input.compensation.compensation_status,
    compensation_reason: input.compensation.reason,
  };
}

export async function recordOutcome(input: RecorderInput, recording: RecordingDeps): Promise<RecordedOutcome> {
  correlate({ execution_trace_id: input.attempt.execution_trace_id });
  const result = await recordTerminal(recording, terminalRecordFor(input), { createIfAbsent: false });
  if (result.kind === "not-owned") {
    throw new PermanentError(
      `intent ${input.action_intent_id} has no RUNNING attempt owned by this execution ` +
        `(found ${result.current ? `${result.current.status} owned by ${result.current.execution_id}` : "none"})`,
      { errorClass: "UNKNOWN" },
    );
  }
  return result.outcome;
}

export const handler = statePipeline<RecorderInput, RecordedOutcome>(
  { input: validateInput, output: validateOutput },
  async (input) => endFailedOutcome(await recordOutcome(input, deps)),
);
