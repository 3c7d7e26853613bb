// InvokeTool: one MCP `tools/call` through the gateway, at most once per idempotency key
// (#kernel/exactly-once.ts): a replayed task or execution gets the first call's result, not a second effect.
// Transport and protocol failures are thrown by name for the state machine (TransientError is retried
// there, never here); a tool that ran and reported failure is a result, recorded like a success.

import type { Context } from "aws-lambda";
import { type ObjectStore, objectStore } from "#kernel/clients/object-store.ts";
import { requireEnv, tableNameFromEnv } from "#kernel/config.ts";
import { EngineError, ValidationError } from "#kernel/errors.ts";
import { exactlyOnce } from "#kernel/exactly-once.ts";
import { connectGateway, readGatewayConfig } from "#kernel/mcp/gateway.ts";
import { MalformedReplyError, type McpClient, type McpReply } from "#kernel/mcp/mcp-client.ts";
import { readToolOutcome, type ToolOutcome } from "#kernel/mcp/tool-response.ts";
import { Metric } from "#kernel/metric-names.ts";
import { statePipeline } from "#kernel/pipeline.ts";
import { logger, publishDimensioned } from "#kernel/powertools.ts";
import type { InvokerInput, ToolResult } from "#schemas/states.ts";
import { InvokerInput as validateInput, ToolResult as validateOutput } from "#schemas/validators.generated.js";
import { artifactKey, storeRawResponse } from "./artifacts.ts";

/** The same limit the mapper enforces, checked again because this state's input can come from elsewhere. */
export const MAX_TOOL_ARGUMENTS_BYTES = 200 * 1024;

/**
 * How long a completed call's result is replayed instead of calling again: far beyond any run of an
 * execution (Express ends within five minutes, the Standard definition's retries within minutes), so every
 * replay an execution can see finds it; DynamoDB TTL removes the record afterwards.
 */
export const TOOL_CALL_RESULT_TTL_SECONDS = 24 * 60 * 60;

export interface InvokerDeps {
  gateway: McpClient;
  artifacts: ObjectStore;
  artifactsBucket: string;
  /** The idempotency table's physical name. */
  idempotencyTable: string;
}

/** Counts a failed call by class and, where the reply was kept, says where, then lets it go on to the state machine. */
function toolFailure(error: unknown, evidenceRef?: string): unknown {
  publishDimensioned(Metric.ToolErrors, error instanceof EngineError ? error.errorClass : "UNKNOWN", 1);
  if (evidenceRef && error instanceof Error) error.message = `${error.message}; raw reply kept at ${evidenceRef}`;
  return error;
}

/**
 * The raw reply of a call that did happen. Failing to keep it must not fail the call: the tool has acted,
 * and a thrown error would release the idempotency claim and let a retry act a second time.
 */
async function keepRawReply(
  { artifacts, artifactsBucket }: InvokerDeps,
  key: string,
  reply: McpReply,
): Promise<string | undefined> {
  try {
    return await storeRawResponse(artifacts, artifactsBucket, key, reply);
  } catch (error) {
    logger.error("the tool call succeeded but its raw reply could not be kept", { error, key });
    return undefined;
  }
}

/** The call itself, run once per idempotency key; its result is what the idempotency record keeps. */
async function callTool(input: InvokerInput, deps: InvokerDeps): Promise<ToolResult> {
  const { gateway, artifacts, artifactsBucket } = deps;
  const toolRunRef = `toolrun/${input.execution_trace_id}/${input.attempt_count}/${input.tool_name}`;
  const key = artifactKey(input.tenant_id, input.action_intent_id, toolRunRef);
  const started = performance.now();
  let reply: McpReply;
  try {
    reply = await gateway.callTool(input.tool_name, {
      ...input.tool_arguments,
      idempotency_key: input.idempotency_key,
    });
  } catch (error) {
    // A reply that could not be read is exactly what an operator needs to see: keep it.
    const evidence =
      error instanceof MalformedReplyError ? await storeRawResponse(artifacts, artifactsBucket, key, error) : undefined;
    throw toolFailure(error, evidence);
  }
  const durationMs = Math.round(performance.now() - started);
  publishDimensioned(Metric.ToolLatency, input.tool_name, durationMs);

  const rawResponseRef = await keepRawReply(deps, key, reply);
  let outcome: ToolOutcome;
  try {
    outcome = readToolOutcome(reply.response, input.tool_name);
  } catch (error) {
    throw toolFailure(error, rawResponseRef);
  }
  if (!outcome.success) publishDimensioned(Metric.ToolErrors, outcome.error_class ?? "UNKNOWN", 1);
  // Refs and status only: the raw reply stays in S3, so the idempotency record stays small.
  return { ...outcome, tool_run_ref: toolRunRef, raw_response_ref: rawResponseRef, duration_ms: durationMs };
}

export type ToolInvoker = (input: InvokerInput, context?: Context) => Promise<ToolResult>;

/**
 * The invoker over `deps`. The same idempotency key with other tool or arguments is a PermanentError; a
 * call with that key still in progress elsewhere is a ToolCallInProgressError, which InvokeTool retries
 * after the claim's longest life: its in-progress expiry is this invocation's deadline (`context`).
 */
export function createToolInvoker(deps: InvokerDeps): ToolInvoker {
  const callOnce = exactlyOnce((input: InvokerInput) => callTool(input, deps), {
    tableName: deps.idempotencyTable,
    keyPrefix: "tool-call",
    keyPath: "idempotency_key",
    validationPath: "[tool_name, tool_arguments]",
    expiresAfterSeconds: TOOL_CALL_RESULT_TTL_SECONDS,
  });
  return async (input, context) => {
    const size = Buffer.byteLength(JSON.stringify(input.tool_arguments));
    if (size > MAX_TOOL_ARGUMENTS_BYTES) {
      throw new ValidationError(`tool_arguments are ${size} bytes, over the ${MAX_TOOL_ARGUMENTS_BYTES}-byte limit`);
    }
    return callOnce(input, context);
  };
}

const invokeTool = createToolInvoker({
  gateway: connectGateway(readGatewayConfig(), "tool-invoker"),
  artifacts: objectStore,
  artifactsBucket: requireEnv("ARTIFACTS_BUCKET"),
  idempotencyTable: tableNameFromEnv("idempotency"),
});

export const handler = statePipeline<InvokerInput, ToolResult>(
  { input: validateInput, output: validateOutput },
  (input, context) => invokeTool(input, context),
);
