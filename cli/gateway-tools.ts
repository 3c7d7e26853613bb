// What `registry put` checks against the MCP gateway before a registry entry is written: the gateway's
// `tools/list` (through the functions' own MCP client and OAuth token provider) has the tool and the
// compensation tool, and the entry's parameter mapping, applied to a sample intent as the tool mapper
// applies it, gives arguments the tool's `inputSchema` accepts.
import type { ErrorObject } from "ajv";
import { Ajv } from "ajv";
import { Ajv2019 } from "ajv/dist/2019.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describeSchemaErrors, EngineError } from "../functions/kernel/errors.ts";
import { createMcpClient } from "../functions/kernel/mcp/mcp-client.ts";
import { createTokenProvider } from "../functions/kernel/mcp/oauth.ts";
import { mapToolArguments } from "../functions/tool-mapper/parameter-mapping.ts";
import type { ActionIntent, RegistryEntry } from "../schemas/records.ts";
import { OperationError } from "./errors.ts";
import type { GatewayAccess } from "./target.ts";

export interface GatewayTool {
  name: string;
  inputSchema?: Record<string, unknown>;
}

const TIMEOUT_MS = 10_000;
/** A gateway that keeps answering a next page is broken; stop rather than loop. */
const MAX_PAGES = 100;

export async function listGatewayTools(gateway: GatewayAccess): Promise<GatewayTool[]> {
  const tokens = createTokenProvider({
    tokenUrl: gateway.tokenUrl,
    clientId: gateway.clientId,
    clientSecret: gateway.clientSecret,
    timeoutMs: TIMEOUT_MS,
  });
  const client = createMcpClient({
    url: gateway.url,
    timeoutMs: TIMEOUT_MS,
    tokens,
    clientInfo: { name: "engine-cli", version: "1" },
  });
  const tools: GatewayTool[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    let result: { tools?: unknown; nextCursor?: unknown } | undefined;
    try {
      const { response } = await client.listTools(cursor);
      if (response.error) throw new OperationError(`tools/list answered an error: ${response.error.message}`);
      result = response.result as typeof result;
    } catch (error) {
      if (error instanceof OperationError || !(error instanceof EngineError)) throw error;
      throw new OperationError(`cannot list the gateway's tools at ${gateway.url}: ${error.message}`, { cause: error });
    }
    if (!Array.isArray(result?.tools)) throw new OperationError(`tools/list at ${gateway.url} answered no tools array`);
    tools.push(...(result.tools as GatewayTool[]));
    if (typeof result.nextCursor !== "string" || result.nextCursor === "") return tools;
    cursor = result.nextCursor;
  }
  throw new OperationError(`tools/list at ${gateway.url} still had pages after ${MAX_PAGES}`);
}

/** The intent fields a mapping can read, with sample values; `parameters` are the caller's or filled in. */
export function sampleIntent(entry: RegistryEntry, parameters: Record<string, unknown>): ActionIntent {
  return {
    action_intent_id: "sample-intent",
    tenant_id: "sample-tenant",
    account_id: "sample-account",
    action_type: entry.action_type,
    registry_version: entry.registry_version,
    trace_id: "sample-trace",
    expires_at_epoch: Math.floor(Date.now() / 1000) + 3600,
    parameters,
  };
}

/** A value the schema describes, for a mapped argument the sample intent has no value for. */
export function sampleValue(schema: unknown): unknown {
  if (typeof schema !== "object" || schema === null) return "sample";
  const s = schema as Record<string, unknown>;
  if ("const" in s) return s.const;
  if (s.default !== undefined) return s.default;
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  const alternatives = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (Array.isArray(alternatives) && alternatives.length > 0) return sampleValue(alternatives[0]);
  switch (Array.isArray(s.type) ? s.type[0] : s.type) {
    case "integer":
    case "number":
      return typeof s.minimum === "number" ? s.minimum : 1;
    case "boolean":
      return true;
    case "null":
      return null;
    case "array":
      return Array.from({ length: typeof s.minItems === "number" ? s.minItems : 0 }, () => sampleValue(s.items));
    case "object":
      return Object.fromEntries(
        ((s.required as string[] | undefined) ?? []).map((name) => [
          name,
          sampleValue((s.properties as Record<string, unknown> | undefined)?.[name]),
        ]),
      );
    default:
      if (s.format === "date-time") return new Date().toISOString();
      if (s.format === "date") return new Date().toISOString().slice(0, 10);
      return "sample".padEnd(typeof s.minLength === "number" ? s.minLength : 0, "x");
  }
}

/** Writes `value` where an RFC 6901 pointer points, creating objects on the way; false when it cannot. */
function setPointer(document: Record<string, unknown>, pointer: string, value: unknown): boolean {
  const tokens = pointer
    .split("/")
    .slice(1)
    .map((token) => token.replaceAll("~1", "/").replaceAll("~0", "~"));
  let current: Record<string, unknown> = document;
  for (const [index, token] of tokens.entries()) {
    if (index === tokens.length - 1) {
      current[token] = value;
      return true;
    }
    const next = current[token] ?? {};
    if (typeof next !== "object" || next === null || Array.isArray(next)) return false;
    current[token] = next;
    current = next as Record<string, unknown>;
  }
  return false;
}

/** Tool schemas are the gateway's, in whichever JSON Schema dialect it names (draft-07 when none). */
function compileToolSchema(schema: Record<string, unknown>) {
  const { $schema, ...rest } = schema;
  const dialect = String($schema ?? "");
  const options = { allErrors: true, strict: false } as const;
  const ajv = dialect.includes("2020-12")
    ? new Ajv2020(options)
    : dialect.includes("2019-09")
      ? new Ajv2019(options)
      : new Ajv(options);
  return ajv.compile(rest);
}

export interface MappingCheck {
  problems: string[];
  /** The arguments the tool would get for the sample intent. */
  toolArguments?: Record<string, unknown>;
  /** Mapped arguments no sample parameter gave, filled from the tool's schema. */
  filled: string[];
}

/**
 * Every reason the gateway would refuse what the entry makes it call: a tool or compensation tool it does
 * not list, or arguments (those the mapping gives, plus the idempotency key the tool invoker adds) that
 * the tool's input schema refuses. Without sample parameters, arguments read from the intent get values
 * the tool's schema itself describes, so the check covers names, required arguments and constants.
 */
export function checkEntryAgainstTools(
  entry: RegistryEntry,
  tools: GatewayTool[],
  sampleParameters: Record<string, unknown> | undefined,
): MappingCheck {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const listed = tools.map((tool) => tool.name).join(", ") || "no tools";
  const problems: string[] = [];
  const tool = byName.get(entry.tool_name);
  if (!tool) problems.push(`the gateway has no tool "${entry.tool_name}" (tool_name); it lists ${listed}`);
  if (entry.compensation_tool_name && !byName.has(entry.compensation_tool_name)) {
    problems.push(
      `the gateway has no tool "${entry.compensation_tool_name}" (compensation_tool_name); it lists ${listed}`,
    );
  }
  const filled: string[] = [];
  if (!tool) return { problems, filled };

  const properties = (tool.inputSchema?.properties ?? {}) as Record<string, unknown>;
  const intent = sampleIntent(entry, structuredClone(sampleParameters ?? {})) as unknown as Record<string, unknown>;
  if (sampleParameters === undefined) {
    for (const [argument, source] of Object.entries(entry.parameter_mapping)) {
      if (!("from" in source) || source.default !== undefined) continue;
      if (setPointer(intent, source.from, sampleValue(properties[argument]))) filled.push(argument);
    }
  }
  let toolArguments: Record<string, unknown>;
  try {
    // The tool invoker adds the idempotency key to every call (functions/tool-invoker/handler.ts).
    toolArguments = { ...mapToolArguments(entry.parameter_mapping, intent), idempotency_key: "sample-idempotency-key" };
  } catch (error) {
    problems.push(`parameter_mapping: ${(error as Error).message} of the sample intent`);
    return { problems, filled };
  }
  if (tool.inputSchema) {
    let validate: ReturnType<typeof compileToolSchema>;
    try {
      validate = compileToolSchema(tool.inputSchema);
    } catch (error) {
      problems.push(`the inputSchema of tool "${tool.name}" cannot be compiled: ${(error as Error).message}`);
      return { problems, filled, toolArguments };
    }
    if (!validate(toolArguments)) {
      problems.push(
        `tool "${tool.name}" refuses the arguments parameter_mapping gives: ` +
          describeSchemaErrors(validate.errors as ErrorObject[]),
      );
    }
  }
  return { problems, filled, toolArguments };
}
