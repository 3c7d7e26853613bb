// Records the engine reads and writes in DynamoDB. Key attributes (pk, sk, gsi1pk, ...) are added and
// stripped by the repositories; these schemas describe the domain fields only.
import type { FromSchema } from "json-schema-to-ts";
import {
  compensationStatus,
  compensationStrategy,
  epochSeconds,
  errorClass,
  executionId,
  externalObjectRefs,
  identifier,
  intentKey,
  intentKeyFields,
  nonEmptyString,
  recordedStatus,
  registryVersion,
  timestamp,
  toolName,
} from "./common.ts";

/** Written upstream by the decision layer once a human or policy approves it; the engine only reads it. */
export const ActionIntentSchema = {
  type: "object",
  required: [...intentKeyFields, "action_type", "parameters", "registry_version", "trace_id", "expires_at_epoch"],
  properties: {
    ...intentKey,
    action_type: identifier,
    parameters: { type: "object" },
    registry_version: registryVersion,
    trace_id: nonEmptyString,
    expires_at_epoch: epochSeconds,
  },
  additionalProperties: true,
} as const;
export type ActionIntent = FromSchema<typeof ActionIntentSchema>;

/**
 * How one tool argument is produced from the intent: `from` is a JSON Pointer (RFC 6901) into the whole
 * intent record (`/parameters/title`, `/account_id`), with an optional `default` when the pointer finds
 * nothing; `value` is a constant.
 */
export const argumentSourceSchema = {
  oneOf: [
    {
      type: "object",
      required: ["from"],
      properties: { from: { type: "string", pattern: "^(/[^/]*)+$" }, default: {} },
      additionalProperties: false,
    },
    {
      type: "object",
      required: ["value"],
      properties: { value: {} },
      additionalProperties: false,
    },
  ],
} as const;

/** One version of an action type's mapping to a tool. Versions are immutable once an intent names them. */
export const RegistryEntrySchema = {
  type: "object",
  required: [
    "action_type",
    "registry_version",
    "tool_name",
    "tool_schema_version",
    "parameter_mapping",
    "compensation_strategy",
  ],
  properties: {
    action_type: identifier,
    registry_version: registryVersion,
    tool_name: toolName,
    tool_schema_version: nonEmptyString,
    parameter_mapping: {
      type: "object",
      propertyNames: { pattern: "^[A-Za-z_][A-Za-z0-9_]*$" },
      additionalProperties: argumentSourceSchema,
    },
    compensation_strategy: compensationStrategy,
    compensation_tool_name: toolName,
  },
  // AUTOMATIC compensation needs a tool to compensate with.
  anyOf: [
    { properties: { compensation_strategy: { enum: ["MANUAL", "NONE"] } } },
    { required: ["compensation_tool_name"] },
  ],
  additionalProperties: false,
} as const;
export type RegistryEntry = FromSchema<typeof RegistryEntrySchema>;

/** Per-tenant safety controls. A missing record means "nothing disabled". */
/** What a kill switch record holds, for one tenant or for all: the switch, what it disables, who and why. */
const switchFields = {
  kill_switch: { type: "boolean" },
  disabled_action_types: { type: "array", items: identifier },
  reason: { type: "string" },
  updated_at: timestamp,
  updated_by: { type: "string" },
} as const;

export const TenantControlsSchema = {
  type: "object",
  required: ["tenant_id", "kill_switch"],
  properties: { tenant_id: identifier, ...switchFields },
  additionalProperties: false,
} as const;
export type TenantControls = FromSchema<typeof TenantControlsSchema>;

/**
 * Safety controls for every tenant at once, one item operators flip in an incident; read on every
 * execution, so a change applies to the next one without a deploy. A missing record means "nothing disabled".
 */
export const GlobalControlsSchema = {
  type: "object",
  required: ["kill_switch"],
  properties: switchFields,
  additionalProperties: false,
} as const;
export type GlobalControls = FromSchema<typeof GlobalControlsSchema>;

/**
 * The attempt and the outcome of one intent, in one item: written by StartExecution, completed by
 * RecordOutcome or RecordFailure, read by the status API in a single GetItem.
 */
export const ExecutionRecordSchema = {
  type: "object",
  required: [
    ...intentKeyFields,
    "status",
    "execution_id",
    "execution_trace_id",
    "attempt_count",
    "started_at",
    "updated_at",
  ],
  properties: {
    ...intentKey,
    status: recordedStatus,
    execution_id: executionId,
    execution_trace_id: nonEmptyString,
    decision_trace_id: nonEmptyString,
    attempt_count: { type: "integer", minimum: 1 },
    action_type: identifier,
    registry_version: registryVersion,
    idempotency_key: nonEmptyString,
    started_at: timestamp,
    updated_at: timestamp,
    completed_at: timestamp,
    tool_name: toolName,
    tool_schema_version: nonEmptyString,
    tool_run_ref: nonEmptyString,
    raw_response_ref: nonEmptyString,
    external_object_refs: externalObjectRefs,
    error_code: nonEmptyString,
    error_class: errorClass,
    error_message: { type: "string" },
    compensation_status: compensationStatus,
    compensation_reason: { type: "string" },
  },
  additionalProperties: false,
} as const;
export type ExecutionRecord = FromSchema<typeof ExecutionRecordSchema>;

/** The fields an outcome adds to an execution record; shared by the ledger, signals and the status API. */
export const outcomeFields = {
  status: { type: "string", enum: ["SUCCEEDED", "FAILED"] },
  external_object_refs: externalObjectRefs,
  error_code: nonEmptyString,
  error_class: errorClass,
  error_message: { type: "string" },
} as const;

/** Append-only audit entry; one per recorded outcome, keyed so a replay cannot add a second. */
export const LedgerEventSchema = {
  type: "object",
  required: [...intentKeyFields, "event_type", "execution_trace_id", "occurred_at", "status", "attempt_count"],
  properties: {
    ...intentKey,
    event_type: { type: "string", enum: ["ACTION_EXECUTED", "ACTION_FAILED"] },
    execution_trace_id: nonEmptyString,
    decision_trace_id: nonEmptyString,
    occurred_at: timestamp,
    attempt_count: { type: "integer", minimum: 1 },
    registry_version: registryVersion,
    tool_name: toolName,
    compensation_status: compensationStatus,
    ...outcomeFields,
  },
  additionalProperties: false,
} as const;
export type LedgerEvent = FromSchema<typeof LedgerEventSchema>;
