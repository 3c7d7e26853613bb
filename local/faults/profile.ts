// Reads a fault profile (JSON or YAML), checks it against its schema (schemas/fault-profile.ts), then checks
// every name it uses against the engine's own declarations (targets.ts). Errors name the fault and the field.
import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import type { FromSchema } from "json-schema-to-ts";
import { parse as parseYaml } from "yaml";
import { describeSchemaErrors } from "../../functions/kernel/errors.ts";
import { contractAjvOptions } from "../../schemas/ajv-options.ts";
import { FaultProfileSchema, type FaultSchema } from "../../schemas/fault-profile.ts";
import type { FaultTargets } from "./targets.ts";

export type FaultProfile = FromSchema<typeof FaultProfileSchema>;
export type FaultSpec = FromSchema<typeof FaultSchema>;

/** A profile that cannot be used, with every reason found. */
export class FaultProfileError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "FaultProfileError";
  }
}

let compiled: ValidateFunction | undefined;

/** Where each fault is, for messages: `fault 2 (dynamodb throttle)`. */
export const faultLabel = (fault: Pick<FaultSpec, "service" | "kind" | "name">, index: number) =>
  `fault ${index + 1} (${fault.name ?? `${fault.service} ${fault.kind}`})`;

function namesError(what: string, given: string, known: readonly string[], label: string): string {
  return `${label} names ${what} "${given}", which the engine does not have; ${what}s: ${known.join(", ") || "none"}`;
}

/** The problems of a schema-valid profile's names; empty when every name is the engine's. */
export function unknownNames(profile: FaultProfile, targets: FaultTargets): string[] {
  return profile.faults.flatMap((fault, index) => {
    const label = faultLabel(fault, index);
    const problems: string[] = [];
    const known = Object.keys(targets.byService[fault.service]);
    const targetWord = fault.service === "lambda" ? "function" : fault.service === "gateway" ? "tool" : "target";
    if (fault.target !== undefined && !known.includes(fault.target)) {
      problems.push(namesError(`${fault.service} ${targetWord}`, fault.target, known, label));
    }
    if (fault.function !== undefined) {
      if (fault.service === "lambda") problems.push(`${label}: a lambda fault names its function as target`);
      else if (!targets.functions.includes(fault.function)) {
        problems.push(namesError("function", fault.function, targets.functions, label));
      }
    }
    if (fault.operation !== undefined) {
      const operations = targets.operations[fault.service];
      if (!operations.includes(fault.operation)) {
        problems.push(namesError(`${fault.service} operation`, fault.operation, operations, label));
      }
    }
    return problems;
  });
}

/** Validates a profile already parsed from JSON or YAML. */
export function validateFaultProfile(
  value: unknown,
  targets: FaultTargets,
  source = "the fault profile",
): FaultProfile {
  compiled ??= new Ajv(contractAjvOptions).compile(FaultProfileSchema);
  if (!compiled(value)) {
    throw new FaultProfileError(`${source} is not a valid fault profile: ${describeSchemaErrors(compiled.errors)}`);
  }
  const profile = value as FaultProfile;
  const problems = unknownNames(profile, targets);
  if (problems.length) throw new FaultProfileError(`${source}: ${problems.join("; ")}`);
  return profile;
}

/** Parses JSON or YAML text (YAML is a superset of JSON) and validates it. */
export function parseFaultProfile(text: string, targets: FaultTargets, source = "the fault profile"): FaultProfile {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new FaultProfileError(`${source} is neither JSON nor YAML: ${(error as Error).message}`, { cause: error });
  }
  return validateFaultProfile(value, targets, source);
}

export function readFaultProfile(file: string, targets: FaultTargets): FaultProfile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new FaultProfileError(`cannot read the fault profile ${file}: ${(error as Error).message}`, { cause: error });
  }
  return parseFaultProfile(text, targets, file);
}
