// CompensateAction: undoes what a failed write left behind, as the registry entry says. AUTOMATIC calls
// the compensation tool once per external object, newest first, each with its own idempotency key, so
// a retried compensation cannot undo anything twice. A compensation that fails is reported, not thrown:
// the outcome must still be recorded. Only transient failures are thrown, for the state machine to retry.
import { createHash } from "node:crypto";
import { correlate } from "#kernel/correlation.ts";
import { EngineError, type PermanentError, TransientError } from "#kernel/errors.ts";
import { connectGateway, readGatewayConfig } from "#kernel/mcp/gateway.ts";
import type { McpClient } from "#kernel/mcp/mcp-client.ts";
import { type ExternalObjectRef, readToolOutcome } from "#kernel/mcp/tool-response.ts";
import { Metric } from "#kernel/metric-names.ts";
import { statePipeline } from "#kernel/pipeline.ts";
import { logger, publishDimensioned } from "#kernel/powertools.ts";
import type { CompensationInput, CompensationOutput } from "#schemas/states.ts";
import {
  CompensationInput as validateInput,
  CompensationOutput as validateOutput,
} from "#schemas/validators.generated.js";

const gateway = connectGateway(readGatewayConfig(), "compensation");

/** Derived from the original key and the object, so each object's undo is deduplicated on its own. */
export function compensationKeyFor(idempotencyKey: string, ref: ExternalObjectRef): string {
  return createHash("sha256")
    .update([idempotencyKey, "compensate", ref.system, ref.object_type, ref.object_id].join("\u0000"))
    .digest("hex");
}

async function undo(
  client: McpClient,
  toolName: string,
  ref: ExternalObjectRef,
  idempotencyKey: string,
): Promise<string | undefined> {
  try {
    const reply = await client.callTool(toolName, {
      object_id: ref.object_id,
      object_type: ref.object_type,
      system: ref.system,
      idempotency_key: compensationKeyFor(idempotencyKey, ref),
    });
    const outcome = readToolOutcome(reply.response, toolName);
    return outcome.success
      ? undefined
      : `${ref.object_id}: ${outcome.error_code} ${outcome.error_message ?? ""}`.trim();
  } catch (error) {
    if (error instanceof TransientError || !(error instanceof EngineError)) throw error;
    return `${ref.object_id}: ${(error as PermanentError).message}`;
  }
}

/** Undoes what the plan covers, and reports the run: a CompensationRun datapoint, a warning when it failed. */
export async function compensate(input: CompensationInput, client: McpClient): Promise<CompensationOutput> {
  const output = await undoWrites(input, client);
  publishDimensioned(Metric.CompensationRun, output.compensation_status, 1);
  if (output.compensation_status === "FAILED") logger.warn("compensation failed", { reason: output.reason });
  return output;
}

async function undoWrites(input: CompensationInput, client: McpClient): Promise<CompensationOutput> {
  if (input.plan.tool_name) correlate({ tool_name: input.plan.tool_name });
  const written = input.tool_result.external_object_refs;
  if (input.plan.strategy === "NONE") return { compensation_status: "NONE", compensated_refs: [] };
  if (input.plan.strategy === "MANUAL") {
    return {
      compensation_status: "PENDING",
      compensated_refs: [],
      reason: `manual compensation required for ${written.length} external object(s)`,
    };
  }
  if (!input.plan.tool_name) {
    return {
      compensation_status: "FAILED",
      compensated_refs: [],
      reason: "AUTOMATIC compensation without a compensation tool",
    };
  }
  const compensated: ExternalObjectRef[] = [];
  const failures: string[] = [];
  for (const ref of [...written].reverse()) {
    const failure = await undo(client, input.plan.tool_name, ref, input.idempotency_key);
    if (failure) failures.push(failure);
    else compensated.push(ref);
  }
  return failures.length
    ? { compensation_status: "FAILED", compensated_refs: compensated, reason: `could not undo ${failures.join("; ")}` }
    : { compensation_status: "COMPLETED", compensated_refs: compensated };
}

export const handler = statePipeline<CompensationInput, CompensationOutput>(
  { input: validateInput, output: validateOutput },
  (input) => compensate(input, gateway),
);
