// One execution's X-Ray trace as the timeline the X-Ray console draws: every segment and subsegment in tree
// order with its depth, its offset from the trace's start and its duration, named by what it called
// (a function, DynamoDB, S3, the MCP gateway).
import { descendants, type TraceNode, traceTree } from "../trace-tree.ts";
import type { TraceDocument } from "../xray-daemon.ts";
import type { SpanKind, TraceSpan, TraceView } from "./api-types.ts";

interface HttpData {
  request?: { method?: string; url?: string };
  response?: { status?: number };
}

/**
 * Whether a request went to the MCP gateway (its tool endpoint or its token endpoint). The X-Ray SDK records
 * the URL without its port, so host and path decide.
 */
function toGateway(url: string, gatewayUrls: string[]): boolean {
  if (!URL.canParse(url)) return false;
  const called = new URL(url);
  return gatewayUrls.some((gatewayUrl) => {
    const gateway = new URL(gatewayUrl);
    return called.hostname === gateway.hostname && called.pathname === gateway.pathname;
  });
}

function kindOf(document: TraceDocument, gatewayUrls: string[]): SpanKind {
  if (document.origin === "AWS::StepFunctions::StateMachine") return "state-machine";
  if (document.origin === "AWS::Lambda::Function") return "lambda";
  if (document.name.startsWith("## ")) return "handler";
  if (document.name === "DynamoDB") return "dynamodb";
  if (document.name === "S3") return "s3";
  const url = (document.http as HttpData | undefined)?.request?.url;
  if (url && toGateway(url, gatewayUrls)) return "gateway";
  return url ? "http" : "other";
}

function detailOf(document: TraceDocument): string | undefined {
  const aws = document.aws as { operation?: string; table_name?: string; bucket_name?: string } | undefined;
  if (aws?.operation) {
    const resource = aws.table_name ?? aws.bucket_name;
    return resource ? `${aws.operation} ${resource}` : aws.operation;
  }
  const http = document.http as HttpData | undefined;
  if (!http?.request) return undefined;
  const status = http.response?.status ? ` -> ${http.response.status}` : "";
  return `${http.request.method ?? ""} ${http.request.url ?? ""}${status}`.trim();
}

/**
 * The state machine's segment is sent when the execution ends; until then its Lambda segments point at a
 * parent that is not there yet, which stands in for it here, in progress.
 */
function withRunningRoot(documents: TraceDocument[]): TraceDocument[] {
  if (documents.some((document) => document.origin === "AWS::StepFunctions::StateMachine")) return documents;
  const lambda = documents.find((document) => document.origin === "AWS::Lambda::Function" && document.parent_id);
  if (!lambda) return documents;
  const start = Math.min(...documents.map((document) => document.start_time));
  return [
    {
      trace_id: lambda.trace_id,
      id: lambda.parent_id as string,
      name: "execution in progress",
      origin: "AWS::StepFunctions::StateMachine",
      start_time: start,
      in_progress: true,
    },
    ...documents,
  ];
}

export function traceView(documents: TraceDocument[], traceId: string, gatewayUrls: string[]): TraceView | undefined {
  const root = traceTree(withRunningRoot(documents), traceId);
  if (!root) return undefined;
  const nodes = descendants(root);
  const startTime = Math.min(...nodes.map((node) => node.document.start_time));
  const ends = nodes.map((node) => node.document.end_time).filter((end): end is number => end !== undefined);
  const depthOf = new Map<TraceNode, number>([[root, 0]]);
  const spans: TraceSpan[] = nodes.map((node) => {
    const depth = depthOf.get(node) ?? 0;
    for (const child of node.children) depthOf.set(child, depth + 1);
    const { document } = node;
    const detail = detailOf(document);
    const state = document.annotations?.state;
    return {
      id: document.id,
      ...(document.parent_id ? { parentId: document.parent_id } : {}),
      depth,
      name: document.name,
      kind: kindOf(document, gatewayUrls),
      offsetMs: Math.round((document.start_time - startTime) * 1000),
      ...(document.end_time === undefined
        ? {}
        : { durationMs: Math.round((document.end_time - document.start_time) * 1000) }),
      ...(detail ? { detail } : {}),
      ...(typeof state === "string" ? { state } : {}),
      ...(document.fault ? { fault: true } : {}),
      ...(document.error ? { error: true } : {}),
      ...(document.throttle ? { throttle: true } : {}),
      ...(document.annotations ? { annotations: document.annotations } : {}),
    };
  });
  return {
    traceId,
    startTime: Math.round(startTime * 1000),
    ...(ends.length ? { durationMs: Math.round((Math.max(...ends) - startTime) * 1000) } : {}),
    spans,
  };
}
