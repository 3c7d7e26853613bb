// The state machine's own CloudWatch Logs lines for one execution, as Step Functions delivers them to the
// log group of a state machine with logging on: one JSON line per execution-history event the level lets
// through, `details` holding that event's fields, input and output only with includeExecutionData.
// https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html (levels: .../cloudwatch-log-level.html)
//
// The shape is what the service writes, e.g. (an execution of a Standard state machine, data excluded):
//   {"details":{"name":"Intake"},"redrive_count":"0","id":"2","type":"TaskStateEntered",
//    "previous_event_id":"1","event_timestamp":"1787541942901","execution_arn":"arn:aws:states:..."}
// Numbers are strings; `details` carries the history event's details (API_HistoryEvent.html) in camelCase.
// The events come from the local interpreter's own event log (states entered, failed attempts, retries,
// exits) and from the Lambda invocations each Task made: a Task whose Resource is a function ARN records
// LambdaFunctionScheduled, LambdaFunctionStarted and LambdaFunctionSucceeded/Failed/TimedOut per attempt.
// Which fields carry error and cause when execution data is excluded is not documented: they are kept, as
// they describe the failure rather than the data.
import { join } from "node:path";
import type { StateMachine } from "aws-local-stepfunctions";
import type { AslDefinition } from "../infra/workflow/definition.ts";
import type { WorkflowLogLevel } from "../infra/workflow/workflow-type.ts";
import { createJsonLinesAppender, readJsonLines } from "./json-lines.ts";

/** An event of aws-local-stepfunctions' execution event log (the package does not export the type). */
export type InterpreterEvent = ReturnType<StateMachine["run"]>["eventLogs"] extends AsyncIterable<infer E> ? E : never;

/** One call of a Task's function, in call order: what Step Functions sent and what came back. */
export interface TaskInvocation {
  state: string;
  input: unknown;
  startedAt: number;
  endedAt?: number;
  output?: unknown;
  failed?: boolean;
}

/** What the interpreter reported of one execution, in order, and the function calls its Tasks made. */
export interface ExecutionHistory {
  events: InterpreterEvent[];
  invocations: TaskInvocation[];
}

export interface StateMachineLogSettings {
  level: WorkflowLogLevel;
  includeExecutionData: boolean;
  /** The state machine's role, which ExecutionStarted names. */
  roleArn: string;
  /** The rendered definition the execution ran: each Task's function ARN and TimeoutSeconds. */
  definition: AslDefinition;
}

export interface HistoryEvent {
  id: number;
  type: string;
  timestamp: number;
  details: Record<string, unknown>;
}

/** Escaped input or output above this many bytes is cut, with `truncated: true` (cw-logs.html, "payloads"). */
export const LOGGED_PAYLOAD_LIMIT = 248 * 1024;

/** The events each level lets through; ALL lets every event through, OFF none (cloudwatch-log-level.html). */
const fatalEvents = new Set(["ExecutionAborted", "ExecutionFailed", "ExecutionTimedOut"]);
const errorEvents = new Set([
  ...fatalEvents,
  "FailStateEntered",
  "LambdaFunctionFailed",
  "LambdaFunctionScheduleFailed",
  "LambdaFunctionStartFailed",
  "LambdaFunctionTimedOut",
  "MapIterationAborted",
  "MapIterationFailed",
  "MapStateAborted",
  "MapStateFailed",
  "ParallelStateAborted",
  "ParallelStateFailed",
  "TaskFailed",
  "TaskStartFailed",
  "TaskStateAborted",
  "TaskSubmitFailed",
  "TaskTimedOut",
  "WaitStateAborted",
]);

export function logsEventType(level: WorkflowLogLevel, type: string): boolean {
  switch (level) {
    case "ALL":
      return true;
    case "ERROR":
      return errorEvents.has(type);
    case "FATAL":
      return fatalEvents.has(type);
    case "OFF":
      return false;
  }
}

function payload(key: "input" | "output", value: unknown): Record<string, unknown> {
  const text = JSON.stringify(value ?? null);
  // The limit applies to the escaped text, as it sits inside the log line.
  const truncated = JSON.stringify(text).length - 2 > LOGGED_PAYLOAD_LIMIT;
  return { [key]: truncated ? text.slice(0, LOGGED_PAYLOAD_LIMIT) : text, [`${key}Details`]: { truncated } };
}

const causeText = (cause: unknown) => (typeof cause === "string" ? cause : JSON.stringify(cause));

/**
 * Every history event of the execution, numbered as the history numbers them, before the level filters
 * any: the ids a filtered log shows keep their gaps, as they do in CloudWatch.
 */
export function historyEvents(history: ExecutionHistory, settings: StateMachineLogSettings): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const withData = settings.includeExecutionData;
  const add = (type: string, timestamp: number, details: Record<string, unknown>) =>
    events.push({ id: events.length + 1, type, timestamp, details });
  const data = (key: "input" | "output", value: unknown) => (withData ? payload(key, value) : {});
  const pending = new Map<string, TaskInvocation[]>();
  for (const invocation of history.invocations) {
    pending.set(invocation.state, [...(pending.get(invocation.state) ?? []), invocation]);
  }
  /** The attempt in progress per Task state: its invocation, until it succeeded, failed or timed out. */
  const attempts = new Map<string, TaskInvocation>();

  const startAttempt = (name: string, openedAt: number, closesAt: number) => {
    const next = pending.get(name)?.[0];
    // An attempt that failed before calling its function (e.g. a Parameters path missing) has none.
    if (!next || next.startedAt < openedAt || next.startedAt > closesAt) return;
    pending.get(name)?.shift();
    attempts.set(name, next);
    const state = settings.definition.States[name] ?? {};
    add("LambdaFunctionScheduled", next.startedAt, {
      ...data("input", next.input),
      resource: state.Resource,
      timeoutInSeconds: state.TimeoutSeconds,
    });
    add("LambdaFunctionStarted", next.startedAt, {});
  };
  /** When the attempt opened at `index` ends: the state's next failure or exit, or the execution's end. */
  const closingTime = (index: number, name: string) =>
    history.events
      .slice(index + 1)
      .find(
        (event) =>
          ((event.type === "StateFailed" || event.type === "StateExited") && event.state.name === name) ||
          event.type.startsWith("Execution"),
      )?.timestamp ?? Number.POSITIVE_INFINITY;

  history.events.forEach((event, index) => {
    switch (event.type) {
      case "ExecutionStarted":
        add("ExecutionStarted", event.timestamp, { ...data("input", event.input), roleArn: settings.roleArn });
        return;
      case "StateEntered":
        add(`${event.state.type}StateEntered`, event.timestamp, {
          ...data("input", event.state.input),
          name: event.state.name,
        });
        if (event.state.type === "Task")
          startAttempt(event.state.name, event.timestamp, closingTime(index, event.state.name));
        return;
      case "StateRetried":
        startAttempt(event.state.name, event.timestamp, closingTime(index, event.state.name));
        return;
      case "StateFailed": {
        const attempt = attempts.get(event.state.name);
        if (!attempt) return;
        attempts.delete(event.state.name);
        const type = event.Error === "States.Timeout" ? "LambdaFunctionTimedOut" : "LambdaFunctionFailed";
        add(type, event.timestamp, { cause: causeText(event.Cause), error: event.Error });
        return;
      }
      case "StateExited": {
        const attempt = attempts.get(event.state.name);
        if (attempt) {
          attempts.delete(event.state.name);
          add("LambdaFunctionSucceeded", attempt.endedAt ?? event.timestamp, data("output", attempt.output));
        }
        // A Fail state ends the execution; it has no exit.
        if (event.state.type !== "Fail") {
          add(`${event.state.type}StateExited`, event.timestamp, {
            name: event.state.name,
            ...data("output", event.state.output),
          });
        }
        return;
      }
      case "ExecutionSucceeded":
        add("ExecutionSucceeded", event.timestamp, data("output", event.output));
        return;
      case "ExecutionFailed":
        add("ExecutionFailed", event.timestamp, { cause: causeText(event.Cause), error: event.Error });
        return;
      case "ExecutionTimeout":
        add("ExecutionTimedOut", event.timestamp, { error: "States.Timeout" });
        return;
      case "ExecutionAborted":
        add("ExecutionAborted", event.timestamp, {});
        return;
      default:
      // StateCaught has no history event of its own (the state's exit follows); the definition has no Map
      // or Parallel state whose iteration events would need one.
    }
  });
  return events;
}

const sortedKeys = (details: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(details).sort(([a], [b]) => a.localeCompare(b)));

/** The lines CloudWatch Logs receives for the execution, in order, for the stack's level and data setting. */
export function stateMachineLogLines(
  executionArn: string,
  history: ExecutionHistory,
  settings: StateMachineLogSettings,
): string[] {
  if (settings.level === "OFF") return [];
  return historyEvents(history, settings)
    .filter((event) => logsEventType(settings.level, event.type))
    .map((event) =>
      JSON.stringify({
        details: sortedKeys(event.details),
        redrive_count: "0",
        id: String(event.id),
        type: event.type,
        previous_event_id: String(event.id - 1),
        event_timestamp: String(event.timestamp),
        execution_arn: executionArn,
      }),
    );
}

/** The state machine's log group, under the engine's state directory, one `{ executionArn, line }` a line. */
export const STATE_MACHINE_LOGS_FILE = "state-machine-logs.jsonl";

export interface StateMachineLogEvent {
  executionArn: string;
  /** The log event's message, exactly as CloudWatch Logs stores it. */
  line: string;
}

/**
 * The state machine's log group: every line written so far (earlier runs on the directory included, as a
 * log group keeps them across deploys), and each execution's own.
 */
export function createStateMachineLogGroup(directory: string) {
  const file = join(directory, STATE_MACHINE_LOGS_FILE);
  const events = readJsonLines<StateMachineLogEvent>(file, { repair: true });
  const appender = createJsonLinesAppender(file);
  return {
    events,
    write(executionArn: string, lines: readonly string[]) {
      if (lines.length === 0) return;
      const written = lines.map((line) => ({ executionArn, line }));
      events.push(...written);
      appender.append(written);
    },
    /** Resolves once every line written is in the file. */
    close: () => appender.close(),
    /** One execution's lines, in order; two runs of one Express execution share its ARN and its lines. */
    linesOf: (executionArn: string) =>
      events.filter((event) => event.executionArn === executionArn).map((event) => event.line),
  };
}

export type StateMachineLogGroup = ReturnType<typeof createStateMachineLogGroup>;
