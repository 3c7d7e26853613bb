// Runs the rendered definition in aws-local-stepfunctions, each Task's Lambda ARN bound to a local
// function. Reports what the Step Functions console would show: path, retries, catches, final status.
import { randomUUID } from "node:crypto";
import { StateMachine, type StateMachineDefinition } from "aws-local-stepfunctions";
import type { AslDefinition } from "../infra/workflow/definition.ts";

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
  status: "SUCCEEDED" | "FAILED";
  path: string[];
  transitions: Transition[];
  output?: unknown;
  error?: string;
  cause?: string;
  /** Every state entered, in order, with its input and output: what a click on a state shows. */
  visits: StateVisit[];
  startedAt: number;
  endedAt?: number;
}

export interface LocalStateMachineOptions {
  definition: AslDefinition;
  stateMachineArn: string;
  functionsByArn: Record<string, LocalFunction>;
  /** Milliseconds between retries, instead of the definition's backoff (which is seconds, with jitter). */
  retryIntervalMs?: number;
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

export function createLocalStateMachine(options: LocalStateMachineOptions) {
  const machine = new StateMachine(options.definition as unknown as StateMachineDefinition, {
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
  const handlersFor = (executionArn: string) =>
    Object.fromEntries(
      Object.entries(functionOf).map(([stateName, run]) => [
        stateName,
        (input: unknown) => run(input, { executionArn, stateName }) as never,
      ]),
    );
  const retryIntervalOverrides =
    options.retryIntervalMs === undefined
      ? undefined
      : Object.fromEntries(taskStates.map(([name]) => [name, options.retryIntervalMs as number]));

  return {
    async execute(
      input: unknown,
      /** `report` is the execution's report so far, filled in as it runs. */
      onTransition?: (transition: Transition, executionArn: string, report: ExecutionReport) => void,
    ): Promise<ExecutionReport> {
      const name = randomUUID();
      const executionArn = `${options.stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;
      const execution = machine.run(input as never, {
        overrides: { taskResourceLocalHandlers: handlersFor(executionArn), retryIntervalOverrides },
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
          }
        }
      })();
      try {
        report.output = await execution.result;
      } catch {
        report.status = "FAILED";
      }
      await logging;
      report.endedAt = Date.now();
      return report;
    },
  };
}
