import { describe, expect, it } from "vitest";
import { loadTemplate, renderDefinition, templatePlaceholders, validateTemplate } from "./definition.ts";
import { type BoundedDefinition, durationBound, retrierWaits } from "./duration-bound.ts";
import { checkWorkflowType, EXPRESS_MAX_SECONDS, WorkflowTypeError } from "./workflow-type.ts";

const template = validateTemplate(loadTemplate());
const rendered = renderDefinition(
  template,
  Object.fromEntries(
    templatePlaceholders(template).map((name) => [name, `arn:aws:lambda:us-east-1:123456789012:function:${name}`]),
  ),
);

const task = (timeout: number | undefined, extra: Record<string, unknown> = {}) => ({
  Type: "Task",
  Resource: "arn:aws:lambda:us-east-1:123456789012:function:f",
  ...(timeout === undefined ? {} : { TimeoutSeconds: timeout }),
  ...extra,
});
const bounded = (definition: BoundedDefinition) => {
  const bound = durationBound(definition);
  if (!bound.bounded) throw new Error(`expected a bound, got: ${bound.reason}`);
  return bound;
};

describe("worst-case duration of the real definition", () => {
  // Every Task has one retrier for the Lambda service errors and TransientError, 2 retries: 3 attempts. The
  // waits are 1 s then 2 s (3 s); RecordFailure's, 3 retries, 1 s, 2 s and 2 s (5 s); InvokeTool's, facing the gateway's 429s and 5xx, 2 s then 4 s (6 s).
  // InvokeTool has a second retrier, for ToolCallInProgressError: 2 retries more, 1 s then 15 s without jitter
  // (16 s, the tool invoker's claim outlived: infra/workflow/tool-call-in-progress.test.ts). Each
  // TimeoutSeconds is its function's Lambda timeout + 2 s (infra/catalog.ts). The longest path enters every
  // task but one: a compensated failure whose RecordOutcome fails into RecordFailure, then ActionFailed,
  // 3 x (7 + 7 + 7 + 20 + 7) s + 4 x 7 s + 5 x 16 s + 5 x 3 s + 5 s + (6 + 16) s = 252 + 42 = 294 s.
  it("is 294 s: StartExecution through CompensateAction, RecordOutcome failing into RecordFailure", () => {
    const bound = bounded(rendered);

    expect(bound.seconds).toBe(294);
    expect(bound.path.map(({ state, seconds }) => [state, seconds])).toEqual([
      ["StartExecution", 24],
      ["ValidatePreflight", 24],
      ["MapActionToTool", 24],
      ["InvokeTool", 102],
      ["CheckCompensation", 0],
      ["CompensateAction", 63],
      ["RecordOutcome", 24],
      ["OutcomeNotRecorded", 0],
      ["RecordFailure", 33],
      ["ActionFailed", 0],
    ]);
    expect(bound.path.find((cost) => cost.state === "InvokeTool")?.detail).toBe("5 x 16 s + 22 s backoff");
  });

  it("fits EXPRESS, with 6 s to spare under its 300 s, and STANDARD takes it alike", () => {
    const express = checkWorkflowType("EXPRESS", rendered);

    expect(express).toMatchObject({ bounded: true, seconds: 294 });
    expect(EXPRESS_MAX_SECONDS - (express.bounded ? express.seconds : Number.NaN)).toBe(6);
    expect(checkWorkflowType("STANDARD", rendered)).toEqual(express);
  });

  it("is refused for EXPRESS once made too slow, naming the bound, the limit and the states", () => {
    // A tool call allowed a minute and four retries: 5 x 62 s + (2 + 4 + 4 + 4) s on InvokeTool alone.
    const slow = structuredClone(rendered);
    Object.assign(slow.States.InvokeTool as Record<string, unknown>, {
      TimeoutSeconds: 62,
      Retry: [
        { ErrorEquals: ["TransientError"], IntervalSeconds: 2, MaxAttempts: 4, BackoffRate: 2, MaxDelaySeconds: 4 },
      ],
    });

    expect(() => checkWorkflowType("EXPRESS", slow)).toThrow(WorkflowTypeError);
    expect(() => checkWorkflowType("EXPRESS", slow)).toThrow(
      /^EXPRESS workflows end after 300 s, but this definition can run 516 s: StartExecution 3 x 7 s \+ 3 s backoff, ValidatePreflight 3 x 7 s \+ 3 s backoff, MapActionToTool 3 x 7 s \+ 3 s backoff, InvokeTool 5 x 62 s \+ 14 s backoff, CompensateAction 3 x 20 s \+ 3 s backoff, RecordOutcome 3 x 7 s \+ 3 s backoff, RecordFailure 4 x 7 s \+ 5 s backoff; set workflowType to STANDARD/,
    );
    expect(checkWorkflowType("STANDARD", slow)).toMatchObject({ bounded: true, seconds: 516 });
  });
});

describe("worst-case duration of small definitions", () => {
  it("caps each wait at MaxDelaySeconds and ignores jitter, which only shortens a wait", () => {
    // https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
    const retrier = {
      ErrorEquals: ["States.ALL"],
      IntervalSeconds: 3,
      MaxAttempts: 4,
      BackoffRate: 3,
      MaxDelaySeconds: 20,
    };
    expect(retrierWaits(retrier)).toEqual([3, 9, 20, 20]);
    expect(retrierWaits({ ...retrier, JitterStrategy: "FULL" } as typeof retrier)).toEqual([3, 9, 20, 20]);
    // The service defaults: IntervalSeconds 1, MaxAttempts 3, BackoffRate 2.
    expect(retrierWaits({ ErrorEquals: ["States.ALL"] })).toEqual([1, 2, 4]);

    const bound = bounded({ StartAt: "A", States: { A: task(10, { Retry: [retrier], End: true }) } });
    expect(bound.seconds).toBe(5 * 10 + 52);
    expect(bound.path[0]?.detail).toBe("5 x 10 s + 52 s backoff");
  });

  it("adds up every retrier: each keeps its own count", () => {
    const retry = [
      { ErrorEquals: ["A"], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 1 },
      { ErrorEquals: ["B"], IntervalSeconds: 5, MaxAttempts: 1 },
    ];
    expect(bounded({ StartAt: "T", States: { T: task(10, { Retry: retry, End: true }) } }).seconds).toBe(4 * 10 + 7);
  });

  it("follows a Catch when its path is longer than the happy path", () => {
    const bound = bounded({
      StartAt: "Try",
      States: {
        Try: task(5, { Catch: [{ ErrorEquals: ["States.ALL"], Next: "Recover" }], Next: "Done" }),
        Done: { Type: "Succeed" },
        Recover: task(40, { Next: "Pause" }),
        Pause: { Type: "Wait", Seconds: 15, Next: "Failed" },
        Failed: { Type: "Fail" },
      },
    });
    expect(bound.seconds).toBe(60);
    expect(bound.path.map((cost) => cost.state)).toEqual(["Try", "Recover", "Pause", "Failed"]);
  });

  it("takes a Choice's slowest branch, Default included", () => {
    const bound = bounded({
      StartAt: "Route",
      States: {
        Route: {
          Type: "Choice",
          Choices: [{ Variable: "$.fast", BooleanEquals: true, Next: "Fast" }],
          Default: "Slow",
        },
        Fast: task(1, { End: true }),
        Slow: task(90, { Next: "Skip" }),
        Skip: { Type: "Pass", End: true },
      },
    });
    expect(bound.seconds).toBe(90);
    expect(bound.path.map((cost) => cost.state)).toEqual(["Route", "Slow", "Skip"]);
  });

  it("runs a Parallel state as long as its slowest branch, per attempt, naming states inside it", () => {
    const bound = bounded({
      StartAt: "Both",
      States: {
        Both: {
          Type: "Parallel",
          Branches: [
            { StartAt: "Quick", States: { Quick: task(5, { End: true }) } },
            { StartAt: "Slow", States: { Slow: task(20, { End: true }) } },
          ],
          Retry: [{ ErrorEquals: ["States.ALL"], MaxAttempts: 1, IntervalSeconds: 3 }],
          End: true,
        },
      },
    });
    expect(bound).toMatchObject({
      seconds: 2 * 20 + 3,
      path: [{ state: "Both", detail: "2 x 20 s + 3 s backoff (slowest branch)" }],
    });
    expect(
      durationBound({
        StartAt: "Both",
        States: {
          Both: {
            Type: "Parallel",
            Branches: [{ StartAt: "Open", States: { Open: task(undefined, { End: true }) } }],
            End: true,
          },
        },
      }),
    ).toMatchObject({ bounded: false, states: ["Both[0].Open"] });
  });

  it("has no bound for a Map state, whose item count is only known at run time", () => {
    expect(durationBound({ StartAt: "Each", States: { Each: { Type: "Map", End: true } } })).toMatchObject({
      bounded: false,
      states: ["Each"],
    });
  });

  it("has no bound when a Task has no TimeoutSeconds (the default is 99999999 s), naming the state", () => {
    expect(
      durationBound({
        StartAt: "A",
        States: { A: task(10, { Next: "NoLimit" }), NoLimit: task(undefined, { End: true }) },
      }),
    ).toEqual({
      bounded: false,
      reason: "a Task without TimeoutSeconds may run 99999999 s (the Step Functions default)",
      states: ["NoLimit"],
    });
  });

  it("has no bound when states form a cycle, naming the states on it", () => {
    const bound = durationBound({
      StartAt: "Call",
      States: {
        Call: task(10, { Next: "Check" }),
        Check: {
          Type: "Choice",
          Choices: [{ Variable: "$.done", BooleanEquals: true, Next: "Done" }],
          Default: "Again",
        },
        Again: { Type: "Wait", Seconds: 5, Next: "Call" },
        Done: { Type: "Succeed" },
      },
    });
    expect(bound).toEqual({
      bounded: false,
      reason: "the states form a cycle, which can repeat without end",
      states: ["Call", "Check", "Again", "Call"],
    });
    expect(() =>
      checkWorkflowType("EXPRESS", {
        StartAt: "Loop",
        States: { Loop: { Type: "Pass", Next: "Loop" } },
      }),
    ).toThrow("EXPRESS workflows end after 300 s, but this definition has no bound: the states form a cycle");
  });
});

describe("EXPRESS on a definition made too slow", () => {
  const callThenRecord = (retries: number): BoundedDefinition => ({
    StartAt: "Call",
    States: {
      Call: task(60, {
        Retry: [{ ErrorEquals: ["TransientError"], IntervalSeconds: 2, MaxAttempts: retries, BackoffRate: 2 }],
        Next: "Record",
      }),
      Record: task(30, { End: true }),
    },
  });

  it("takes a definition that fits in 300 s", () => {
    // 3 x 60 s + (2 + 4) s + 30 s = 216 s.
    expect(checkWorkflowType("EXPRESS", callThenRecord(2))).toMatchObject({ bounded: true, seconds: 216 });
  });

  it("refuses it once two retries more take it past 300 s, naming the states", () => {
    // 5 x 60 s + (2 + 4 + 8 + 16) s + 30 s = 360 s.
    expect(() => checkWorkflowType("EXPRESS", callThenRecord(4))).toThrow(
      "EXPRESS workflows end after 300 s, but this definition can run 360 s: Call 5 x 60 s + 30 s backoff, Record 1 x 30 s",
    );
  });
});
