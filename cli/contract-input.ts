// Reading a contract from a file or standard input: JSON first, then the contract's own validator, so a
// refusal names the source and every field that is wrong, and nothing is written.
import type { ValidateFunction } from "ajv";
import { describeSchemaErrors } from "../functions/kernel/errors.ts";
import { OperationError } from "./errors.ts";

export function parseContract<T>(text: string, source: string, validate: ValidateFunction, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new OperationError(`${source} is not JSON: ${(error as Error).message}`);
  }
  if (!validate(value)) {
    throw new OperationError(`${source} is not a valid ${what}: ${describeSchemaErrors(validate.errors)}`);
  }
  return value as T;
}
