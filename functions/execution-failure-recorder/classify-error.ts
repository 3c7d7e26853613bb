// Reads what a Step Functions `Catch` captured ({ Error, Cause }) into the outcome's error fields.
import type { ErrorClass } from "#kernel/errors.ts";
import type { FailureRecorderInput } from "#schemas/states.ts";

const classByErrorName: Record<string, ErrorClass> = {
  ValidationError: "VALIDATION",
  IntentNotFoundError: "VALIDATION",
  RegistryEntryNotFoundError: "VALIDATION",
  KillSwitchError: "KILL_SWITCH",
  IntentExpiredError: "EXPIRED",
  "States.Timeout": "TIMEOUT",
  "States.HeartbeatTimeout": "TIMEOUT",
  "Sandbox.Timedout": "TIMEOUT",
  "Lambda.TooManyRequestsException": "RATE_LIMIT",
  "Lambda.ServiceException": "DOWNSTREAM",
  "Lambda.AWSLambdaException": "DOWNSTREAM",
  "Lambda.SdkClientException": "DOWNSTREAM",
  "Lambda.ClientExecutionTimeoutException": "TIMEOUT",
};

const classTag = /^\[(VALIDATION|AUTH|RATE_LIMIT|TIMEOUT|DOWNSTREAM|KILL_SWITCH|EXPIRED|UNKNOWN)\] /;

/** Messages are kept whole enough to diagnose, short enough for a record and a signal. */
const MAX_MESSAGE_LENGTH = 1000;

export interface ClassifiedError {
  error_code: string;
  error_class: ErrorClass;
  error_message: string;
}

/** A Lambda error's Cause is JSON `{ errorType, errorMessage, trace }`; other causes are plain text. */
function causeMessage(cause: string | undefined): string {
  if (!cause) return "";
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === "string") return parsed.errorMessage;
  } catch {
    // Not JSON: States.* errors carry a plain sentence.
  }
  return cause;
}

export function classifyStateError(error: FailureRecorderInput["error"]): ClassifiedError {
  const message = causeMessage(error.Cause);
  const tagged = classTag.exec(message);
  const errorClass = (tagged?.[1] as ErrorClass | undefined) ?? classByErrorName[error.Error] ?? "UNKNOWN";
  const text = (tagged ? message.slice(tagged[0].length) : message) || error.Error;
  return {
    error_code: error.Error,
    error_class: errorClass,
    error_message: text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : text,
  };
}
