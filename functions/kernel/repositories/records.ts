// Shared by the repositories: strip key attributes from an item and check it against its contract.
import type { ValidateFunction } from "ajv";
import { keyAttributes } from "../data-layout.ts";
import { describeSchemaErrors, ValidationError } from "../errors.ts";

export function toDomainRecord<T>(item: Record<string, unknown>, validate: ValidateFunction, what: string): T {
  const record: Record<string, unknown> = { ...item };
  for (const attribute of keyAttributes) delete record[attribute];
  if (!validate(record)) {
    throw new ValidationError(`${what} does not match its contract: ${describeSchemaErrors(validate.errors)}`, {
      cause: validate.errors,
    });
  }
  return record as T;
}

/** `SET #f0 = :v0, ...` for the given fields, with names and values escaped. */
export function setExpression(fields: Record<string, unknown>, prefix = "f") {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const assignments = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([field, value], index) => {
      names[`#${prefix}${index}`] = field;
      values[`:${prefix}${index}`] = value;
      return `#${prefix}${index} = :${prefix}${index}`;
    });
  return { expression: `SET ${assignments.join(", ")}`, names, values };
}
