// InvokeTool: one MCP `tools/call` through the gateway. Transport and protocol failures are thrown by
// name for the state machine (TransientError is retried there, never here); a tool that ran and
// reported failure is a result, recorded like a success.

import { type ObjectStore, objectStore } from "#kernel/clients/object-store.ts";
import { requireEnv } from "#kernel/config.ts";
import { EngineError, ValidationError } from "#kernel/errors.ts";
import { connectGateway, readGatewayConfig } from "#kernel/mcp/gateway.ts";
import { MalformedReplyError, type McpClient, type McpReply } from "#kernel/mcp/mcp-client.ts";
import { readToolOutcome, type ToolOutcome } from "#kernel/mcp/tool-response.ts";
import { Metric } from "#kernel/metric-names.ts";
import { statePipeline } from "#kernel/pipeline.ts";
import { publishDimensioned } from "#kernel/powertools.ts";
import type { InvokerInput, ToolResult } from "#schemas/states.ts";
import { InvokerInput as validateInput, ToolResult as validateOutput } from "#schemas/validators.generated.js";
import { artifactKey, storeRawResponse } from "./artifacts.ts";

/** The same limit the mapper enforces, checked again because this state's input can come from elsewhere. */
export const MAX_TOOL_ARGUMENTS_BYTES = 200 * 1024;

export interface InvokerDeps {
  gateway: McpClient;
  artifacts: ObjectStore;
  artifactsBucket: string;
}

const deps: InvokerDeps = {
  gateway: connectGateway(readGatewayConfig(), "tool-invoker"),
  artifacts: objectStore,
  artifactsBucket: requireEnv("ARTIFACTS_BUCKET"),
};

/** Counts a failed call by class and, where the reply was kept, says where, then lets it go on to the state machine. */
function toolFailure(error: unknown, evidenceRef?: string): unknown {
  publishDimensioned(Metric.ToolErrors, error instanceof EngineError ? error.errorClass : "UNKNOWN", 1);
  if (evidenceRef && error instanceof Error) error.message = `${error.message}; raw reply kept at ${evidenceRef}`;
  return error;
}

export async function invokeTool(
  input: InvokerInput,
  { gateway, artifacts, artifactsBucket }: InvokerDeps,
): Promise<ToolResult> {
  const size = Buffer.byteLength(JSON.stringify(input.tool_arguments));
  if (size > MAX_TOOL_ARGUMENTS_BYTES) {
    throw new ValidationError(`tool_arguments are ${size} bytes, over the ${MAX_TOOL_ARGUMENTS_BYTES}-byte limit`);
  }
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

  const rawResponseRef = await storeRawResponse(artifacts, artifactsBucket, key, reply);
  let outcome: ToolOutcome;
  try {
    outcome = readToolOutcome(reply.response, input.tool_name);
  } catch (error) {
    throw toolFailure(error, rawResponseRef);
  }
  if (!outcome.success) publishDimensioned(Metric.ToolErrors, outcome.error_class ?? "UNKNOWN", 1);
  return { ...outcome, tool_run_ref: toolRunRef, raw_response_ref: rawResponseRef, duration_ms: durationMs };
}

export const handler = statePipeline<InvokerInput, ToolResult>(
  { input: validateInput, output: validateOutput },
  (input) => invokeTool(input, deps),
);
