// One execution, joined from everything the engine keeps: its report (path, each state's input and output,
// retries, errors) over the definition's graph, its X-Ray trace, the functions' log lines carrying its
// trace ids, and the outcome the engine recorded. An execution of an earlier run has no report left: its
// Task states are read back from the Lambda segments of its trace.
import type { TraceDocument } from "../xray-daemon.ts";
import type { DefinitionGraph, ExecutionDetail, OutcomeView } from "./api-types.ts";
import type { ExecutionIndex } from "./execution-index.ts";
import { executionPath, type VisitRecord } from "./execution-path.ts";
import type { TelemetryIndex } from "./telemetry-index.ts";
import { traceView } from "./trace-view.ts";

export interface DetailSources {
  index: ExecutionIndex;
  telemetry: TelemetryIndex;
  /** The trace id of an execution in flight (local/telemetry.ts traceIdOf). */
  liveTraceId(executionArn: string): string | undefined;
  graph: DefinitionGraph;
  outcome(intent: { tenantId: string; actionIntentId: string }): Promise<OutcomeView>;
  /** The gateway's tool and token endpoints, to tell its calls from other HTTP calls in a trace. */
  gatewayUrls: string[];
}

const exceptionOf = (document: TraceDocument) => {
  const [first] = ((document.cause as { exceptions?: { type?: string; message?: string }[] } | undefined)?.exceptions ??
    []) as { type?: string; message?: string }[];
  return { error: first?.type ?? "Error", cause: first?.message ?? "" };
};

/**
 * The Task states of an execution from its trace: one Lambda segment per attempt, so consecutive segments
 * of one state are its retries, and a faulted last attempt followed by another state was caught into it.
 */
export function visitsFromTrace(documents: TraceDocument[]): VisitRecord[] {
  const attempts = documents
    .filter(
      (document) => document.origin === "AWS::Lambda::Function" && typeof document.annotations?.state === "string",
    )
    .sort((a, b) => a.start_time - b.start_time);
  const visits: VisitRecord[] = [];
  for (const attempt of attempts) {
    const state = attempt.annotations?.state as string;
    const previous = visits.at(-1);
    let visit: VisitRecord;
    if (previous?.state === state && previous.errors.length > previous.retries) {
      visit = previous;
      visit.retries += 1;
    } else {
      visit = { state, type: "Task", enteredAt: attempt.start_time * 1000, errors: [], retries: 0 };
      visits.push(visit);
    }
    if (attempt.end_time !== undefined) visit.exitedAt = attempt.end_time * 1000;
    if (attempt.fault || attempt.error) {
      visit.errors.push({ ...exceptionOf(attempt), at: (attempt.end_time ?? attempt.start_time) * 1000 });
    }
  }
  visits.forEach((visit, index) => {
    const next = visits[index + 1];
    if (next && visit.errors.length > visit.retries) visit.caughtInto = next.state;
  });
  return visits;
}

const executionTraceIdOf = (visits: VisitRecord[]) =>
  visits
    .map(
      (visit) => (visit.output as { start?: { execution_trace_id?: unknown } } | undefined)?.start?.execution_trace_id,
    )
    .find((id): id is string => typeof id === "string");

export async function executionDetail(sources: DetailSources, id: string): Promise<ExecutionDetail | undefined> {
  const summary = sources.index.get(id);
  if (!summary) return undefined;
  const report = sources.index.reportOf(id);
  const traceId =
    sources.liveTraceId(summary.executionArn) ?? sources.telemetry.traceIdOfExecution(summary.executionArn);
  const documents = traceId ? sources.telemetry.documentsOf(traceId) : [];
  const visits: VisitRecord[] = report?.visits ?? visitsFromTrace(documents);
  const outcome = await sources
    .outcome(summary)
    .catch((error: unknown): OutcomeView => ({ record: { unreadable: (error as Error).message } }));
  // The record is the intent's: a duplicate execution finds the one of the execution that owns the intent.
  const ownRecord = outcome.record?.execution_id === summary.executionArn ? outcome.record : undefined;
  const recordTraceId = typeof ownRecord?.execution_trace_id === "string" ? ownRecord.execution_trace_id : undefined;
  const trace = traceId ? traceView(documents, traceId, sources.gatewayUrls) : undefined;
  return {
    summary,
    input: report?.input ?? {
      action_intent_id: summary.actionIntentId,
      tenant_id: summary.tenantId,
      account_id: summary.accountId,
    },
    ...(report?.output === undefined ? {} : { output: report.output }),
    ...(report?.cause ? { cause: report.cause } : {}),
    transitions: report?.transitions ?? [],
    path: executionPath(sources.graph, visits),
    ...(trace ? { trace } : {}),
    logs: sources.telemetry.logsOf(traceId, executionTraceIdOf(visits) ?? recordTraceId),
    outcome,
  };
}
