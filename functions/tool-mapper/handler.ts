// MapActionToTool: resolves the intent's action type, at the registry version the decision named, to a
// tool call: tool name, arguments (with the execution's idempotency key) and compensation strategy.
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { documentClient } from "#kernel/clients/dynamodb.ts";
import { tableNameFromEnv } from "#kernel/config.ts";
import { correlate } from "#kernel/correlation.ts";
import { IntentNotFoundError, RegistryEntryNotFoundError, ValidationError } from "#kernel/errors.ts";
import { statePipeline } from "#kernel/pipeline.ts";
import { getIntent } from "#kernel/repositories/intents.ts";
import { getRegistryEntry } from "#kernel/repositories/registry.ts";
import type { MapperInput, MapperOutput } from "#schemas/states.ts";
import { MapperInput as validateInput, MapperOutput as validateOutput } from "#schemas/validators.generated.js";
import { mapToolArguments } from "./parameter-mapping.ts";

/** Leaves room in the 256 KB state payload for everything else the execution carries. */
export const MAX_TOOL_ARGUMENTS_BYTES = 200 * 1024;

const config = {
  intentsTable: tableNameFromEnv("intents"),
  registryTable: tableNameFromEnv("registry"),
};

export async function mapActionToTool(
  input: MapperInput,
  db: DynamoDBDocumentClient,
  tableNames: typeof config,
): Promise<MapperOutput> {
  const [intent, entry] = await Promise.all([
    getIntent(db, tableNames.intentsTable, input.tenant_id, input.action_intent_id),
    getRegistryEntry(db, tableNames.registryTable, input.action_type, input.registry_version),
  ]);
  if (!intent) {
    throw new IntentNotFoundError(`action intent ${input.action_intent_id} not found for tenant ${input.tenant_id}`);
  }
  if (intent.action_type !== input.action_type || intent.registry_version !== input.registry_version) {
    throw new ValidationError(
      `intent ${input.action_intent_id} changed after it started: it now names ${intent.action_type} v${intent.registry_version}`,
    );
  }
  if (!entry) {
    throw new RegistryEntryNotFoundError(
      `no registry entry for action type ${input.action_type} at registry version ${input.registry_version}`,
    );
  }
  correlate({ tool_name: entry.tool_name });
  const toolArguments = {
    ...mapToolArguments(entry.parameter_mapping, intent),
    idempotency_key: input.idempotency_key,
  };
  const size = Buffer.byteLength(JSON.stringify(toolArguments));
  if (size > MAX_TOOL_ARGUMENTS_BYTES) {
    throw new ValidationError(
      `tool arguments for ${entry.tool_name} are ${size} bytes, over the ${MAX_TOOL_ARGUMENTS_BYTES}-byte limit`,
    );
  }
  return {
    tool_name: entry.tool_name,
    tool_schema_version: entry.tool_schema_version,
    tool_arguments: toolArguments,
    compensation: { strategy: entry.compensation_strategy, tool_name: entry.compensation_tool_name },
  };
}

export const handler = statePipeline<MapperInput, MapperOutput>(
  { input: validateInput, output: validateOutput },
  (input) => mapActionToTool(input, documentClient, config),
);
