// Responses of the execution status API.
import type { FromSchema } from "json-schema-to-ts";
import {
  compensationStatus,
  errorClass,
  executionStatus,
  externalObjectRefs,
  identifier,
  nonEmptyString,
  timestamp,
  toolName,
} from "./common.ts";

export const ExecutionStatusResponseSchema = {
  type: "object",
  required: ["action_intent_id", "account_id", "status"],
  properties: {
    action_intent_id: identifier,
    account_id: identifier,
    status: executionStatus,
    execution_trace_id: nonEmptyString,
    attempt_count: { type: "integer", minimum: 1 },
    started_at: timestamp,
    updated_at: timestamp,
    completed_at: timestamp,
    expires_at_epoch: { type: "integer", minimum: 0 },
    tool_name: toolName,
    external_object_refs: externalObjectRefs,
    error_code: nonEmptyString,
    error_class: errorClass,
    error_message: { type: "string" },
    compensation_status: compensationStatus,
  },
  additionalProperties: false,
} as const;
export type ExecutionStatusResponse = FromSchema<typeof ExecutionStatusResponseSchema>;

export const ExecutionListResponseSchema = {
  type: "object",
  required: ["account_id", "executions"],
  properties: {
    account_id: identifier,
    executions: { type: "array", items: ExecutionStatusResponseSchema, maxItems: 100 },
    next_token: nonEmptyString,
  },
  additionalProperties: false,
} as const;
export type ExecutionListResponse = FromSchema<typeof ExecutionListResponseSchema>;

export const ErrorResponseSchema = {
  type: "object",
  required: ["message"],
  properties: { message: nonEmptyString },
  additionalProperties: false,
} as const;
export type ErrorResponse = FromSchema<typeof ErrorResponseSchema>;

/** The parts of an HTTP API (payload v2) event the status route reads, before any default applies. */
export const StatusRequestSchema = {
  type: "object",
  required: ["pathParameters"],
  properties: {
    pathParameters: {
      type: "object",
      required: ["action_intent_id"],
      properties: { action_intent_id: identifier },
    },
    queryStringParameters: {
      type: "object",
      properties: { account_id: identifier },
    },
  },
} as const;

export const ListRequestSchema = {
  type: "object",
  required: ["pathParameters"],
  properties: {
    pathParameters: {
      type: "object",
      required: ["account_id"],
      properties: { account_id: identifier },
    },
    queryStringParameters: {
      type: "object",
      properties: {
        limit: { type: "string", pattern: "^(100|[1-9][0-9]?)$", description: "an integer from 1 to 100" },
        next_token: { type: "string", minLength: 1, maxLength: 2048, pattern: "^[A-Za-z0-9_-]+$" },
      },
    },
  },
} as const;
