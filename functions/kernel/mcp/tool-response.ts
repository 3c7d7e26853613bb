// Reads what a tool answered (the `tools/call` result) into the engine's terms: success or a business
// failure with its class, and the external objects it wrote. Anything that is not an MCP tool result
// is a PermanentError naming what was wrong.
import type { FromSchema } from "json-schema-to-ts";
import { errorClass, type externalObjectRef } from "#schemas/common.ts";
import { type ErrorClass, PermanentError } from "../errors.ts";
import type { JsonRpcResponse } from "./mcp-client.ts";

export type ExternalObjectRef = FromSchema<typeof externalObjectRef>;

export interface ToolOutcome {
  success: boolean;
  external_object_refs: ExternalObjectRef[];
  error_code?: string;
  error_class?: ErrorClass;
  error_message?: string;
}

const errorClasses = new Set<string>(errorClass.enum);

/** JSON-RPC errors a gateway answers for a call it could not make: bad params are our fault, the rest theirs. */
const INVALID_PARAMS = -32602;

type Payload = Record<string, unknown>;

/** The tool's own report: `structuredContent` when given, else the first text content that is JSON. */
function toolPayload(result: Payload): Payload | undefined {
  if (typeof result.structuredContent === "object" && result.structuredContent !== null) {
    return result.structuredContent as Payload;
  }
  for (const item of result.content as unknown[]) {
    const content = item as { type?: unknown; text?: unknown };
    if (content.type !== "text" || typeof content.text !== "string") continue;
    try {
      const parsed: unknown = JSON.parse(content.text);
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as Payload;
    } catch {
      // Plain-text content is allowed; it just carries no structured report.
    }
  }
  return undefined;
}

function firstText(result: Payload): string | undefined {
  for (const item of result.content as unknown[]) {
    const content = item as { type?: unknown; text?: unknown };
    if (content.type === "text" && typeof content.text === "string") return content.text;
  }
  return undefined;
}

function toRef(value: unknown, toolName: string, where: string): ExternalObjectRef {
  const ref = value as Payload | null;
  if (
    typeof ref !== "object" ||
    ref === null ||
    typeof ref.object_id !== "string" ||
    typeof ref.object_type !== "string"
  ) {
    throw new PermanentError(`${toolName} reported ${where} without a string object_id and object_type`);
  }
  return {
    system: typeof ref.system === "string" && ref.system ? ref.system : toolName.split(".")[0] || toolName,
    object_type: ref.object_type,
    object_id: ref.object_id,
    ...(typeof ref.object_url === "string" ? { object_url: ref.object_url } : {}),
  };
}

/**
 * `external_object_refs` (array) is the contract; the legacy single forms, `external_object_ref` or
 * `external_object_id` + `object_type`, are still read. The system defaults to the tool's namespace.
 */
export function extractExternalObjectRefs(payload: Payload | undefined, toolName: string): ExternalObjectRef[] {
  if (!payload) return [];
  if (Array.isArray(payload.external_object_refs)) {
    return payload.external_object_refs.map((ref, index) => toRef(ref, toolName, `external_object_refs[${index}]`));
  }
  if (payload.external_object_ref !== undefined)
    return [toRef(payload.external_object_ref, toolName, "external_object_ref")];
  if (payload.external_object_id !== undefined) {
    return [toRef({ ...payload, object_id: payload.external_object_id }, toolName, "external_object_id")];
  }
  return [];
}

export function readToolOutcome(response: JsonRpcResponse, toolName: string): ToolOutcome {
  if (response.error) {
    throw new PermanentError(
      `gateway could not call ${toolName}: JSON-RPC error ${response.error.code} ${response.error.message}`,
      {
        errorClass: response.error.code === INVALID_PARAMS ? "VALIDATION" : "DOWNSTREAM",
      },
    );
  }
  const result = response.result as Payload | undefined;
  if (typeof result !== "object" || result === null || !Array.isArray(result.content)) {
    throw new PermanentError(`gateway reply to ${toolName} is not an MCP tool result (no content array)`);
  }
  const payload = toolPayload(result);
  const external_object_refs = extractExternalObjectRefs(payload, toolName);
  const failed = result.isError === true || payload?.success === false;
  if (!failed) return { success: true, external_object_refs };

  const reported = payload?.error_class;
  const message = payload?.error_message ?? payload?.message ?? firstText(result);
  return {
    success: false,
    external_object_refs,
    error_code:
      typeof payload?.error_code === "string" && payload.error_code ? payload.error_code : "TOOL_REPORTED_FAILURE",
    error_class: typeof reported === "string" && errorClasses.has(reported) ? (reported as ErrorClass) : "DOWNSTREAM",
    error_message: typeof message === "string" ? message.slice(0, 1000) : undefined,
  };
}
