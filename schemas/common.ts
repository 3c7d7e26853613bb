// Building blocks shared by the contract schemas. Each is a JSON Schema fragment written once and spread
// into the schemas that use it, so the generated validators and the derived types agree everywhere.

/**
 * Identifiers become parts of DynamoDB keys joined with `#` and parts of S3 keys, so `#`, `/` and spaces
 * are excluded by contract rather than escaped later.
 */
export const identifier = {
  type: "string",
  description: "1 to 128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit",
  minLength: 1,
  maxLength: 128,
  pattern: "^[A-Za-z0-9][A-Za-z0-9._:-]*$",
} as const;

/** ISO-8601 UTC timestamp as produced by `Date.prototype.toISOString()`. */
export const timestamp = {
  type: "string",
  pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?Z$",
} as const;

export const epochSeconds = { type: "integer", minimum: 0 } as const;

export const registryVersion = { type: "integer", minimum: 1 } as const;

export const toolName = {
  type: "string",
  minLength: 1,
  maxLength: 128,
  pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$",
} as const;

export const nonEmptyString = { type: "string", minLength: 1 } as const;

/** The Step Functions execution ARN (`$$.Execution.Id`) that owns an attempt. */
export const executionId = { type: "string", minLength: 1, maxLength: 2048 } as const;

export const errorClass = {
  type: "string",
  enum: ["VALIDATION", "AUTH", "RATE_LIMIT", "TIMEOUT", "DOWNSTREAM", "KILL_SWITCH", "EXPIRED", "UNKNOWN"],
} as const;

export const executionStatus = {
  type: "string",
  enum: ["PENDING", "RUNNING", "SUCCEEDED", "FAILED", "EXPIRED"],
} as const;

/** Statuses a stored execution record can hold; PENDING and EXPIRED are derived by the status API. */
export const recordedStatus = { type: "string", enum: ["RUNNING", "SUCCEEDED", "FAILED"] } as const;

export const compensationStrategy = { type: "string", enum: ["AUTOMATIC", "MANUAL", "NONE"] } as const;

export const compensationStatus = { type: "string", enum: ["NONE", "PENDING", "COMPLETED", "FAILED"] } as const;

/** An object a tool created or changed in an external system, as reported by the tool. */
export const externalObjectRef = {
  type: "object",
  required: ["system", "object_type", "object_id"],
  properties: {
    system: nonEmptyString,
    object_type: nonEmptyString,
    object_id: nonEmptyString,
    object_url: { type: "string" },
  },
  additionalProperties: false,
} as const;

export const externalObjectRefs = { type: "array", items: externalObjectRef, maxItems: 100 } as const;

/** Keys every state input carries: which intent, for which tenant and account. */
export const intentKeyFields = ["action_intent_id", "tenant_id", "account_id"] as const;
export const intentKey = {
  action_intent_id: identifier,
  tenant_id: identifier,
  account_id: identifier,
} as const;

/** What Step Functions puts in a `Catch` result: the error name and its cause (often a JSON string). */
export const stateError = {
  type: "object",
  required: ["Error"],
  properties: {
    Error: { type: "string" },
    Cause: { type: "string" },
  },
  additionalProperties: false,
} as const;
