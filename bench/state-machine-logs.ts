// The log events a state machine's CloudWatch Logs delivery writes for one execution, derived from the
// execution the local engine ran: its states entered, each failed attempt, retry and catch, and how it
// ended. One event per execution-history event the log level lets through, in the documented shape
// (id, type, details, previous_event_id, event_timestamp, execution_arn, redrive_count), with the stack's
// ARNs; `input`/`output` only with includeExecutionData.
// https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html
// https://docs.aws.amazon.com/step-functions/latest/dg/cloudwatch-log-level.html
//
// Derived, not captured: the local engine does not write the state machine's own log lines yet. The
// report it gives carries the execution's input and output but not each state's, so with
// includeExecutionData the data of the states in between is missing and the bytes are a lower bound; and a
// failed attempt's cause is the error's message, where AWS logs the Lambda's whole error report (its
// stack trace included), so the failure events are a lower bound too.
import type { AslDefinition } from "../infra/workflow/definition.ts";
import type { ExecutionReport, Transition } from "../local/state-machine.ts";
import type { DeployedStateMachine } from "./stack.ts";

export type WorkflowType = DeployedStateMachine["type"];
export type StateMachineLogLevel = DeployedStateMachine["logging"]["level"];

/** The events each level lets through besides those of ALL; ALL logs every event, OFF none. */
const errorEvents = new Set([
  "ExecutionAborted",
  "ExecutionFailed",
  "ExecutionTimedOut",
  "FailStateEntered",
  "LambdaFunctionFailed",
  "LambdaFunctionScheduleFailed",
  "LambdaFunctionStartFailed",
  "LambdaFunctionTimedOut",
  "TaskFailed",
  "TaskStartFailed",
  "TaskSubmitFailed",
  "TaskTimedOut",
]);
const fatalEvents = new Set(["ExecutionAborted", "ExecutionFailed", "ExecutionTimedOut"]);

export function logsEvent(level: StateMachineLogLevel, type: string): boolean {
  if (level === "ALL") return true;
  if (level === "ERROR") return errorEvents.has(type);
  if (level === "FATAL") return fatalEvents.has(type);
  return false;
}

export interface StateMachineLogContext {
  definition: AslDefinition;
  machine: Pick<DeployedStateMachine, "name" | "roleArn" | "logging">;
  type: WorkflowType;
}

/** What of an execution's report the log events are derived from. */
export type ExecutionHistory = Pick<
  ExecutionReport,
  "executionArn" | "input" | "output" | "status" | "error" | "cause"
> & {
  transitions: Pick<Transition, "state" | "event" | "detail">[];
};

interface HistoryEvent {
  type: string;
  details: Record<string, unknown>;
}

/** An execution's ARN as AWS names it: Express executions carry the execution name and a run id. */
export function executionArnFor(definition: AslDefinition, machineName: string, type: WorkflowType, id: string) {
  const functionArn = Object.values(definition.States).find((state) => state.Type === "Task")?.Resource;
  const [, , , region, account] = String(functionArn ?? "arn:aws:lambda:us-east-1:000000000000").split(":");
  return type === "EXPRESS"
    ? `arn:aws:states:${region}:${account}:express:${machineName}:${id}:${id}`
    : `arn:aws:states:${region}:${account}:execution:${machineName}:${id}`;
}

/** The execution-history events of a run, from the report's transitions and the definition's state types. */
export function historyEvents(report: ExecutionHistory, definition: AslDefinition): HistoryEvent[] {
  const data = (key: "input" | "output", value: unknown) => ({
    [key]: JSON.stringify(value ?? {}),
    [`${key}Details`]: { truncated: false },
  });
  const events: HistoryEvent[] = [{ type: "ExecutionStarted", details: { ...data("input", report.input) } }];
  let open: { name: string; type: string; failed: boolean } | undefined;
  const close = () => {
    if (!open || open.failed) return;
    if (open.type === "Task") events.push({ type: "LambdaFunctionSucceeded", details: data("output", undefined) });
    if (open.type !== "Fail") events.push({ type: `${open.type}StateExited`, details: { name: open.name } });
  };
  const schedule = (name: string) => {
    const state = definition.States[name] ?? {};
    events.push(
      {
        type: "LambdaFunctionScheduled",
        details: {
          ...data("input", undefined),
          resource: state.Resource,
          ...(state.TimeoutSeconds ? { timeoutInSeconds: state.TimeoutSeconds } : {}),
        },
      },
      { type: "LambdaFunctionStarted", details: {} },
    );
  };
  for (const transition of report.transitions) {
    const type = String(definition.States[transition.state]?.Type ?? "Pass");
    if (transition.event === "entered") {
      close();
      open = { name: transition.state, type, failed: false };
      events.push({ type: `${type}StateEntered`, details: { ...data("input", undefined), name: transition.state } });
      if (type === "Task") schedule(transition.state);
    } else if (transition.event === "failed" && open) {
      const [error, ...cause] = (transition.detail ?? "").split(": ");
      events.push({ type: "LambdaFunctionFailed", details: { error, cause: cause.join(": ") } });
      open.failed = true;
    } else if (transition.event === "retried" && open) {
      open.failed = false;
      schedule(transition.state);
    }
  }
  close();
  events.push(
    report.status === "SUCCEEDED"
      ? { type: "ExecutionSucceeded", details: data("output", report.output) }
      : { type: "ExecutionFailed", details: { error: report.error ?? "", cause: report.cause ?? "" } },
  );
  return events;
}

/** The log events' messages, as CloudWatch Logs ingests them (one compact JSON object each). */
export function stateMachineLogLines(report: ExecutionHistory, context: StateMachineLogContext): string[] {
  const { level, includeExecutionData } = context.machine.logging;
  const executionArn = executionArnFor(
    context.definition,
    context.machine.name,
    context.type,
    report.executionArn.split(":").pop() ?? "",
  );
  const withoutData = (details: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(details).filter(([key]) => key !== "input" && key !== "output"));
  // Event times as Step Functions stamps them: milliseconds since the epoch, 13 digits until 2286.
  const at = String(Date.UTC(2026, 0, 1));
  return historyEvents(report, context.definition).flatMap((event, index) => {
    if (!logsEvent(level, event.type)) return [];
    const details =
      event.type === "ExecutionStarted" ? { ...event.details, roleArn: context.machine.roleArn } : event.details;
    return [
      JSON.stringify({
        id: String(index + 1),
        type: event.type,
        details: includeExecutionData ? details : withoutData(details),
        previous_event_id: String(index),
        event_timestamp: at,
        execution_arn: executionArn,
        redrive_count: "0",
      }),
    ];
  });
}
