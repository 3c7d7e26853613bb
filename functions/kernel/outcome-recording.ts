// The shared second half of both recorders: write the outcome once, count it, publish its signal.

import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { SignalDetail, SignalRecord } from "#schemas/events.ts";
import type { ExecutionRecord, LedgerEvent } from "#schemas/records.ts";
import type { RecordedOutcome } from "#schemas/states.ts";
import type { RecordingConfig } from "./config.ts";
import { SIGNAL_TTL_DAYS } from "./data-layout.ts";
import { TransientError } from "./errors.ts";
import { Metric } from "./metric-names.ts";
import { logger, metrics, publishDimensioned } from "./powertools.ts";
import { writeOutcome } from "./repositories/outcomes.ts";

export type TerminalRecord = ExecutionRecord & { status: "SUCCEEDED" | "FAILED"; completed_at: string };

export interface RecordingDeps {
  db: DynamoDBDocumentClient;
  eventBridge: EventBridgeClient;
  config: RecordingConfig;
}

const signalTypeOf = (record: TerminalRecord) => (record.status === "SUCCEEDED" ? "ACTION_EXECUTED" : "ACTION_FAILED");

/** Outcome fields present on the record, in the shape the ledger, the signal and the API share. */
function outcomeOf(record: TerminalRecord) {
  return {
    status: record.status,
    external_object_refs: record.external_object_refs ?? [],
    error_code: record.error_code,
    error_class: record.error_class,
    error_message: record.error_message,
  };
}

export function ledgerEventFor(record: TerminalRecord): LedgerEvent {
  return {
    action_intent_id: record.action_intent_id,
    tenant_id: record.tenant_id,
    account_id: record.account_id,
    event_type: signalTypeOf(record),
    execution_trace_id: record.execution_trace_id,
    decision_trace_id: record.decision_trace_id,
    occurred_at: record.completed_at,
    attempt_count: record.attempt_count,
    registry_version: record.registry_version,
    tool_name: record.tool_name,
    compensation_status: record.compensation_status,
    ...outcomeOf(record),
  };
}

/** A pure function of the record, so a replay publishes exactly the detail the first recording stored. */
export function signalDetailFor(record: TerminalRecord): SignalDetail {
  const signalType = signalTypeOf(record);
  return {
    signal_id: `${record.execution_trace_id}:${signalType}`,
    signal_type: signalType,
    action_intent_id: record.action_intent_id,
    tenant_id: record.tenant_id,
    account_id: record.account_id,
    execution_trace_id: record.execution_trace_id,
    decision_trace_id: record.decision_trace_id,
    occurred_at: record.completed_at,
    ...outcomeOf(record),
  };
}

function signalRecordFor(record: TerminalRecord): SignalRecord {
  const expiresAt = Math.floor(Date.parse(record.completed_at) / 1000) + SIGNAL_TTL_DAYS * 24 * 60 * 60;
  return { detail: signalDetailFor(record), expires_at_epoch: expiresAt };
}

async function publishSignal(deps: RecordingDeps, detail: SignalDetail): Promise<void> {
  const { FailedEntryCount, Entries } = await deps.eventBridge.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: deps.config.eventBusName,
          Source: deps.config.signalSource,
          DetailType: detail.signal_type,
          Detail: JSON.stringify(detail),
        },
      ],
    }),
  );
  if (FailedEntryCount) {
    const entry = Entries?.[0];
    throw new TransientError(
      `signal ${detail.signal_id} not accepted by the bus: ${entry?.ErrorCode} ${entry?.ErrorMessage}`,
    );
  }
}

/**
 * Counts a recording the moment its write committed, and flushes the datapoints to stdout at once: CloudWatch
 * reads them from the log, so nothing that happens next (the publish failing, the invocation throwing or
 * timing out, the container dying) can lose them. The retry that follows takes the replayed path, which never
 * counts, and logMetrics' own flush after the handler finds them already sent: one flush per recording.
 */
function countRecording(record: TerminalRecord): void {
  if (record.status === "SUCCEEDED") {
    metrics.addMetric(Metric.ExecutionSucceeded.name, MetricUnit.Count, 1);
  } else {
    metrics.addMetric(Metric.ExecutionFailed.name, MetricUnit.Count, 1);
    publishDimensioned(Metric.ExecutionFailedByClass, record.error_class ?? "UNKNOWN", 1);
  }
  const durationMs = Date.parse(record.completed_at) - Date.parse(record.started_at);
  metrics.addMetric(Metric.ExecutionDuration.name, MetricUnit.Milliseconds, Math.max(0, durationMs));
  metrics.publishStoredMetrics();
}

export type RecordingResult =
  | { kind: "recorded" | "replayed"; outcome: RecordedOutcome }
  | { kind: "not-owned"; current?: ExecutionRecord };

/**
 * Records a terminal record once. When this execution recorded it before (a retried or re-driven
 * recorder), the stored outcome is answered and its signal published again with the same `signal_id`:
 * publication is at-least-once, recording is exactly-once. The recording is counted once, when its write
 * commits and before the publish, so a publish that fails after the commit cannot leave it uncounted.
 */
export async function recordTerminal(
  deps: RecordingDeps,
  record: TerminalRecord,
  options: { createIfAbsent: boolean },
): Promise<RecordingResult> {
  const result = await writeOutcome(deps.db, deps.config.tables, {
    record,
    ledgerEvent: ledgerEventFor(record),
    signal: signalRecordFor(record),
    createIfAbsent: options.createIfAbsent,
  });
  if (result.written) countRecording(record);

  let effective: TerminalRecord = record;
  let kind: "recorded" | "replayed" = "recorded";
  if (!result.written) {
    const current = result.current;
    if (
      !current ||
      current.execution_id !== record.execution_id ||
      current.status === "RUNNING" ||
      !current.completed_at
    ) {
      return { kind: "not-owned", current };
    }
    effective = current as TerminalRecord;
    kind = "replayed";
    logger.info("outcome already recorded by this execution; answering the stored outcome", { status: current.status });
  }

  await publishSignal(deps, signalDetailFor(effective));
  return {
    kind,
    outcome: {
      status: effective.status,
      recorded: true,
      replayed: kind === "replayed",
      execution_trace_id: effective.execution_trace_id,
      signal_id: signalDetailFor(effective).signal_id,
      error_class: effective.error_class,
      error_code: effective.error_code,
    },
  };
}
