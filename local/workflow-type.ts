// How the local state machine runs the stack's workflow type, from the same config and rendered definition
// that deploy: the same refusal of an EXPRESS definition that could outlive five minutes, Express's execution
// ARNs, and its ceiling, past which an execution stops with States.Timeout
// (https://docs.aws.amazon.com/step-functions/latest/dg/express-limits.html).
import type { AslDefinition } from "../infra/workflow/definition.ts";
import {
  checkWorkflowType,
  EXPRESS_MAX_SECONDS,
  type WorkflowType,
  workflowTypes,
} from "../infra/workflow/workflow-type.ts";

export interface LocalWorkflowSettings {
  workflowType: WorkflowType;
  /** Set for EXPRESS only: Standard executions may run a year. */
  maxExecutionSeconds?: number;
}

/** Throws as the deploy does when EXPRESS cannot run the definition. */
export function localWorkflowSettings(workflowType: WorkflowType, definition: AslDefinition): LocalWorkflowSettings {
  checkWorkflowType(workflowType, definition);
  return workflowType === "EXPRESS" ? { workflowType, maxExecutionSeconds: EXPRESS_MAX_SECONDS } : { workflowType };
}

/** `--workflow-type` of `npm start` and `npm run demo`: the stack config key it sets, none when absent. */
export const workflowTypeFlag = { "workflow-type": { type: "string" } } as const;
export const workflowTypeUsage = `--workflow-type STANDARD|EXPRESS  run the state machine as that type (default: the dev stack's)`;

export function workflowTypeOverride(flag: string | undefined): { workflowType?: WorkflowType } {
  if (flag === undefined) return {};
  const type = workflowTypes.find((candidate) => candidate === flag.toUpperCase());
  if (!type) throw new TypeError(`--workflow-type must be ${workflowTypes.join(" or ")}, got "${flag}"`);
  return { workflowType: type };
}
