// The state machine's own log lines, from executions of small definitions on the local interpreter (the one
// the engine runs), checked against the shape and levels Step Functions documents
// (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html, .../cloudwatch-log-level.html), and the
// Express ceiling: an execution still running at it stops with States.Timeout
// (https://docs.aws.amazon.com/step-functions/latest/dg/express-limits.html).
import { describe, expect, it } from "vitest";
import type { AslDefinition } from "../infra/workflow/definition.ts";
import { EXPRESS_MAX_SECONDS } from "../infra/workflow/workflow-type.ts";
import { createLocalStateMachine, type ExecutionReport, type LocalFunction } from "./state-machine.ts";
import { LOGGED_PAYLOAD_LIMIT, type StateMachineLogSettings, stateMachineLogLines } from "./state-machine-log.ts";
import { localWorkflowSettings } from "./workflow-type.ts";

const stateMachineArn = "arn:aws:states:us-east-1:000000000000:stateMachine:engine-local";
const fn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
// Jittered, as the engine's retriers are: the interpreter then waits `retryIntervalMs`, not the second.
const retry = [{ ErrorEquals: ["TransientError"], IntervalSeconds: 1, MaxAttempts: 1, JitterStrategy: "FULL" }];

/** Claim, then call; a failed call is caught into a Fail state, as the engine's definition ends failures. */
const definition: AslDefinition = {
  StartAt: "Claim",
  States: {
    Claim: { Type: "Task", Resource: fn("claim"), TimeoutSeconds: 7, ResultPath: "$.claim", Next: "Call" },
    Call: {
      Type: "Task",
      Resource: fn("call"),
      TimeoutSeconds: 16,
      Retry: retry,
      Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "Failed" }],
      ResultPath: "$.call",
      End: true,
    },
    Failed: { Type: "Fail", Error: "ActionFailed", Cause: "the call failed" },
  },
};

function transient(message: string): Error {
  return Object.assign(new Error(message), { name: "TransientError" });
}

let slowCallEnded = false;
/** What the called function does, by the execution's input: answer, fail, answer a lot, or take 1.5 s. */
const call: LocalFunction = async (input) => {
  const { mode } = input as { mode?: string };
  if (mode === "fail") throw transient("gateway 503");
  if (mode === "big") return { text: '"'.repeat(130 * 1024) };
  if (mode === "slow") {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    slowCallEnded = true;
  }
  return { ok: true, got: input };
};
// One machine for every case: building one validates the definition, which takes a second. Express, with a
// ceiling of 1 s, which only the slow call reaches.
const machine = createLocalStateMachine({
  definition,
  stateMachineArn,
  functionsByArn: { [fn("claim")]: async () => ({ owner: "me" }), [fn("call")]: call },
  retryIntervalMs: 1,
  workflowType: "EXPRESS",
  maxExecutionSeconds: 1,
});

const settings = (overrides: Partial<StateMachineLogSettings> = {}): StateMachineLogSettings => ({
  level: "ALL",
  includeExecutionData: true,
  roleArn: "arn:aws:iam::000000000000:role/engine-local-workflow",
  definition,
  ...overrides,
});
const linesOf = (report: ExecutionReport, overrides: Partial<StateMachineLogSettings> = {}) =>
  stateMachineLogLines(report.executionArn, report.history, settings(overrides)).map(
    (line) => JSON.parse(line) as Record<string, unknown> & { details: Record<string, unknown> },
  );

describe("state machine log lines", () => {
  it("at ALL with execution data: every history event, in order, shaped as CloudWatch receives them", async () => {
    // Act
    const report = await machine.execute({ intent: "i-1" });
    const raw = stateMachineLogLines(report.executionArn, report.history, settings());
    const lines = raw.map((line) => JSON.parse(line));

    // Assess
    expect(lines.map((line) => line.type)).toEqual([
      "ExecutionStarted",
      "TaskStateEntered",
      "LambdaFunctionScheduled",
      "LambdaFunctionStarted",
      "LambdaFunctionSucceeded",
      "TaskStateExited",
      "TaskStateEntered",
      "LambdaFunctionScheduled",
      "LambdaFunctionStarted",
      "LambdaFunctionSucceeded",
      "TaskStateExited",
      "ExecutionSucceeded",
    ]);
    expect(Object.keys(lines[1])).toEqual([
      "details",
      "redrive_count",
      "id",
      "type",
      "previous_event_id",
      "event_timestamp",
      "execution_arn",
    ]);
    expect(lines[0]).toMatchObject({
      id: "1",
      previous_event_id: "0",
      redrive_count: "0",
      execution_arn: report.executionArn,
      details: {
        input: '{"intent":"i-1"}',
        inputDetails: { truncated: false },
        roleArn: "arn:aws:iam::000000000000:role/engine-local-workflow",
      },
    });
    expect(lines[0].event_timestamp).toMatch(/^\d{13}$/);
    // What the function got (the state's input), and returned (before ResultPath placed it).
    expect(lines[7]?.details).toEqual({
      input: '{"intent":"i-1","claim":{"owner":"me"}}',
      inputDetails: { truncated: false },
      resource: fn("call"),
      timeoutInSeconds: 16,
    });
    expect(lines[9]?.details).toEqual({
      output: '{"ok":true,"got":{"intent":"i-1","claim":{"owner":"me"}}}',
      outputDetails: { truncated: false },
    });
    expect(lines[10]?.details).toMatchObject({ name: "Call" });
    expect(raw.every((line) => !line.includes("\n"))).toBe(true);
  });

  it("without execution data: no input or output anywhere, the same events", async () => {
    // Act
    const report = await machine.execute({ intent: "secret-intent" });
    const lines = linesOf(report, { includeExecutionData: false });

    // Assess
    expect(lines).toHaveLength(12);
    expect(JSON.stringify(lines)).not.toMatch(/secret|"input"|"output"/);
    expect(lines[0]?.details).toEqual({ roleArn: "arn:aws:iam::000000000000:role/engine-local-workflow" });
    expect(lines.at(-1)?.details).toEqual({});
  });

  it("at ERROR: each failed attempt, the Fail state and the execution's failure, with the history's ids", async () => {
    // Act
    const report = await machine.execute({ intent: "i-2", mode: "fail" });
    const all = linesOf(report);
    const errors = linesOf(report, { level: "ERROR" });

    // Assess
    expect(report.status).toBe("FAILED");
    expect(errors.map((line) => line.type)).toEqual([
      "LambdaFunctionFailed",
      "LambdaFunctionFailed",
      "FailStateEntered",
      "ExecutionFailed",
    ]);
    // Ids are the history's: the events ERROR leaves out leave gaps.
    expect(errors.map((line) => line.id)).toEqual(
      all.filter((line) => errors.some((kept) => kept.type === line.type)).map((line) => line.id),
    );
    expect(Number(errors[1]?.id) - Number(errors[0]?.id)).toBeGreaterThan(1);
    expect(errors[0]?.details).toMatchObject({ error: "TransientError" });
    expect(errors.at(-1)?.details).toEqual({ cause: "the call failed", error: "ActionFailed" });
    expect(all.map((line) => line.type)).toContain("TaskStateExited");
  });

  it("at FATAL only how the execution failed, at OFF nothing", async () => {
    // Act
    const report = await machine.execute({ mode: "fail" });

    // Assess
    expect(linesOf(report, { level: "FATAL" }).map((line) => line.type)).toEqual(["ExecutionFailed"]);
    expect(linesOf(report, { level: "OFF" })).toEqual([]);
    expect(linesOf(await machine.execute({}), { level: "ERROR" }).map((line) => line.type)).toEqual([]);
  });

  it("cuts an input or output above 248 KB, escaped, and says so", async () => {
    // Act
    const report = await machine.execute({ mode: "big" });
    const succeeded = linesOf(report).findLast((line) => line.type === "LambdaFunctionSucceeded");

    // Assess
    expect(succeeded?.details.outputDetails).toEqual({ truncated: true });
    expect(String(succeeded?.details.output).length).toBe(LOGGED_PAYLOAD_LIMIT);
  });
});

describe("an Express execution on the local interpreter", () => {
  it("is named as Express names its executions: the machine, the execution and the run", async () => {
    // Act
    const report = await machine.execute({});

    // Assess
    expect(report.executionArn).toMatch(
      /^arn:aws:states:us-east-1:000000000000:express:engine-local:[0-9a-f-]{36}:[0-9a-f-]{36}$/,
    );
  });

  it("still running at its ceiling is stopped with States.Timeout, its task's call left running", async () => {
    // Act
    const report = await machine.execute({ mode: "slow" });
    const lines = linesOf(report, { level: "ERROR" });

    // Assess
    expect(report).toMatchObject({ status: "TIMED_OUT", error: "States.Timeout" });
    expect(slowCallEnded).toBe(false);
    expect(lines).toEqual([
      expect.objectContaining({ type: "ExecutionTimedOut", details: { error: "States.Timeout" } }),
    ]);
    expect(
      linesOf(report)
        .map((line) => line.type)
        .slice(-3),
    ).toEqual(["LambdaFunctionScheduled", "LambdaFunctionStarted", "ExecutionTimedOut"]);
  });

  it("runs with the same refusal and ceiling as the deploy: Express's 300 s", () => {
    expect(localWorkflowSettings("EXPRESS", definition)).toEqual({
      workflowType: "EXPRESS",
      maxExecutionSeconds: EXPRESS_MAX_SECONDS,
    });
    expect(localWorkflowSettings("STANDARD", definition)).toEqual({ workflowType: "STANDARD" });
    const slow = structuredClone(definition);
    Object.assign(slow.States.Call as object, { TimeoutSeconds: 400 });
    expect(() => localWorkflowSettings("EXPRESS", slow)).toThrow(/EXPRESS workflows end after 300 s.*Call 2 x 400 s/);
  });
});
