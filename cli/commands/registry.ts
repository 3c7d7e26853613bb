// registry list | get <action-type> [version] | put <entry.json | ->
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { RegistryEntry } from "../../schemas/records.ts";
import { type Command, checkIdentifier } from "../command.ts";
import { OperationError, UsageError } from "../errors.ts";
import { checkEntryAgainstTools, listGatewayTools } from "../gateway-tools.ts";
import { fieldLines } from "../output.ts";
import { assertVersionFree, getEntry, listEntries, parseRegistryEntry, putEntry } from "../registry.ts";

const describeEntry = (entry: RegistryEntry) => [
  `${entry.action_type} v${entry.registry_version}`,
  ...fieldLines({
    tool: `${entry.tool_name} (schema ${entry.tool_schema_version})`,
    compensation: entry.compensation_tool_name
      ? `${entry.compensation_strategy} with ${entry.compensation_tool_name}`
      : entry.compensation_strategy,
  }),
  "  parameter_mapping:",
  ...Object.entries(entry.parameter_mapping).map(
    ([argument, source]) =>
      `    ${argument} <- ${"value" in source ? `constant ${JSON.stringify(source.value)}` : `${source.from}${source.default === undefined ? "" : ` (default ${JSON.stringify(source.default)})`}`}`,
  ),
];

export const registryList: Command = {
  words: ["registry", "list"],
  summary: "list every registered action type and version",
  synopsis: "",
  positionals: { min: 0, max: 0 },
  options: {},
  examples: ["registry list", "registry list --stack dev --json"],
  async run(context) {
    const target = await context.target();
    const entries = await listEntries(target);
    if (context.json) return context.out.json(entries);
    if (entries.length === 0) {
      return context.out.say(`The registry of ${target.description} is empty: add entries with registry put.`);
    }
    const rows = entries.map((entry) => [
      entry.action_type,
      String(entry.registry_version),
      entry.tool_name,
      entry.compensation_tool_name
        ? `${entry.compensation_strategy} ${entry.compensation_tool_name}`
        : entry.compensation_strategy,
    ]);
    const header = ["ACTION TYPE", "VERSION", "TOOL", "COMPENSATION"];
    const widths = header.map((title, column) =>
      Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
    );
    context.out.say(
      ...[header, ...rows].map((row) =>
        row
          .map((cell, column) => cell.padEnd(widths[column] ?? 0))
          .join("  ")
          .trimEnd(),
      ),
    );
  },
};

export const registryGet: Command = {
  words: ["registry", "get"],
  summary: "show one registry entry: the newest version, or the one named",
  synopsis: "<action-type> [version]",
  positionals: { min: 1, max: 2 },
  options: {},
  examples: ["registry get CREATE_CRM_TASK", "registry get CREATE_CRM_TASK 1 --json"],
  async run(context) {
    const [actionType, versionText] = context.positionals as [string, string | undefined];
    checkIdentifier("action-type", actionType);
    if (versionText !== undefined && !/^[1-9]\d*$/.test(versionText)) {
      throw new UsageError(`version must be a whole number from 1, got "${versionText}"`);
    }
    const target = await context.target();
    const entry = await getEntry(target, actionType, versionText === undefined ? undefined : Number(versionText));
    if (!entry) {
      throw new OperationError(
        `${target.description} has no registry entry ${actionType}${versionText === undefined ? "" : ` v${versionText}`}`,
      );
    }
    if (context.json) return context.out.json(entry);
    context.out.say(...describeEntry(entry));
  },
};

function parseSampleParameters(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--sample-parameters is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UsageError("--sample-parameters must be a JSON object, as an intent's parameters are");
  }
  return parsed as Record<string, unknown>;
}

export const registryPut: Command = {
  words: ["registry", "put"],
  summary: "add a registry entry, after checking it against the gateway's tools; never replaces a version",
  synopsis: "<entry.json | -> [--sample-parameters <json>]",
  positionals: { min: 1, max: 1 },
  details: [
    "The entry must match the registry contract (action_type, registry_version, tool_name, " +
      "tool_schema_version, parameter_mapping, compensation_strategy, compensation_tool_name when AUTOMATIC). " +
      "A version that exists is refused, naming the next free one. Before writing, the gateway's tools/list " +
      "must list tool_name and compensation_tool_name, and the arguments parameter_mapping gives for a sample " +
      "intent (plus the idempotency key the engine adds) must satisfy the tool's inputSchema. The sample " +
      "intent's parameters are --sample-parameters; without it, each argument read from the intent gets a " +
      "value the tool's schema describes, which checks argument names, required arguments and constants.",
  ],
  options: {
    "sample-parameters": {
      type: "string",
      value: "json",
      description: 'the parameters of the sample intent the mapping is tried on, e.g. \'{"title":"Call"}\'',
    },
  },
  examples: [
    "registry put create-crm-task.v2.json",
    `registry put create-crm-task.v2.json --stack dev --sample-parameters '{"title":"Renewal call"}'`,
  ],
  async run(context) {
    const [source] = context.positionals as [string];
    const sampleParameters = parseSampleParameters(context.string("sample-parameters"));
    let text: string;
    try {
      text = source === "-" ? await context.io.readStdin() : await readFile(resolve(context.io.cwd, source), "utf8");
    } catch (error) {
      throw new OperationError(`cannot read ${source}: ${(error as Error).message}`, { cause: error });
    }
    const entry = parseRegistryEntry(text, source === "-" ? "standard input" : source);
    const target = await context.target();
    await assertVersionFree(target, entry);
    const check = checkEntryAgainstTools(entry, await listGatewayTools(target.gateway), sampleParameters);
    if (check.problems.length > 0) {
      throw new OperationError(
        `refused ${entry.action_type} v${entry.registry_version}:\n${check.problems.map((problem) => `  - ${problem}`).join("\n")}`,
      );
    }
    await putEntry(target, entry);
    if (context.json) return context.out.json({ entry, checked_arguments: check.toolArguments, filled: check.filled });
    context.out.say(
      `Registered ${entry.action_type} v${entry.registry_version} in ${target.description}.`,
      `The gateway lists ${[entry.tool_name, entry.compensation_tool_name].filter(Boolean).join(" and ")}, and accepts the mapped arguments ${JSON.stringify(check.toolArguments)}.`,
      ...(check.filled.length > 0
        ? [
            `(${check.filled.join(", ")} came from the tool's schema, not a sample intent; --sample-parameters checks real values.)`,
          ]
        : []),
    );
  },
};
