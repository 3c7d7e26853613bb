// Input and output of every Lambda state. The state machine shapes each input with `Parameters`, so
// inputs are closed (`additionalProperties: false`): a field the definition forgot to pass, or passed as a
// literal string instead of a `.$` path, fails here with the field's name.
import type { FromSchema } from "json-schema-to-ts";
import {
  compensationStatus,
  compensationStrategy,
  errorClass,
  executionId,
  externalObjectRefs,
  identifier,
  intentKey,
  intentKeyFields,
  nonEmptyString,
  registryVersion,
  stateError,
  timestamp,
  toolName,
} from "./common.ts";

/** The execution input EventBridge's input transformer produces. */
export const ExecutionInputSchema = {
  type: "object",
  required: intentKeyFields,
  properties: intentKey,
  additionalProperties: false,
} as const;
export type ExecutionInput = FromSchema<typeof ExecutionInputSchema>;

export const StarterInputSchema = {
  type: "object",
  required: [...intentKeyFields, "execution_id"],
  properties: { ...intentKey, execution_id: executionId },
  additionalProperties: false,
} as const;
export type StarterInput = FromSchema<typeof StarterInputSchema>;

/** What the rest of the execution needs from the attempt StartExecution wrote (or found it had written). */
export const attemptFields = {
  execution_trace_id: nonEmptyString,
  attempt_count: { type: "integer", minimum: 1 },
  started_at: timestamp,
  registry_version: registryVersion,
  action_type: identifier,
  idempotency_key: nonEmptyString,
  decision_trace_id: nonEmptyString,
} as const;

/** StartExecution's answer when this execution holds the intent; later states read it whole as `$.start`. */
export const startedAttemptSchema = {
  type: "object",
  required: [
    "duplicate",
    "execution_trace_id",
    "attempt_count",
    "started_at",
    "registry_version",
    "action_type",
    "idempotency_key",
    "decision_trace_id",
  ],
  properties: { duplicate: { const: false }, ...attemptFields },
  additionalProperties: false,
} as const;
export type StartedAttempt = FromSchema<typeof startedAttemptSchema>;

/** Only an execution that holds the intent answers; a duplicate throws DuplicateApprovalError instead. */
export const StarterOutputSchema = startedAttemptSchema;
export type StarterOutput = FromSchema<typeof StarterOutputSchema>;

/** The intent key, and the execution's trace id so the validator's logs and traces correlate with the rest. */
export const ValidatorInputSchema = {
  type: "object",
  required: [...intentKeyFields, "execution_trace_id"],
  properties: { ...intentKey, execution_trace_id: nonEmptyString },
  additionalProperties: false,
} as const;
export type ValidatorInput = FromSchema<typeof ValidatorInputSchema>;

export const ValidatorOutputSchema = {
  type: "object",
  required: ["preflight", "checked_at", "expires_at_epoch"],
  properties: {
    preflight: { const: "PASSED" },
    checked_at: timestamp,
    expires_at_epoch: { type: "integer", minimum: 0 },
  },
  additionalProperties: false,
} as const;
export type ValidatorOutput = FromSchema<typeof ValidatorOutputSchema>;

export const MapperInputSchema = {
  type: "object",
  required: [...intentKeyFields, "execution_trace_id", "action_type", "registry_version", "idempotency_key"],
  properties: {
    ...intentKey,
    execution_trace_id: nonEmptyString,
    action_type: identifier,
    registry_version: registryVersion,
    idempotency_key: nonEmptyString,
  },
  additionalProperties: false,
} as const;
export type MapperInput = FromSchema<typeof MapperInputSchema>;

/** How to undo the tool's writes if it fails after writing; passed whole to CompensateAction. */
export const compensationPlanSchema = {
  type: "object",
  required: ["strategy"],
  properties: { strategy: compensationStrategy, tool_name: toolName },
  additionalProperties: false,
} as const;

export const MapperOutputSchema = {
  type: "object",
  required: ["tool_name", "tool_schema_version", "tool_arguments", "compensation"],
  properties: {
    tool_name: toolName,
    tool_schema_version: nonEmptyString,
    tool_arguments: { type: "object", required: ["idempotency_key"], properties: { idempotency_key: nonEmptyString } },
    compensation: compensationPlanSchema,
  },
  additionalProperties: false,
} as const;
export type MapperOutput = FromSchema<typeof MapperOutputSchema>;

export const InvokerInputSchema = {
  type: "object",
  required: [
    ...intentKeyFields,
    "execution_trace_id",
    "attempt_count",
    "idempotency_key",
    "tool_name",
    "tool_arguments",
  ],
  properties: {
    ...intentKey,
    execution_trace_id: nonEmptyString,
    attempt_count: { type: "integer", minimum: 1 },
    idempotency_key: nonEmptyString,
    tool_name: toolName,
    tool_arguments: { type: "object" },
  },
  additionalProperties: false,
} as const;
export type InvokerInput = FromSchema<typeof InvokerInputSchema>;

/** A tool call's result. A tool that ran and reported failure is a result with `success: false`, not an error. */
export const ToolResultSchema = {
  type: "object",
  required: ["success", "tool_run_ref", "external_object_refs"],
  properties: {
    success: { type: "boolean" },
    tool_run_ref: nonEmptyString,
    external_object_refs: externalObjectRefs,
    raw_response_ref: { type: "string", pattern: "^s3://" },
    error_code: nonEmptyString,
    error_class: errorClass,
    error_message: { type: "string" },
    duration_ms: { type: "number", minimum: 0 },
  },
  additionalProperties: false,
} as const;
export type ToolResult = FromSchema<typeof ToolResultSchema>;

export const CompensationInputSchema = {
  type: "object",
  required: [...intentKeyFields, "execution_trace_id", "idempotency_key", "plan", "tool_result"],
  properties: {
    ...intentKey,
    execution_trace_id: nonEmptyString,
    idempotency_key: nonEmptyString,
    plan: compensationPlanSchema,
    tool_result: ToolResultSchema,
  },
  additionalProperties: false,
} as const;
export type CompensationInput = FromSchema<typeof CompensationInputSchema>;

export const CompensationOutputSchema = {
  type: "object",
  required: ["compensation_status", "compensated_refs"],
  properties: {
    compensation_status: compensationStatus,
    compensated_refs: externalObjectRefs,
    reason: { type: "string" },
  },
  additionalProperties: false,
} as const;
export type CompensationOutput = FromSchema<typeof CompensationOutputSchema>;

export const RecorderInputSchema = {
  type: "object",
  required: [
    ...intentKeyFields,
    "execution_id",
    "attempt",
    "tool_name",
    "tool_schema_version",
    "tool_result",
    "compensation",
  ],
  properties: {
    ...intentKey,
    execution_id: executionId,
    attempt: startedAttemptSchema,
    tool_name: toolName,
    tool_schema_version: nonEmptyString,
    tool_result: ToolResultSchema,
    compensation: CompensationOutputSchema,
  },
  additionalProperties: false,
} as const;
export type RecorderInput = FromSchema<typeof RecorderInputSchema>;

/** Both recorders answer with this; the state machine ends in Succeed or Fail on `status`. */
export const RecordedOutcomeSchema = {
  type: "object",
  required: ["status", "recorded", "replayed"],
  properties: {
    status: { type: "string", enum: ["SUCCEEDED", "FAILED"] },
    recorded: { type: "boolean", description: "false when another execution owns the intent's record" },
    replayed: { type: "boolean", description: "true when this outcome had already been recorded by this execution" },
    execution_trace_id: nonEmptyString,
    signal_id: nonEmptyString,
    error_class: errorClass,
    error_code: nonEmptyString,
  },
  additionalProperties: false,
} as const;
export type RecordedOutcome = FromSchema<typeof RecordedOutcomeSchema>;

/**
 * RecordFailure takes the intent key from the execution's own input (`$$.Execution.Input`), so it can
 * record a failure of StartExecution itself, before any trace id or attempt exists.
 */
export const FailureRecorderInputSchema = {
  type: "object",
  required: [...intentKeyFields, "execution_id", "error"],
  properties: {
    ...intentKey,
    execution_id: executionId,
    error: {
      ...stateError,
      properties: {
        ...stateError.properties,
        /**
         * Set by OutcomeNotRecorded when RecordOutcome itself failed: the tool's result and compensation the
         * execution could not record, so the FAILED outcome names the writes that stand.
         */
        unrecorded_tool: {
          type: "object",
          required: ["result", "compensation"],
          properties: { result: ToolResultSchema, compensation: CompensationOutputSchema },
          additionalProperties: false,
        },
        /** Set by ToolOutcomeUnknown when the tool invoker's sandbox failed on its last attempt. */
        tool_outcome_unknown: { type: "boolean" },
      },
    },
  },
  additionalProperties: false,
} as const;
export type FailureRecorderInput = FromSchema<typeof FailureRecorderInputSchema>;
