// The errors handlers throw. Their `name` is the contract with the state machine: `Retry` and `Catch`
// match on it, and the failure recorder classifies on it.
import type { ErrorObject } from "ajv";
import type { FromSchema } from "json-schema-to-ts";
import type { errorClass } from "#schemas/common.ts";

export type ErrorClass = FromSchema<typeof errorClass>;

type EngineErrorOptions = ErrorOptions & { errorClass?: ErrorClass };

/** The names the state machine matches on. Written out, because bundling minifies class names. */
export type ContractErrorName =
  | "TransientError"
  | "PermanentError"
  | "ValidationError"
  | "KillSwitchError"
  | "IntentExpiredError"
  | "IntentNotFoundError"
  | "RegistryEntryNotFoundError"
  | "DuplicateApprovalError"
  | "OutcomeFailedError"
  | "ToolCallInProgressError";

/**
 * Lambda reports only an error's name and message to Step Functions, so the class an error carries is
 * written into the message as a `[CLASS]` prefix; the failure recorder reads it back.
 */
export class EngineError extends Error {
  readonly errorClass: ErrorClass;

  constructor(name: ContractErrorName, message: string, options: EngineErrorOptions = {}) {
    const errorClass = options.errorClass ?? "UNKNOWN";
    super(`[${errorClass}] ${message}`, options);
    this.name = name;
    this.errorClass = errorClass;
  }
}

/** A base for errors whose class never varies. */
function contractError(name: ContractErrorName, errorClass: ErrorClass) {
  return class extends EngineError {
    constructor(message: string, options?: ErrorOptions) {
      super(name, message, { ...options, errorClass });
    }
  };
}

/** Worth retrying: the state machine's `Retry` matches this name. Class defaults to DOWNSTREAM. */
export class TransientError extends EngineError {
  constructor(message: string, options?: EngineErrorOptions) {
    super("TransientError", message, { errorClass: "DOWNSTREAM", ...options });
  }
}

/** Retrying cannot help. Class defaults to DOWNSTREAM. */
export class PermanentError extends EngineError {
  constructor(message: string, options?: EngineErrorOptions) {
    super("PermanentError", message, { errorClass: "DOWNSTREAM", ...options });
  }
}

export class ValidationError extends contractError("ValidationError", "VALIDATION") {}
export class KillSwitchError extends contractError("KillSwitchError", "KILL_SWITCH") {}
export class IntentExpiredError extends contractError("IntentExpiredError", "EXPIRED") {}
export class IntentNotFoundError extends contractError("IntentNotFoundError", "VALIDATION") {}
export class RegistryEntryNotFoundError extends contractError("RegistryEntryNotFoundError", "VALIDATION") {}
/**
 * Another execution holds the intent. Not a failure: StartExecution's `Catch` ends the execution in the
 * `DuplicateIgnored` Succeed state, which costs one state transition fewer than a Choice on a returned flag.
 */
export class DuplicateApprovalError extends contractError("DuplicateApprovalError", "VALIDATION") {}

/**
 * Another run of the same tool call (the same idempotency key) holds its claim and is still calling: a rerun
 * of an Express execution, or a Standard task retried while its first invocation still runs. Not retried
 * with TransientError's short jittered waits: InvokeTool has its own retrier whose guaranteed wait outlasts
 * the claim (the tool invoker's Lambda timeout), after which the call's result is stored or its claim expired.
 */
export class ToolCallInProgressError extends contractError("ToolCallInProgressError", "DOWNSTREAM") {}

/**
 * Thrown by RecordOutcome and RecordFailure once a FAILED outcome is recorded, carrying the outcome's class.
 * Their `Catch` ends the execution in the `ActionFailed` Fail state, so Step Functions counts the execution
 * failed like the status API does, without a Choice state on the recorded status; a SUCCEEDED outcome simply
 * ends there (functions/kernel/failed-outcome.ts).
 */
export class OutcomeFailedError extends EngineError {
  constructor(message: string, options?: EngineErrorOptions) {
    super("OutcomeFailedError", message, options);
  }
}

/** Keywords whose alternatives each report an error; one line for the value says more than all of them. */
const alternatives = new Set(["anyOf", "oneOf"]);

/** Turns Ajv errors into one line naming each offending field, e.g. `/registry_version must be integer`. */
export function describeSchemaErrors(errors: readonly ErrorObject[] | null | undefined): string {
  if (!errors?.length) return "does not match its schema";
  const pathsWithAlternatives = new Set(errors.filter((e) => alternatives.has(e.keyword)).map((e) => e.instancePath));
  const lines = errors
    .filter((error) => error.keyword !== "if")
    // A missing field is named even inside alternatives; other per-alternative complaints collapse into one line.
    .filter(
      (error) =>
        alternatives.has(error.keyword) ||
        error.keyword === "required" ||
        !pathsWithAlternatives.has(error.instancePath),
    )
    .map((error) => {
      const field =
        error.keyword === "required"
          ? `${error.instancePath}/${String(error.params.missingProperty)}`
          : error.keyword === "additionalProperties"
            ? `${error.instancePath}/${String(error.params.additionalProperty)}`
            : error.instancePath || "(root)";
      const message =
        error.keyword === "additionalProperties"
          ? "is not allowed"
          : alternatives.has(error.keyword)
            ? "matches none of the forms its schema allows"
            : error.message;
      return `${field} ${message}`;
    });
  return [...new Set(lines)].join("; ");
}

const throttlingNames = new Set([
  "ThrottlingException",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "TooManyRequestsException",
]);

/**
 * AWS SDK errors the SDK's own retries did not overcome: throttling and server faults are worth a
 * state-machine retry; anything else keeps its own name and is classified UNKNOWN.
 */
export function toStateError(error: Error): Error {
  if (error instanceof EngineError) return error;
  const sdkError = error as Error & { $fault?: string; $retryable?: unknown };
  if (throttlingNames.has(error.name)) {
    return new TransientError(`${error.name}: ${error.message}`, { cause: error, errorClass: "RATE_LIMIT" });
  }
  if (sdkError.$fault === "server" || sdkError.$retryable) {
    return new TransientError(`${error.name}: ${error.message}`, { cause: error });
  }
  return error;
}
