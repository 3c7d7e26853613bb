// Runs the rendered definition in aws-local-stepfunctions, each Task's Lambda ARN bound to a local
// function. Reports what the Step Functions console would show: path, retries, catches, final status.
import { randomUUID } from "node:crypto";
import type { AslDefinition } from "../infra/workflow/definition.ts";
import type { WorkflowType } from "../infra/workflow/workflow-type.ts";
import type { ExecutionHistory, TaskInvocation } from "./state-machine-log.ts";
import { ExecutionTimeoutError, StateMachine, type StateMachineDefinition } from "./step-functions.ts";

/** Which execution and state an invocation belongs to, as Lambda's context and X-Ray's trace know it. */
export interface InvocationContext {
  executionArn: string;
  stateName: string;
}

export type LocalFunction = (input: unknown, invocation: InvocationContext) => Promise<unknown>;

export interface Transition {
  state: string;
  event: "entered" | "retried" | "caught" | "failed";
  detail?: string;
  /** Milliseconds since the epoch, as the execution history stamps each event. */
  at: number;
}

/** One entry into a state, with what the execution history shows for it: input, then output or error. */
export interface StateVisit {
  state: string;
  type: string;
  enteredAt: number;
  exitedAt?: number;
  input: unknown;
  output?: unknown;
  /** Each failed attempt's error in order: those retried, then one caught or failing the execution. */
  errors: { error: string; cause: string; at: number }[];
  /** Retries of this entry; fewer than `errors` when its last error was caught or failed the execution. */
  retries: number;
  /** The Catch's Next, when its last error was caught. */
  caughtInto?: string;
}

export interface ExecutionReport {
  executionArn: string;
  input: unknown;
  /** TIMED_OUT: stopped at `maxExecutionSeconds` (States.Timeout), as Express stops an execution at five minutes. */
  status: "SUCCEEDED" | "FAILED" | "TIMED_OUT";
  path: string[];
  transitions: Transition[];
  output?: unknown;
  error?: string;
  cause?: string;
  /** The interpreter's events and the Tasks' function calls, from which the state machine's log lines come. */
  history: ExecutionHistory;
  /** Every state entered, in order, with its input and output: what a click on a state shows. */
  visits: StateVisit[];
  startedAt: number;
  endedAt?: number;
}

export interface LocalStateMachineOptions {
  definition: AslDefinition;
  stateMachineArn: string;
  functionsByArn: Record<string, LocalFunction>;
  /**
   * Milliseconds between retries, instead of the backoff of each retrier with FULL jitter (which may draw a
   * wait that short); a retrier without jitter keeps its guaranteed wait.
   */
  retryIntervalMs?: number;
  /** EXPRESS names each execution as Express does (`...:express:<machine>:<name>:<run id>`). */
  workflowType?: WorkflowType;
  /** Stops an execution still running after this long with States.Timeout: Express's 300 s (less in tests). */
  maxExecutionSeconds?: number;
}

/** An execution's ARN as Step Functions names it; an Express one also names the run. */
function executionArnFor(options: LocalStateMachineOptions, name: string): string {
  const [prefix, machineName] = options.stateMachineArn.split(":stateMachine:");
  return options.workflowType === "EXPRESS"
    ? `${prefix}:express:${machineName}:${name}:${randomUUID()}`
    : `${prefix}:execution:${machineName}:${name}`;
}

/** The message inside a Lambda failure's Cause, or the Cause itself. */
export function readableCause(cause: unknown): string {
  const text = typeof cause === "string" ? cause : JSON.stringify(cause);
  try {
    const parsed = JSON.parse(text) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === "string") return parsed.errorMessage;
  } catch {
    // Not a Lambda failure: States.* errors carry plain text.
  }
  return text;
}

/**
 * The interpreter's wait per retrier of a state (milliseconds; -1 keeps the definition's). A retrier with
 * FULL jitter may wait anything from 0 up to its backoff, so a short wait is one AWS could draw; one without
 * jitter waits exactly its backoff, and the definition may rely on that (InvokeTool waits out another run's
 * claim on the tool call), so its wait is kept.
 * (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html)
 */
export function retrierIntervals(state: Record<string, unknown>, retryIntervalMs: number): number[] {
  const retriers = (state.Retry as { JitterStrategy?: string }[] | undefined) ?? [];
  return retriers.map((retrier) => (retrier.JitterStrategy === "FULL" ? retryIntervalMs : -1));
}

export function createLocalStateMachine(options: LocalStateMachineOptions) {
  // A top-level TimeoutSeconds makes the interpreter stop the execution with ExecutionTimeout, as Step
  // Functions stops an Express execution past five minutes: States.Timeout, counted in ExecutionsTimedOut
  // (https://docs.aws.amazon.com/step-functions/latest/dg/express-limits.html). The deployed definition has none.
  const runnable =
    options.maxExecutionSeconds === undefined
      ? options.definition
      : { ...options.definition, TimeoutSeconds: options.maxExecutionSeconds };
  const machine = new StateMachine(runnable as unknown as StateMachineDefinition, {
    validationOptions: { checkArn: true, checkPaths: true },
  });
  const taskStates = Object.entries(options.definition.States).filter(([, state]) => state.Type === "Task");
  const functionOf = Object.fromEntries(
    taskStates.map(([name, state]) => {
      const run = options.functionsByArn[state.Resource as string];
      if (!run) throw new Error(`state ${name} names ${String(state.Resource)}, which no local function serves`);
      return [name, run];
    }),
  );
  const handlersFor = (executionArn: string, invocations: TaskInvocation[]) =>
    Object.fromEntries(
      Object.entries(functionOf).map(([stateName, run]) => [
        stateName,
        async (input: unknown) => {
          const invocation: TaskInvocation = { state: stateName, input, startedAt: Date.now() };
          invocations.push(invocation);
          try {
            invocation.output = await run(input, { executionArn, stateName });
            return invocation.output as never;
          } catch (error) {
            invocation.failed = true;
            throw error;
          } finally {
            invocation.endedAt = Date.now();
          }
        },
      ]),
    );
  const retryIntervalOverrides =
    options.retryIntervalMs === undefined
      ? undefined
      : Object.fromEntries(
          taskStates.map(([name, state]) => [name, retrierIntervals(state, options.retryIntervalMs as number)]),
        );

  return {
    /** A new execution's ARN, to start it with (and, for Express, to run it again under). */
    newExecutionArn: () => executionArnFor(options, randomUUID()),
    async execute(
      input: unknown,
      /** `report` is the execution's report so far, filled in as it runs. */
      onTransition?: (transition: Transition, executionArn: string, report: ExecutionReport) => void,
      /** `executionArn` runs an execution again from its start, as Express may (at-least-once). */
      start: { executionArn?: string } = {},
    ): Promise<ExecutionReport> {
      const executionArn = start.executionArn ?? executionArnFor(options, randomUUID());
      const name = executionArn.split(":")[7] as string;
      const history: ExecutionHistory = { events: [], invocations: [] };
      const execution = machine.run(input as never, {
        overrides: {
          taskResourceLocalHandlers: handlersFor(executionArn, history.invocations),
          retryIntervalOverrides,
        },
        context: {
          Execution: {
            Id: executionArn,
            Name: name,
            Input: input,
            StartTime: new Date().toISOString(),
            RoleArn: "local",
          },
          StateMachine: { Id: options.stateMachineArn, Name: options.stateMachineArn.split(":").pop() },
        } as never,
      });
      const report: ExecutionReport = {
        executionArn,
        input,
        status: "SUCCEEDED",
        path: [],
        transitions: [],
        history,
        visits: [],
        startedAt: Date.now(),
      };
      const record = (transition: Transition) => {
        report.transitions.push(transition);
        onTransition?.(transition, executionArn, report);
      };
      const visitOf = (name: string) => report.visits.findLast((visit) => visit.state === name);
      const logging = (async () => {
        for await (const log of execution.eventLogs) {
          history.events.push(log);
          if (log.type === "StateEntered") {
            report.path.push(log.state.name);
            report.visits.push({
              state: log.state.name,
              type: log.state.type,
              enteredAt: log.timestamp,
              input: log.state.input,
              errors: [],
              retries: 0,
            });
            record({ state: log.state.name, event: "entered", at: log.timestamp });
          } else if (log.type === "StateExited") {
            const visit = visitOf(log.state.name);
            if (visit) Object.assign(visit, { exitedAt: log.timestamp, output: log.state.output });
          } else if (log.type === "StateRetried") {
            const visit = visitOf(log.state.name);
            if (visit) visit.retries += 1;
            record({
              state: log.state.name,
              event: "retried",
              detail: `attempt ${log.retry.attempt}`,
              at: log.timestamp,
            });
          } else if (log.type === "StateCaught") {
            const visit = visitOf(log.state.name);
            if (visit) visit.caughtInto = log.catch.catcher.Next;
            record({ state: log.state.name, event: "caught", detail: log.catch.catcher.Next, at: log.timestamp });
          } else if (log.type === "StateFailed") {
            const visit = visitOf(log.state.name);
            const cause = readableCause(log.Cause);
            visit?.errors.push({ error: log.Error, cause, at: log.timestamp });
            record({ state: log.state.name, event: "failed", detail: `${log.Error}: ${cause}`, at: log.timestamp });
          } else if (log.type === "ExecutionFailed") {
            report.status = "FAILED";
            report.error = log.Error;
            report.cause = readableCause(log.Cause);
          } else if (log.type === "ExecutionTimeout") {
            report.status = "TIMED_OUT";
            report.error = "States.Timeout";
            report.cause = `the execution ran past ${options.maxExecutionSeconds} s`;
          }
        }
      })();
      try {
        report.output = await execution.result;
      } catch (error) {
        report.status = error instanceof ExecutionTimeoutError ? "TIMED_OUT" : "FAILED";
      }
      await logging;
      report.endedAt = Date.now();
      return report;
    },
  };
}
