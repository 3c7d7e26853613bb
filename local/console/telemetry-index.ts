// The engine's log lines and trace documents by trace id, as CloudWatch Logs Insights and X-Ray find them:
// indexed as they arrive (each line parsed once), so one execution's share is found without a scan of
// everything every run on the state directory captured.
import type { TraceDocument } from "../xray-daemon.ts";
import type { LogLineView } from "./api-types.ts";

export interface TelemetrySource {
  logs: { functionId: string; line: string }[];
  documents: TraceDocument[];
}

/** A Powertools log line as the console shows it; none for EMF lines and lines that are not JSON. */
export function logLineOf(functionId: string, line: string): LogLineView | undefined {
  if (!line.startsWith("{")) return undefined;
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if ("_aws" in record || typeof record.level !== "string") return undefined;
  const time = typeof record.timestamp === "string" ? Date.parse(record.timestamp) : Number.NaN;
  return {
    functionId,
    level: record.level,
    ...(Number.isNaN(time) ? {} : { time }),
    message: typeof record.message === "string" ? record.message : JSON.stringify(record.message),
    record,
  };
}

export function createTelemetryIndex(source: TelemetrySource) {
  const logsByTrace = new Map<string, LogLineView[]>();
  /** Each indexed line's place among all lines: the order they were written in. */
  const arrival = new Map<LogLineView, number>();
  const documentsByTrace = new Map<string, TraceDocument[]>();
  /** Execution ARN -> trace id, from the state machine segment that closes each execution's trace. */
  const traceOfExecution = new Map<string, string>();
  let logsRead = 0;
  let documentsRead = 0;
  const add = <T>(map: Map<string, T[]>, key: string, value: T) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };

  const catchUp = () => {
    for (; logsRead < source.logs.length; logsRead++) {
      const { functionId, line } = source.logs[logsRead] as TelemetrySource["logs"][number];
      const view = logLineOf(functionId, line);
      if (!view) continue;
      arrival.set(view, logsRead);
      // The X-Ray trace id Powertools adds from the invocation's trace header; the engine's own trace id
      // too, for lines written before a function's X-Ray context exists.
      const keys = new Set([view.record.xray_trace_id, view.record.execution_trace_id]);
      for (const key of keys) if (typeof key === "string") add(logsByTrace, key, view);
    }
    for (; documentsRead < source.documents.length; documentsRead++) {
      const document = source.documents[documentsRead] as TraceDocument;
      add(documentsByTrace, document.trace_id, document);
      const executionArn = document.annotations?.execution_arn;
      if (document.origin === "AWS::StepFunctions::StateMachine" && typeof executionArn === "string") {
        traceOfExecution.set(executionArn, document.trace_id);
      }
    }
  };

  return {
    /** Lines carrying any of these trace ids, each once, in the order they were written. */
    logsOf(...traceIds: (string | undefined)[]): LogLineView[] {
      catchUp();
      const lines = new Set<LogLineView>();
      for (const id of traceIds) if (id) for (const line of logsByTrace.get(id) ?? []) lines.add(line);
      const order = (line: LogLineView) => arrival.get(line) ?? 0;
      return [...lines].sort((a, b) => order(a) - order(b));
    },
    documentsOf(traceId: string): TraceDocument[] {
      catchUp();
      return documentsByTrace.get(traceId) ?? [];
    },
    /** The trace id of an ended execution, from its state machine segment. */
    traceIdOfExecution(executionArn: string): string | undefined {
      catchUp();
      return traceOfExecution.get(executionArn);
    },
  };
}

export type TelemetryIndex = ReturnType<typeof createTelemetryIndex>;
