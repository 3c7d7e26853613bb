// The EventBridge rule that starts an execution per approved intent: its event pattern and the input
// transformer that shapes the execution input. The Pulumi program and the local bus both use these.
import { intentKeyFields } from "../schemas/common.ts";

export interface TriggerConfig {
  source: string;
  detailType: string;
}

export function approvedEventPattern({ source, detailType }: TriggerConfig) {
  return { source: [source], "detail-type": [detailType] };
}

/** `{ action_intent_id, tenant_id, account_id }` from `detail.data`, as the execution input. */
export const executionInputTransformer = {
  inputPaths: Object.fromEntries(intentKeyFields.map((field) => [field, `$.detail.data.${field}`])),
  inputTemplate: `{${intentKeyFields.map((field) => `"${field}": <${field}>`).join(", ")}}`,
} as const;

/**
 * The PutEvents entry that approves an intent, as the decision layer publishes it: the counterpart of the
 * pattern and transformer above, so every producer in this project (the operator CLI, `npm start`'s demo
 * intent, the tests) builds it in one place.
 */
export function approvalEntry(
  trigger: TriggerConfig & { busName: string },
  key: Record<(typeof intentKeyFields)[number], string>,
) {
  return {
    Source: trigger.source,
    DetailType: trigger.detailType,
    EventBusName: trigger.busName,
    Detail: JSON.stringify({
      data: Object.fromEntries(intentKeyFields.map((field) => [field, key[field]])),
    }),
  };
}
