// What CloudWatch and X-Ray would hold for the local engine: the functions' EMF metrics and log lines,
// the metrics AWS publishes itself (AWS/Lambda per invocation, AWS/States per execution), and one X-Ray
// trace per execution: the state machine's segment, each Lambda invocation's segment beneath it, and the
// subsegments the functions' X-Ray SDK sends. Kept in memory and appended to files under the engine's
// state directory, for `npm run metrics` and `npm run traces` to read from another process; what earlier
// runs on that directory captured is read back at start, as CloudWatch and X-Ray keep it across deploys.
// The files are written off the main thread (a write of every line queued at a time), and `close` waits
// for the last: every execution's path passes here, and a synchronous write per line held it up.
import { join } from "node:path";
import type { Datapoint } from "../infra/observability/evaluate.ts";
import { createJsonLinesAppender, readJsonLines } from "./json-lines.ts";
import { THROTTLED_ERROR } from "./lambda-concurrency.ts";
import type { ExecutionReport, InvocationContext } from "./state-machine.ts";
import { newSegmentId, newTraceId, type TraceDocument } from "./xray-daemon.ts";

export const METRICS_FILE = "metrics.jsonl";
export const TRACES_FILE = "traces.jsonl";
export const LOGS_FILE = "logs.jsonl";
/** The stack's alarm specs over the local engine's resources, for `npm run metrics`. */
export const ALARMS_FILE = "alarm-specs.json";

export interface LogLine {
  functionId: string;
  line: string;
}

interface EmfDirective {
  Namespace: string;
  Dimensions: string[][];
  Metrics: { Name: string }[];
}

/** The datapoints of one EMF line, one per metric value and dimension set; none for any other line. */
export function datapointsOfEmf(line: string): Datapoint[] {
  if (!line.includes('"_aws"')) return [];
  let record: Record<string, unknown> & { _aws?: { Timestamp?: number; CloudWatchMetrics?: EmfDirective[] } };
  try {
    record = JSON.parse(line);
  } catch {
    return [];
  }
  const timestamp = record._aws?.Timestamp ?? Date.now();
  return (record._aws?.CloudWatchMetrics ?? []).flatMap((directive) =>
    directive.Dimensions.flatMap((dimensionSet) =>
      directive.Metrics.flatMap(({ Name }) => {
        const raw = record[Name];
        const values = (Array.isArray(raw) ? raw : [raw]).filter((value): value is number => typeof value === "number");
        const dimensions = Object.fromEntries(dimensionSet.map((name) => [name, String(record[name])]));
        return values.map((value) => ({
          namespace: directive.Namespace,
          metricName: Name,
          dimensions,
          timestamp,
          value,
        }));
      }),
    ),
  );
}

interface ExecutionTrace {
  traceId: string;
  rootId: string;
  start: number;
  input: unknown;
}

/** The AWS/States count an execution's end adds to; a stopped Express execution counts as timed out. */
const statesMetricOf = {
  SUCCEEDED: "ExecutionsSucceeded",
  FAILED: "ExecutionsFailed",
  TIMED_OUT: "ExecutionsTimedOut",
} as const satisfies Record<ExecutionReport["status"], string>;

export function createTelemetry(options: {
  directory: string;
  stateMachineArn: string;
  functionName: (id: string) => string;
}) {
  const metricsFile = join(options.directory, METRICS_FILE);
  const tracesFile = join(options.directory, TRACES_FILE);
  const logsFile = join(options.directory, LOGS_FILE);
  const datapoints = readJsonLines<Datapoint>(metricsFile, { repair: true });
  const documents = readJsonLines<TraceDocument>(tracesFile, { repair: true });
  const logs = readJsonLines<LogLine>(logsFile, { repair: true });
  const traces = new Map<string, ExecutionTrace>();
  const files = {
    metrics: createJsonLinesAppender(metricsFile),
    traces: createJsonLinesAppender(tracesFile),
    logs: createJsonLinesAppender(logsFile),
  };

  const addDatapoints = (points: Datapoint[]) => {
    if (points.length === 0) return;
    datapoints.push(...points);
    files.metrics.append(points);
  };
  const addDocument = (document: TraceDocument) => {
    documents.push(document);
    files.traces.append([document]);
  };
  const traceOf = (executionArn: string, input: unknown): ExecutionTrace => {
    let trace = traces.get(executionArn);
    if (!trace) {
      trace = { traceId: newTraceId(), rootId: newSegmentId(), start: Date.now(), input };
      traces.set(executionArn, trace);
    }
    return trace;
  };
  const seconds = (ms: number) => ms / 1000;
  const intentAnnotations = (input: unknown) => {
    const fields = (input ?? {}) as Record<string, unknown>;
    return Object.fromEntries(
      ["action_intent_id", "tenant_id", "account_id"]
        .filter((key) => typeof fields[key] === "string")
        .map((key) => [key, fields[key] as string]),
    );
  };

  return {
    datapoints,
    documents,
    logs,
    /** A line a function wrote: EMF lines become datapoints, every line is kept as a log line. */
    functionOutput(functionId: string, line: string) {
      const log = { functionId, line };
      logs.push(log);
      files.logs.append([log]);
      addDatapoints(datapointsOfEmf(line));
    },
    /** A document the functions' X-Ray SDK sent to the daemon. */
    traceDocument: addDocument,
    /** The X-Ray trace id of an execution in flight; an ended one's is on its state machine segment. */
    traceIdOf: (executionArn: string): string | undefined => traces.get(executionArn)?.traceId,
    /**
     * Opens the Lambda segment of one invocation (as the Lambda service does) and answers the trace header
     * the function gets; `finish` closes it with the outcome and records AWS/Lambda's metrics.
     */
    startInvocation(functionId: string, invocation: InvocationContext, input: unknown) {
      const trace = traceOf(invocation.executionArn, input);
      const segmentId = newSegmentId();
      const start = Date.now();
      return {
        traceHeader: `Root=${trace.traceId};Parent=${segmentId};Sampled=1`,
        finish(failure?: { errorType: string; errorMessage: string }) {
          const end = Date.now();
          const name = options.functionName(functionId);
          // A throttle is Lambda's 429 (X-Ray's `throttle`, an error, not a fault), and no invocation: AWS/Lambda
          // counts it in Throttles alone, never in Invocations, Errors or Duration
          // (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html).
          const throttled = failure?.errorType === THROTTLED_ERROR;
          const outcome = throttled ? { error: true, throttle: true } : { fault: true };
          addDocument({
            trace_id: trace.traceId,
            id: segmentId,
            parent_id: trace.rootId,
            name,
            origin: "AWS::Lambda::Function",
            start_time: seconds(start),
            end_time: seconds(end),
            annotations: { state: invocation.stateName },
            ...(failure
              ? { ...outcome, cause: { exceptions: [{ type: failure.errorType, message: failure.errorMessage }] } }
              : {}),
          });
          const dimensions = { FunctionName: name };
          if (throttled) {
            addDatapoints([{ namespace: "AWS/Lambda", metricName: "Throttles", dimensions, timestamp: end, value: 1 }]);
            return;
          }
          addDatapoints([
            { namespace: "AWS/Lambda", metricName: "Invocations", dimensions, timestamp: end, value: 1 },
            { namespace: "AWS/Lambda", metricName: "Errors", dimensions, timestamp: end, value: failure ? 1 : 0 },
            { namespace: "AWS/Lambda", metricName: "Duration", dimensions, timestamp: end, value: end - start },
          ]);
        },
      };
    },
    /** A response of the status function through the HTTP API, as AWS/ApiGateway counts it. */
    apiResponse(apiId: string, statusCode: number, latencyMs: number) {
      const dimensions = { ApiId: apiId, Stage: "$default" };
      const timestamp = Date.now();
      addDatapoints([
        { namespace: "AWS/ApiGateway", metricName: "Count", dimensions, timestamp, value: 1 },
        {
          namespace: "AWS/ApiGateway",
          metricName: "4xx",
          dimensions,
          timestamp,
          value: statusCode >= 400 && statusCode < 500 ? 1 : 0,
        },
        { namespace: "AWS/ApiGateway", metricName: "5xx", dimensions, timestamp, value: statusCode >= 500 ? 1 : 0 },
        { namespace: "AWS/ApiGateway", metricName: "Latency", dimensions, timestamp, value: latencyMs },
      ]);
    },
    /** Closes the execution's state machine segment and records AWS/States' metrics. */
    executionEnded(report: ExecutionReport) {
      const trace = traceOf(report.executionArn, report.input);
      const end = Date.now();
      addDocument({
        trace_id: trace.traceId,
        id: trace.rootId,
        name: options.stateMachineArn.split(":").pop() ?? "state-machine",
        origin: "AWS::StepFunctions::StateMachine",
        start_time: seconds(trace.start),
        end_time: seconds(end),
        annotations: { ...intentAnnotations(report.input), execution_arn: report.executionArn, status: report.status },
        ...(report.status !== "SUCCEEDED"
          ? { error: true, cause: { exceptions: [{ type: report.error ?? "Failed", message: report.cause ?? "" }] } }
          : {}),
      });
      const dimensions = { StateMachineArn: options.stateMachineArn };
      addDatapoints([
        { namespace: "AWS/States", metricName: "ExecutionsStarted", dimensions, timestamp: trace.start, value: 1 },
        {
          namespace: "AWS/States",
          metricName: statesMetricOf[report.status],
          dimensions,
          timestamp: end,
          value: 1,
        },
        { namespace: "AWS/States", metricName: "ExecutionTime", dimensions, timestamp: end, value: end - trace.start },
      ]);
      traces.delete(report.executionArn);
    },
    /** Resolves once every line is in the files. */
    close: async () => {
      await Promise.all(Object.values(files).map((file) => file.close()));
    },
  };
}

export type Telemetry = ReturnType<typeof createTelemetry>;
