// The demo gateway's MCP tools. Each call's outcome is JSON in one text content item and the same object as
// `structuredContent`; a business failure is a result with `isError: true`, never a JSON-RPC error, as the
// engine's tool invoker expects from AgentCore Gateway. Every tool replays its first outcome per idempotency key.
import { setTimeout as sleep } from "node:timers/promises";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import * as z from "zod";
import { type ExternalObjectRef, type ObjectKind, type ObjectStore, refOf } from "./store.ts";

export type ToolSuccess = { success: true; external_object_refs: ExternalObjectRef[] };
/** The single-object form older tools still answer with; the invoker must accept it too. */
export type LegacyToolSuccess = { success: true; external_object_ref: ExternalObjectRef };
export type ToolFailure = {
  success: false;
  error_code: string;
  error_class: string;
  error_message: string;
  external_object_refs: ExternalObjectRef[];
};
export type ToolOutcome = ToolSuccess | LegacyToolSuccess | ToolFailure;

export type ToolContext = {
  store: ObjectStore;
  /** Aborted when the gateway stops, so a `demo.slow` call in flight leaves no timer behind. */
  stopping: AbortSignal;
};

const CRM_TASK: ObjectKind = { system: "crm", object_type: "task" };
const CALENDAR_EVENT: ObjectKind = { system: "calendar", object_type: "event" };
const INTERNAL_NOTE: ObjectKind = { system: "internal", object_type: "note" };
const DEMO_RECORD: ObjectKind = { system: "demo", object_type: "record" };

export const MAX_SLOW_DELAY_MS = 120_000;

const idempotencyKey = z.string().min(1).describe("Same key, same outcome: a repeated call acts only once");

function asToolResult(outcome: ToolOutcome): CallToolResult {
  return {
    content: [{ type: "text", text: JSON.stringify(outcome) }],
    structuredContent: outcome,
    isError: !outcome.success,
  };
}

const failure = (error_code: string, error_class: string, error_message: string, refs: ExternalObjectRef[] = []) =>
  ({ success: false, error_code, error_class, error_message, external_object_refs: refs }) satisfies ToolFailure;

function createOnce(
  context: ToolContext,
  toolName: string,
  kind: ObjectKind,
  key: string,
  attributes: Record<string, unknown>,
): ToolSuccess {
  return context.store.once(toolName, key, () => ({
    success: true,
    external_object_refs: [refOf(context.store.create(kind, key, attributes))],
  }));
}

/** An unknown id is a business failure; the same key after a successful delete replays that success. */
function deleteOnce(context: ToolContext, toolName: string, kind: ObjectKind, objectId: string, key: string) {
  return context.store.once(toolName, key, (): ToolOutcome => {
    const object = context.store.find(kind, objectId);
    if (object === undefined || object.deleted) {
      return failure("NOT_FOUND", "VALIDATION", `no live ${kind.system} ${kind.object_type} with id ${objectId}`);
    }
    context.store.markDeleted(object);
    return { success: true, external_object_refs: [refOf(object)] };
  });
}

/** What the engine's compensation passes to a compensation tool: the object to undo and a fresh key. */
const compensationArguments = {
  object_id: z.string().min(1),
  object_type: z.string().optional(),
  system: z.string().optional(),
  idempotency_key: idempotencyKey,
};

function registerBusinessTools(server: McpServer, context: ToolContext): void {
  server.registerTool(
    "crm.create_task",
    {
      description: "Creates a CRM task on an account",
      inputSchema: {
        title: z.string().min(1),
        account_id: z.string().min(1),
        due_date: z.string().optional().describe("ISO 8601 date"),
        idempotency_key: idempotencyKey,
      },
    },
    ({ idempotency_key, ...task }) =>
      asToolResult(createOnce(context, "crm.create_task", CRM_TASK, idempotency_key, task)),
  );
  server.registerTool(
    "crm.delete_task",
    {
      description: "Deletes a CRM task (the compensation of crm.create_task)",
      inputSchema: compensationArguments,
    },
    ({ object_id, idempotency_key }) =>
      asToolResult(deleteOnce(context, "crm.delete_task", CRM_TASK, object_id, idempotency_key)),
  );
  server.registerTool(
    "calendar.create_event",
    {
      description: "Creates a calendar event",
      inputSchema: {
        title: z.string().min(1),
        start: z.string().min(1).describe("ISO 8601 date-time"),
        end: z.string().optional().describe("ISO 8601 date-time"),
        idempotency_key: idempotencyKey,
      },
    },
    ({ idempotency_key, ...event }) =>
      asToolResult(createOnce(context, "calendar.create_event", CALENDAR_EVENT, idempotency_key, event)),
  );
  server.registerTool(
    "calendar.delete_event",
    {
      description: "Deletes a calendar event (the compensation of calendar.create_event)",
      inputSchema: compensationArguments,
    },
    ({ object_id, idempotency_key }) =>
      asToolResult(deleteOnce(context, "calendar.delete_event", CALENDAR_EVENT, object_id, idempotency_key)),
  );
  server.registerTool(
    "internal.create_note",
    {
      description: "Creates an internal note; answers with the legacy singular external_object_ref",
      inputSchema: { text: z.string().min(1), idempotency_key: idempotencyKey },
    },
    ({ text, idempotency_key }) =>
      asToolResult(
        context.store.once("internal.create_note", idempotency_key, () => ({
          success: true,
          external_object_ref: refOf(context.store.create(INTERNAL_NOTE, idempotency_key, { text })),
        })),
      ),
  );
}

function registerFaultTools(server: McpServer, context: ToolContext): void {
  server.registerTool(
    "demo.flaky",
    {
      description: "HTTP 503 for the first fail_times calls with an idempotency key, then creates one demo record",
      inputSchema: { fail_times: z.number().int().min(0), idempotency_key: idempotencyKey },
    },
    ({ idempotency_key }) => asToolResult(createOnce(context, "demo.flaky", DEMO_RECORD, idempotency_key, {})),
  );
  server.registerTool(
    "demo.slow",
    {
      description: "Answers after delay_ms, then creates one demo record",
      inputSchema: { delay_ms: z.number().int().min(0).max(MAX_SLOW_DELAY_MS), idempotency_key: idempotencyKey },
    },
    // Deaf to the client hanging up, like a real downstream: a caller that times out has not prevented the
    // write, and only a retry with the same key shows what happened.
    async ({ delay_ms, idempotency_key }) => {
      await sleep(delay_ms, undefined, { signal: context.stopping });
      return asToolResult(createOnce(context, "demo.slow", DEMO_RECORD, idempotency_key, { delay_ms }));
    },
  );
  server.registerTool(
    "demo.fail_after_write",
    {
      description: "Creates one demo record, then reports a downstream failure that names it",
      inputSchema: { idempotency_key: idempotencyKey },
    },
    ({ idempotency_key }) =>
      asToolResult(
        context.store.once("demo.fail_after_write", idempotency_key, () => {
          const written = context.store.create(DEMO_RECORD, idempotency_key, {});
          return failure(
            "DOWNSTREAM_FAILED_AFTER_WRITE",
            "DOWNSTREAM",
            "the record was written, then the system failed",
            [refOf(written)],
          );
        }),
      ),
  );
  server.registerTool(
    "demo.delete_record",
    {
      description: "Deletes a demo record (the compensation of demo.fail_after_write)",
      inputSchema: compensationArguments,
    },
    ({ object_id, idempotency_key }) =>
      asToolResult(deleteOnce(context, "demo.delete_record", DEMO_RECORD, object_id, idempotency_key)),
  );
  // These two are answered by the HTTP layer (faults.ts); their handlers run only if that layer is bypassed,
  // e.g. inside a JSON-RPC batch, and say so rather than pretend to succeed.
  const notInjected = () =>
    asToolResult(failure("FAULT_NOT_INJECTED", "UNKNOWN", "HTTP-level fault tools must be called one per request"));
  server.registerTool(
    "demo.throttled",
    {
      description: "Always HTTP 429 with Retry-After (retry_after_seconds, default 1)",
      inputSchema: { retry_after_seconds: z.number().int().min(0).optional(), idempotency_key: idempotencyKey },
    },
    notInjected,
  );
  server.registerTool(
    "demo.malformed",
    {
      description: "HTTP 200 whose body is not a JSON-RPC message (reply: not_jsonrpc, the default, or not_json)",
      inputSchema: { reply: z.enum(["not_jsonrpc", "not_json"]).optional(), idempotency_key: idempotencyKey },
    },
    notInjected,
  );
}

/** One MCP server per session (stateful) or per request (stateless), all sharing the gateway's store. */
export function createToolServer(context: ToolContext): McpServer {
  const server = new McpServer({ name: "demo-gateway", version: "1.0.0" });
  registerBusinessTools(server, context);
  registerFaultTools(server, context);
  return server;
}
