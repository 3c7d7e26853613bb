// How every contract schema is compiled, whether ahead of time into the functions' validators
// (scripts/generate-validators.ts) or at program run (the state machine template, infra/workflow/definition.ts):
// one strictness for both, so a schema that one accepts the other cannot refuse.
import type { Options } from "ajv";

export const contractAjvOptions = {
  allErrors: true,
  strict: true,
  strictRequired: false,
  allowUnionTypes: true,
} as const satisfies Options;
