// The console's joins over telemetry: log lines found by the execution's X-Ray trace id or its engine trace
// id (each once, EMF and plain lines left out, lines written later found too), the trace as a timeline
// (depth, offsets, durations, what each segment called), and the Task states of an earlier run's
// execution read back from its Lambda segments.
import { describe, expect, it } from "vitest";
import type { TraceDocument } from "../xray-daemon.ts";
import { visitsFromTrace } from "./execution-detail.ts";
import { createTelemetryIndex } from "./telemetry-index.ts";
import { traceView } from "./trace-view.ts";

const log = (fields: Record<string, unknown>) =>
  JSON.stringify({ level: "INFO", timestamp: "2026-01-01T00:00:00.000Z", ...fields });
const emf = JSON.stringify({ _aws: { Timestamp: 1, CloudWatchMetrics: [] }, xray_trace_id: "1-aaa", Metric: 1 });

describe("log lines of an execution", () => {
  it("are the lines carrying its X-Ray or engine trace id, each once, in the order written", () => {
    const source = {
      logs: [
        { functionId: "execution-starter", line: log({ message: "first", xray_trace_id: "1-aaa" }) },
        { functionId: "execution-starter", line: emf },
        { functionId: "tool-invoker", line: "a plain line" },
        { functionId: "tool-invoker", line: log({ message: "other", xray_trace_id: "1-bbb" }) },
        {
          functionId: "execution-recorder",
          line: log({ message: "both ids", level: "WARN", xray_trace_id: "1-aaa", execution_trace_id: "exec-1" }),
        },
      ],
      documents: [],
    };
    const index = createTelemetryIndex(source);

    const before = index.logsOf("1-aaa", "exec-1").map((line) => [line.functionId, line.level, line.message]);
    source.logs.push({ functionId: "compensation", line: log({ message: "later", execution_trace_id: "exec-1" }) });
    const after = index.logsOf("1-aaa", "exec-1").map((line) => line.message);

    expect(before).toEqual([
      ["execution-starter", "INFO", "first"],
      ["execution-recorder", "WARN", "both ids"],
    ]);
    expect(after).toEqual(["first", "both ids", "later"]);
    expect(index.logsOf(undefined, undefined)).toEqual([]);
  });

  it("find an ended execution's trace by the execution ARN on its state machine segment", () => {
    const index = createTelemetryIndex({
      logs: [],
      documents: [
        {
          trace_id: "1-t",
          id: "r",
          name: "engine-local",
          origin: "AWS::StepFunctions::StateMachine",
          start_time: 1,
          annotations: { execution_arn: "arn:x" },
        },
      ],
    });

    expect(index.traceIdOfExecution("arn:x")).toBe("1-t");
    expect(index.traceIdOfExecution("arn:y")).toBeUndefined();
  });
});

const segment = (
  fields: Partial<TraceDocument> & Pick<TraceDocument, "id" | "name" | "start_time">,
): TraceDocument => ({
  trace_id: "1-t",
  ...fields,
});

describe("the trace timeline", () => {
  const gatewayUrls = ["http://127.0.0.1:3100/mcp", "http://127.0.0.1:3100/oauth2/token"];
  const documents: TraceDocument[] = [
    segment({
      id: "lambda",
      parent_id: "root",
      name: "engine-local-tool-invoker",
      origin: "AWS::Lambda::Function",
      start_time: 10.1,
      end_time: 10.5,
      annotations: { state: "InvokeTool" },
    }),
    segment({
      id: "handler",
      parent_id: "lambda",
      type: "subsegment",
      name: "## index.handler",
      start_time: 10.15,
      end_time: 10.45,
      subsegments: [
        segment({
          id: "put",
          name: "DynamoDB",
          start_time: 10.16,
          end_time: 10.2,
          aws: { operation: "PutItem", table_name: "engine-local-idempotency" },
        }),
        segment({
          id: "mcp",
          name: "127.0.0.1",
          start_time: 10.2,
          end_time: 10.3,
          http: { request: { method: "POST", url: "http://127.0.0.1/mcp" }, response: { status: 200 } },
        }),
        segment({
          id: "secret",
          name: "127.0.0.1",
          start_time: 10.3,
          end_time: 10.31,
          http: { request: { method: "POST", url: "http://127.0.0.1/" } },
        }),
        segment({
          id: "s3",
          name: "S3",
          start_time: 10.31,
          end_time: 10.4,
          fault: true,
          aws: { operation: "PutObject" },
        }),
      ],
    }),
  ];

  it("stands in for the state machine's segment while the execution runs", () => {
    const view = traceView(documents, "1-t", gatewayUrls);

    expect(view?.spans[0]).toMatchObject({
      id: "root",
      kind: "state-machine",
      name: "execution in progress",
      depth: 0,
    });
    expect(view?.spans[0]?.durationMs).toBeUndefined();
  });

  it("places every segment and subsegment by depth, offset and duration, named by what it called", () => {
    const root = segment({
      id: "root",
      name: "engine-local",
      origin: "AWS::StepFunctions::StateMachine",
      start_time: 10,
      end_time: 11,
    });

    const view = traceView([root, ...documents], "1-t", gatewayUrls);

    expect(view?.durationMs).toBe(1000);
    expect(view?.spans.map((span) => [span.id, span.depth, span.kind, span.offsetMs, span.durationMs])).toEqual([
      ["root", 0, "state-machine", 0, 1000],
      ["lambda", 1, "lambda", 100, 400],
      ["handler", 2, "handler", 150, 300],
      ["put", 3, "dynamodb", 160, 40],
      ["mcp", 3, "gateway", 200, 100],
      ["secret", 3, "http", 300, 10],
      ["s3", 3, "s3", 310, 90],
    ]);
    expect(view?.spans.find((span) => span.id === "put")?.detail).toBe("PutItem engine-local-idempotency");
    expect(view?.spans.find((span) => span.id === "mcp")?.detail).toBe("POST http://127.0.0.1/mcp -> 200");
    expect(view?.spans.find((span) => span.id === "s3")?.fault).toBe(true);
    expect(view?.spans.find((span) => span.id === "lambda")?.state).toBe("InvokeTool");
  });
});

describe("an earlier run's execution, read back from its trace", () => {
  const lambda = (id: string, state: string, start: number, fault = false): TraceDocument =>
    segment({
      id,
      parent_id: "root",
      name: `engine-local-${state}`,
      origin: "AWS::Lambda::Function",
      start_time: start,
      end_time: start + 0.1,
      annotations: { state },
      ...(fault ? { fault: true, cause: { exceptions: [{ type: "TransientError", message: "503" }] } } : {}),
    });

  it("has a Task state per run of Lambda segments, consecutive faulted attempts as retries", () => {
    const visits = visitsFromTrace([
      lambda("c", "InvokeTool", 3, true),
      lambda("a", "StartExecution", 1),
      lambda("d", "InvokeTool", 4, true),
      lambda("b", "ValidatePreflight", 2),
      lambda("e", "InvokeTool", 5),
      lambda("f", "RecordOutcome", 6),
    ]);

    expect(visits.map((visit) => [visit.state, visit.retries, visit.errors.length])).toEqual([
      ["StartExecution", 0, 0],
      ["ValidatePreflight", 0, 0],
      ["InvokeTool", 2, 2],
      ["RecordOutcome", 0, 0],
    ]);
    expect(visits[2]?.errors[0]).toMatchObject({ error: "TransientError", cause: "503" });
  });

  it("takes a faulted last attempt followed by another state as caught into it", () => {
    const visits = visitsFromTrace([lambda("a", "ValidatePreflight", 1, true), lambda("b", "RecordFailure", 2)]);

    expect(visits[0]).toMatchObject({ caughtInto: "RecordFailure", retries: 0 });
  });
});
