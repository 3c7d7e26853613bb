// What an EventBridge rule does with an event, for the subset of patterns and transformers the engine
// declares: exact-value matching on (nested) fields, and `<variable>` substitution from dotted paths.

type Pattern = { [field: string]: readonly (string | number)[] | Pattern };

export function matchesPattern(event: unknown, pattern: Pattern): boolean {
  if (typeof event !== "object" || event === null) return false;
  const fields = event as Record<string, unknown>;
  return Object.entries(pattern).every(([field, expected]) =>
    Array.isArray(expected)
      ? expected.includes(fields[field] as string | number)
      : matchesPattern(fields[field], expected as Pattern),
  );
}

function valueAt(event: unknown, path: string): unknown {
  let current = event;
  for (const step of path
    .replace(/^\$\.?/, "")
    .split(".")
    .filter(Boolean)) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

/**
 * Each `<name>` in the template becomes the JSON of the value at its path; a path the event lacks gives
 * null, so a malformed event still starts an execution and fails there, with the field named.
 */
export function applyInputTransformer(
  event: unknown,
  transformer: { inputPaths: Record<string, string>; inputTemplate: string },
): unknown {
  const text = transformer.inputTemplate.replace(/<([A-Za-z0-9_.-]+)>/g, (_match, name: string) => {
    const path = transformer.inputPaths[name];
    return JSON.stringify(path === undefined ? null : (valueAt(event, path) ?? null));
  });
  return JSON.parse(text);
}
