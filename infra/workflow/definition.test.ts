import { describe, expect, it } from "vitest";
import { engineFunctions, INVOKE_ALLOWANCE_SECONDS } from "../catalog.ts";
import {
  type AslDefinition,
  loadTemplate,
  renderDefinition,
  templatePlaceholders,
  validateTemplate,
} from "./definition.ts";

const template = validateTemplate(loadTemplate());
const arns = Object.fromEntries(
  templatePlaceholders(template).map((name) => [name, `arn:aws:lambda:us-east-1:123456789012:function:engine-${name}`]),
);
const rendered = renderDefinition(template, arns);
const tasks = Object.entries(rendered.States).filter(([, state]) => state.Type === "Task");

type Retrier = { ErrorEquals: string[]; JitterStrategy?: string; MaxAttempts: number };
type Catcher = { ErrorEquals: string[]; Next: string };

describe("state machine definition", () => {
  it("names one placeholder per engine function and renders every one", () => {
    expect(templatePlaceholders(template)).toEqual([
      "CompensationArn",
      "ExecutionFailureRecorderArn",
      "ExecutionRecorderArn",
      "ExecutionStarterArn",
      "ExecutionValidatorArn",
      "ToolInvokerArn",
      "ToolMapperArn",
    ]);
    expect(JSON.stringify(rendered)).not.toContain("${");
  });

  it("retries TransientError and the Lambda service errors AWS lists, with jitter, on every task", () => {
    for (const [name, state] of tasks) {
      const retriers = state.Retry as Retrier[];
      const matched = retriers.flatMap((retrier) => retrier.ErrorEquals);
      expect(matched, name).toEqual(
        expect.arrayContaining([
          "TransientError",
          "Lambda.ServiceException",
          "Lambda.AWSLambdaException",
          "Lambda.SdkClientException",
          "Lambda.TooManyRequestsException",
        ]),
      );
      // All but InvokeTool's wait for a tool call in progress elsewhere, which must be guaranteed
      // (tool-call-in-progress.test.ts).
      const jittered = retriers.filter((retrier) => !retrier.ErrorEquals.includes("ToolCallInProgressError"));
      expect(
        jittered.every((retrier) => retrier.JitterStrategy === "FULL"),
        name,
      ).toBe(true);
    }
  });

  it("waits on each task exactly its function's Lambda timeout plus the invoke allowance", () => {
    // A state that gave up before its function would leave the function running after the execution moved
    // on; one that waited longer than needed would lengthen the worst case Express must fit (catalog.ts).
    for (const fn of engineFunctions.filter((candidate) => "placeholder" in candidate)) {
      const [name, state] = tasks.find(([, task]) => task.Resource === arns[fn.placeholder]) ?? [];
      expect(state?.TimeoutSeconds, name ?? fn.id).toBe(fn.timeoutSeconds + INVOKE_ALLOWANCE_SECONDS);
    }
    expect(tasks).toHaveLength(engineFunctions.filter((fn) => "placeholder" in fn).length);
  });

  it("catches every task before recording into RecordFailure, and compensation into its own fallback", () => {
    for (const [name, state] of tasks.filter(([taskName]) => taskName !== "RecordFailure")) {
      // The last catcher takes every error; a Catch list is matched in order, so anything before it is narrower.
      const catcher = (state.Catch as Catcher[]).at(-1);
      expect(catcher?.ErrorEquals, name).toEqual(["States.ALL"]);
      const into = { CompensateAction: "CompensationFailed", RecordOutcome: "OutcomeNotRecorded" }[name];
      expect(catcher?.Next, name).toBe(into ?? "RecordFailure");
    }
  });

  it("ends a duplicate in Succeed from StartExecution's Catch, and a FAILED outcome in Fail from RecordOutcome's", () => {
    expect(rendered.States.StartExecution?.Catch).toEqual([
      { ErrorEquals: ["DuplicateApprovalError"], ResultPath: "$.duplicate", Next: "DuplicateIgnored" },
      { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "RecordFailure" },
    ]);
    expect(rendered.States.StartExecution).toMatchObject({ Next: "ValidatePreflight" });
    expect(rendered.States.DuplicateIgnored).toMatchObject({ Type: "Succeed" });
    expect(rendered.States.RecordOutcome?.Catch).toEqual([
      { ErrorEquals: ["OutcomeFailedError"], ResultPath: "$.outcome_error", Next: "ActionFailed" },
      { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "OutcomeNotRecorded" },
    ]);
    expect(rendered.States.OutcomeNotRecorded).toMatchObject({
      Type: "Pass",
      Parameters: { "Error.$": "$.error.Error", "Cause.$": "$.error.Cause", "unrecorded_tool.$": "$.tool" },
      ResultPath: "$.error",
      Next: "RecordFailure",
    });
    expect(rendered.States.RecordOutcome).toMatchObject({ End: true });
    expect(rendered.States).not.toHaveProperty("OutcomeSucceeded");
    expect(rendered.States.ActionFailed).toMatchObject({ Type: "Fail" });
  });

  it("ends RecordFailure as RecordOutcome ends: a replayed SUCCEEDED outcome there, a FAILED one in Fail by Catch", () => {
    expect(rendered.States.RecordFailure?.Catch).toEqual([
      { ErrorEquals: ["OutcomeFailedError"], ResultPath: "$.outcome_error", Next: "ActionFailed" },
    ]);
    expect(rendered.States.RecordFailure).toMatchObject({ End: true });
    expect(rendered.States.RecordFailure).not.toHaveProperty("Next");
    expect(rendered.States).not.toHaveProperty("FailureRecorded");
    expect(rendered.States).not.toHaveProperty("OutcomeReplayed");
    // No Choice routes a failure: the only one left decides whether to compensate.
    const choices = Object.entries(rendered.States).filter(([, state]) => state.Type === "Choice");
    expect(choices.map(([name]) => name)).toEqual(["CheckCompensation"]);
  });

  it("gives RecordFailure one attempt more than the other tasks: nothing records a failure after it", () => {
    const attempts = (name: string) => {
      const retry = (rendered.States[name]?.Retry ?? []) as { MaxAttempts: number }[];
      return 1 + (retry[0]?.MaxAttempts ?? 0);
    };

    expect(attempts("RecordFailure")).toBe(4);
    expect(attempts("RecordOutcome")).toBe(3);
  });

  it("records a tool call whose invoker failed in its sandbox on every attempt as an outcome it cannot know", () => {
    expect((rendered.States.InvokeTool?.Catch as Catcher[] | undefined)?.[0]).toEqual({
      ErrorEquals: ["Lambda.Unknown", "Runtime.ExitError", "Sandbox.Timedout", "States.Timeout"],
      ResultPath: "$.error",
      Next: "ToolOutcomeUnknown",
    });
    expect(rendered.States.ToolOutcomeUnknown).toMatchObject({
      Type: "Pass",
      Parameters: { "Error.$": "$.error.Error", "Cause.$": "$.error.Cause", tool_outcome_unknown: true },
      ResultPath: "$.error",
      Next: "RecordFailure",
    });
  });

  it("retries every task after the sandbox crashed or timed out, as Step Functions and Lambda name it", () => {
    // Unhandled errors, out of memory and timeouts, are Lambda.Unknown to Step Functions
    // (https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html); the runtime's
    // own types are Runtime.ExitError (https://repost.aws/knowledge-center/lambda-runtime-error) and
    // Sandbox.Timedout (https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-invocation.html).
    // Every task is safe to run again: claims, replays and idempotency records make it so.
    for (const [name, state] of tasks) {
      const retried = (state.Retry as { ErrorEquals: string[] }[]).flatMap((retrier) => retrier.ErrorEquals);
      expect(retried, name).toEqual(
        expect.arrayContaining(["Lambda.Unknown", "Runtime.ExitError", "Sandbox.Timedout"]),
      );
    }
  });

  it("records without compensation through no extra state: InvokeTool's result carries the default", () => {
    const noCompensation = { compensation_status: "NONE", compensated_refs: [] };

    expect(rendered.States.InvokeTool).toMatchObject({
      ResultSelector: { "result.$": "$", compensation: noCompensation },
      ResultPath: "$.tool",
    });
    expect(rendered.States.CheckCompensation).toMatchObject({ Default: "RecordOutcome" });
    expect(rendered.States.CompensateAction).toMatchObject({ ResultPath: "$.tool.compensation" });
    expect(rendered.States.CompensationFailed).toMatchObject({ ResultPath: "$.tool.compensation" });
    expect(rendered.States.RecordOutcome?.Parameters).toMatchObject({ "compensation.$": "$.tool.compensation" });
    // The only Pass states lie on failure paths: a compensation that failed, an outcome RecordOutcome could not
    // record, a tool call whose outcome the invoker's failures left unknown.
    const passStates = Object.entries(rendered.States).filter(([, state]) => state.Type === "Pass");
    expect(passStates.map(([name]) => name).sort()).toEqual([
      "CompensationFailed",
      "OutcomeNotRecorded",
      "ToolOutcomeUnknown",
    ]);
  });

  it("takes RecordFailure's intent key from the execution input, so a failed start can be recorded", () => {
    expect(rendered.States.RecordFailure?.Parameters).toMatchObject({
      "action_intent_id.$": "$$.Execution.Input.action_intent_id",
      "tenant_id.$": "$$.Execution.Input.tenant_id",
      "execution_id.$": "$$.Execution.Id",
    });
  });

  it("rejects a literal JSONPath where a `.$` key was meant, naming where", () => {
    const broken = structuredClone(template) as AslDefinition;
    (broken.States.MapActionToTool?.Parameters as Record<string, unknown>).registry_version =
      "$.start.registry_version";

    expect(() => validateTemplate(broken)).toThrow("/States/MapActionToTool/Parameters/registry_version");
  });

  it("rejects a task without a retry policy or timeout, and JSONata", () => {
    const withoutRetry = structuredClone(template) as AslDefinition;
    delete withoutRetry.States.InvokeTool?.Retry;
    const jsonata = { ...structuredClone(template), QueryLanguage: "JSONata" } as AslDefinition;

    expect(() => validateTemplate(withoutRetry)).toThrow("/States/InvokeTool/Retry");
    expect(() => validateTemplate(jsonata)).toThrow("/QueryLanguage");
  });

  it("refuses to render with a missing or an unknown placeholder value", () => {
    const { ToolInvokerArn: _missing, ...incomplete } = arns;

    expect(() => renderDefinition(template, incomplete)).toThrow("missing ToolInvokerArn");
    expect(() => renderDefinition(template, { ...arns, StrayArn: "arn:x" })).toThrow("unused StrayArn");
  });
});
