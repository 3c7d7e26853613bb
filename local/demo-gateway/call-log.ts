// Every `tools/call` that reaches the MCP endpoint, with the HTTP status it was answered with, so a test can
// count attempts and prove a side effect happened exactly once however many times the call was retried.
import type { ServerResponse } from "node:http";

/** A JSON-RPC `tools/call` request, as read from an HTTP body before any MCP handling. */
export type ToolCall = {
  requestId: string | number;
  name: string;
  arguments: Record<string, unknown>;
  idempotencyKey: string | undefined;
};

export type CallRecord = {
  tool: string;
  arguments: Record<string, unknown>;
  idempotency_key: string | null;
  /** null while the reply has not started, e.g. during a `demo.slow` call in JSON mode. */
  http_status: number | null;
  session_id: string | null;
  at: string;
};

export interface CallLog {
  record(call: ToolCall, response: ServerResponse, sessionId: string | undefined): void;
  list(): CallRecord[];
  clear(): void;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The tool call carried by a single JSON-RPC message; batches and other methods yield undefined. */
export function toolCallIn(message: unknown): ToolCall | undefined {
  if (!isObject(message) || message.method !== "tools/call" || !isObject(message.params)) return undefined;
  const { id } = message;
  const { name, arguments: args } = message.params;
  if ((typeof id !== "string" && typeof id !== "number") || typeof name !== "string") return undefined;
  const toolArguments = isObject(args) ? args : {};
  const key = toolArguments.idempotency_key;
  return {
    requestId: id,
    name,
    arguments: toolArguments,
    idempotencyKey: typeof key === "string" ? key : undefined,
  };
}

export function createCallLog(): CallLog {
  const entries: { record: Omit<CallRecord, "http_status">; response: ServerResponse }[] = [];
  return {
    record(call, response, sessionId) {
      entries.push({
        record: {
          tool: call.name,
          arguments: call.arguments,
          idempotency_key: call.idempotencyKey ?? null,
          session_id: sessionId ?? null,
          at: new Date().toISOString(),
        },
        response,
      });
    },
    // The status is read from the response when the log is read: the SDK transport decides it after the call
    // is logged, and by the time a client holds the tool result its headers have been sent.
    list: () =>
      entries.map(({ record, response }) => ({
        ...record,
        http_status: response.headersSent ? response.statusCode : null,
      })),
    clear() {
      entries.length = 0;
    },
  };
}
