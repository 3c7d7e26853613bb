// Assembles X-Ray documents into the tree a user reads in the X-Ray console: the state machine's segment,
// each Lambda segment under it, and every subsegment under those, with durations and error marks.
import type { TraceDocument } from "./xray-daemon.ts";

export interface TraceNode {
  document: TraceDocument;
  children: TraceNode[];
}

/** Every document of one trace, linked by parent id; subsegments embedded in a document are included. */
export function traceTree(documents: TraceDocument[], traceId: string): TraceNode | undefined {
  const nodes = new Map<string, TraceNode>();
  const add = (document: TraceDocument, parentId?: string) => {
    const node = nodes.get(document.id) ?? { document, children: [] };
    node.document = { ...document, parent_id: document.parent_id ?? parentId };
    nodes.set(document.id, node);
    for (const child of document.subsegments ?? []) add(child, document.id);
  };
  for (const document of documents.filter((candidate) => candidate.trace_id === traceId)) add(document);
  let root: TraceNode | undefined;
  for (const node of nodes.values()) {
    const parent = node.document.parent_id ? nodes.get(node.document.parent_id) : undefined;
    if (parent) parent.children.push(node);
    else if (!root || node.document.origin === "AWS::StepFunctions::StateMachine") root = node;
  }
  const byStart = (a: TraceNode, b: TraceNode) => a.document.start_time - b.document.start_time;
  for (const node of nodes.values()) node.children.sort(byStart);
  return root;
}

/** The trace ids of an intent's executions, newest last. */
export function tracesOfIntent(documents: TraceDocument[], actionIntentId: string): string[] {
  return documents
    .filter(
      (document) =>
        document.origin === "AWS::StepFunctions::StateMachine" &&
        document.annotations?.action_intent_id === actionIntentId,
    )
    .sort((a, b) => a.start_time - b.start_time)
    .map((document) => document.trace_id);
}

/** Every node below (and including) this one. */
export function descendants(node: TraceNode): TraceNode[] {
  return [node, ...node.children.flatMap(descendants)];
}

function label(document: TraceDocument): string {
  const aws = document.aws as { operation?: string } | undefined;
  const http = document.http as
    | { request?: { method?: string; url?: string }; response?: { status?: number } }
    | undefined;
  const detail = aws?.operation
    ? ` ${aws.operation}`
    : http?.request
      ? ` ${http.request.method ?? ""} ${http.request.url ?? ""}${http.response?.status ? ` -> ${http.response.status}` : ""}`
      : "";
  const state = document.annotations?.state ? ` (${document.annotations.state})` : "";
  return `${document.name}${detail}${state}`;
}

/** The tree as text, one node a line, indented by depth. */
export function renderTraceTree(root: TraceNode): string[] {
  const lines: string[] = [];
  const visit = (node: TraceNode, depth: number) => {
    const { document } = node;
    const ms =
      document.end_time === undefined
        ? "in progress"
        : `${Math.round((document.end_time - document.start_time) * 1000)} ms`;
    const marks = [document.fault && "FAULT", document.error && "ERROR", document.throttle && "THROTTLE"]
      .filter(Boolean)
      .join(" ");
    const annotations = Object.entries(document.annotations ?? {})
      .filter(([key]) => !["state", "ColdStart", "Service"].includes(key))
      .map(([key, value]) => `${key}=${value}`)
      .join(" ");
    lines.push(
      `${"  ".repeat(depth)}${label(document)}  ${ms}${marks ? `  [${marks}]` : ""}${annotations ? `  ${annotations}` : ""}`,
    );
    for (const child of node.children) visit(child, depth + 1);
  };
  visit(root, 0);
  return lines;
}
