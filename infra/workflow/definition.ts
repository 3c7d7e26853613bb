// The state machine's definition: a JSONPath ASL template under version control, checked against the
// project's template schema and by asl-validator, then rendered with the functions' ARNs. The rendered
// definition is what deploys and what the local engine runs.
import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import aslValidator from "asl-validator";
import { describeSchemaErrors } from "../../functions/kernel/errors.ts";
import { contractAjvOptions } from "../../schemas/ajv-options.ts";
import { AslTemplateSchema } from "../../schemas/asl-template.ts";

export type AslDefinition = { StartAt: string; States: Record<string, Record<string, unknown>> } & Record<
  string,
  unknown
>;

const placeholderPattern = /\$\{([A-Za-z]+)\}/g;

export function loadTemplate(): AslDefinition {
  return JSON.parse(readFileSync(new URL("./state-machine.asl.json", import.meta.url), "utf8")) as AslDefinition;
}

/** The placeholders a template names, e.g. `ToolInvokerArn`. */
export function templatePlaceholders(template: AslDefinition): string[] {
  return [
    ...new Set([...JSON.stringify(template).matchAll(placeholderPattern)].map((match) => match[1] as string)),
  ].sort();
}

function aslErrors(definition: AslDefinition, checkArn: boolean): string | undefined {
  // asl-validator annotates the object it checks, so it gets a copy.
  const result = aslValidator(structuredClone(definition), { checkPaths: true, checkArn });
  return result.isValid ? undefined : result.errorsText("; ");
}

function substitute(template: AslDefinition, valueFor: (name: string) => string): AslDefinition {
  return JSON.parse(
    JSON.stringify(template).replace(placeholderPattern, (_match, name: string) => valueFor(name)),
  ) as AslDefinition;
}

let compiledTemplateSchema: ValidateFunction | undefined;

/**
 * The template schema's violations, or none. Compiled here, when first needed, not taken from the generated
 * validators: the Pulumi CLI loads this module straight after `npm ci`, before anything generates them, and a
 * program run has no cold start to save.
 */
function templateSchemaErrors(template: AslDefinition): ErrorObject[] | undefined {
  compiledTemplateSchema ??= new Ajv(contractAjvOptions).compile(AslTemplateSchema);
  return compiledTemplateSchema(template) ? undefined : (compiledTemplateSchema.errors ?? []);
}

/** Throws naming the JSON path of each violation; returns the template when it is sound. */
export function validateTemplate(template: AslDefinition): AslDefinition {
  const schemaErrors = templateSchemaErrors(template);
  if (schemaErrors) {
    throw new Error(`state machine template breaks its schema: ${describeSchemaErrors(schemaErrors)}`);
  }
  // asl-validator wants a Resource shaped like an ARN, so placeholders stand in as well-formed ones.
  const invalid = aslErrors(
    substitute(template, (name) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`),
    false,
  );
  if (invalid) throw new Error(`state machine template is not valid ASL: ${invalid}`);
  return template;
}

/** Substitutes every placeholder; a placeholder without a value, or a value without a placeholder, is an error. */
export function renderDefinition(template: AslDefinition, values: Record<string, string>): AslDefinition {
  const wanted = templatePlaceholders(template);
  const missing = wanted.filter((name) => values[name] === undefined);
  const unused = Object.keys(values).filter((name) => !wanted.includes(name));
  if (missing.length || unused.length) {
    throw new Error(
      `state machine placeholders do not match: missing ${missing.join(", ") || "none"}, unused ${unused.join(", ") || "none"}`,
    );
  }
  const rendered = substitute(template, (name) => values[name] as string);
  const invalid = aslErrors(rendered, true);
  if (invalid) throw new Error(`rendered state machine is not valid ASL: ${invalid}`);
  return rendered;
}
