// Which Step Functions workflow type a stack deploys, and the check that keeps a definition that can outlive
// Express's five-minute ceiling off Express: an execution still running at 300 s is stopped mid-path, its
// outcome never recorded.
// https://docs.aws.amazon.com/step-functions/latest/dg/choosing-workflow-type.html
import {
  type BoundedDefinition,
  type DurationBound,
  describePath,
  durationBound,
  formatSeconds,
} from "./duration-bound.ts";

export const workflowTypes = ["STANDARD", "EXPRESS"] as const;
export type WorkflowType = (typeof workflowTypes)[number];

export const EXPRESS_MAX_SECONDS = 300;

/**
 * What the state machine writes to its CloudWatch Logs group: every history event (ALL), failures (ERROR:
 * failed, timed-out and aborted tasks, Fail states and executions), only how executions failed (FATAL), or
 * nothing (OFF). https://docs.aws.amazon.com/step-functions/latest/dg/cloudwatch-log-level.html
 */
export const workflowLogLevels = ["ALL", "ERROR", "FATAL", "OFF"] as const;
export type WorkflowLogLevel = (typeof workflowLogLevels)[number];

export class WorkflowTypeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WorkflowTypeError";
  }
}

/** The definition's bound; throws naming the bound, the limit and the states when Express cannot run it. */
export function checkWorkflowType(type: WorkflowType, definition: BoundedDefinition): DurationBound {
  const bound = durationBound(definition);
  if (type !== "EXPRESS") return bound;
  const limit = `EXPRESS workflows end after ${formatSeconds(EXPRESS_MAX_SECONDS)}`;
  if (!bound.bounded) {
    throw new WorkflowTypeError(
      `${limit}, but this definition has no bound: ${bound.reason} (${bound.states.join(", ")})`,
    );
  }
  if (bound.seconds > EXPRESS_MAX_SECONDS) {
    throw new WorkflowTypeError(
      `${limit}, but this definition can run ${formatSeconds(bound.seconds)}: ${describePath(bound.path)}; set workflowType to STANDARD or lower those states' TimeoutSeconds and Retry`,
    );
  }
  return bound;
}
