// Events crossing the EventBridge bus: the trigger the engine consumes and the signal it publishes.
import type { FromSchema } from "json-schema-to-ts";
import { epochSeconds, intentKey, intentKeyFields, nonEmptyString, timestamp } from "./common.ts";
import { outcomeFields } from "./records.ts";

/** The `ACTION_APPROVED` event as EventBridge delivers it. Source and detail-type are per-stack config. */
export const ActionApprovedEventSchema = {
  type: "object",
  required: ["source", "detail-type", "detail"],
  properties: {
    source: nonEmptyString,
    "detail-type": nonEmptyString,
    detail: {
      type: "object",
      required: ["data"],
      properties: {
        data: {
          type: "object",
          required: intentKeyFields,
          properties: intentKey,
        },
      },
    },
  },
} as const;
export type ActionApprovedEvent = FromSchema<typeof ActionApprovedEventSchema>;

/** Detail of the `ACTION_EXECUTED` / `ACTION_FAILED` signal. `signal_id` is stable: consumers dedupe on it. */
export const SignalDetailSchema = {
  type: "object",
  required: [
    ...intentKeyFields,
    "signal_id",
    "signal_type",
    "execution_trace_id",
    "occurred_at",
    "status",
    "external_object_refs",
  ],
  properties: {
    ...intentKey,
    signal_id: nonEmptyString,
    signal_type: { type: "string", enum: ["ACTION_EXECUTED", "ACTION_FAILED"] },
    execution_trace_id: nonEmptyString,
    decision_trace_id: nonEmptyString,
    occurred_at: timestamp,
    ...outcomeFields,
  },
  additionalProperties: false,
} as const;
export type SignalDetail = FromSchema<typeof SignalDetailSchema>;

/** The stored copy of a signal; expires (DynamoDB TTL) 90 days after it was written. */
export const SignalRecordSchema = {
  type: "object",
  required: ["detail", "expires_at_epoch"],
  properties: {
    detail: SignalDetailSchema,
    expires_at_epoch: epochSeconds,
  },
  additionalProperties: false,
} as const;
export type SignalRecord = FromSchema<typeof SignalRecordSchema>;
