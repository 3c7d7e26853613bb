// Turns an intent into tool arguments by the registry entry's declarative `parameter_mapping`:
//   { "<argument>": { "from": "<JSON Pointer into the intent>", "default"?: <value> } | { "value": <value> } }
// Only mapped arguments reach the tool; an unmapped intent parameter is never passed through.
import { ValidationError } from "#kernel/errors.ts";
import type { RegistryEntry } from "#schemas/records.ts";

/** RFC 6901: `/parameters/a~1b` reads key `a/b` of `parameters`. Undefined when any step is missing. */
export function resolvePointer(document: unknown, pointer: string): unknown {
  let current: unknown = document;
  for (const token of pointer.split("/").slice(1)) {
    const key = token.replaceAll("~1", "/").replaceAll("~0", "~");
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export function mapToolArguments(
  mapping: RegistryEntry["parameter_mapping"],
  intent: Record<string, unknown>,
): Record<string, unknown> {
  const missing: string[] = [];
  const toolArguments: Record<string, unknown> = {};
  for (const [argument, source] of Object.entries(mapping ?? {})) {
    if ("value" in source) {
      toolArguments[argument] = source.value;
      continue;
    }
    const resolved = resolvePointer(intent, source.from);
    const value = resolved === undefined ? source.default : resolved;
    if (value === undefined) missing.push(`${argument} (from ${source.from})`);
    else toolArguments[argument] = value;
  }
  if (missing.length > 0) {
    throw new ValidationError(`the intent has no value for tool argument ${missing.join(", ")}`);
  }
  return toolArguments;
}
