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
