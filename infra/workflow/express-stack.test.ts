// The whole program for the dev stack with `workflowType: EXPRESS` set on top of its config file, as
// `pulumi config set workflowType EXPRESS` would. Express stops an execution at 300 s
// (https://docs.aws.amazon.com/step-functions/latest/dg/choosing-workflow-type.html), and the real
// definition can run 2,457 s (see duration-bound.test.ts), so the program refuses before declaring the
// state machine, naming the states that make the bound.
import { describe, expect, it } from "vitest";
import { synthesizeStack } from "../testing/stack-under-test.ts";

describe("the dev stack with workflowType EXPRESS", () => {
  it("is refused, naming the bound, the limit and the states on the longest path", async () => {
    await expect(synthesizeStack("dev", { workflowType: "EXPRESS" })).rejects.toThrow(
      /^EXPRESS workflows end after 300 s, but this definition can run 2,457 s: StartExecution 7 x 30 s \+ 21 s backoff, ValidatePreflight .*, MapActionToTool .*, InvokeTool 7 x 60 s \+ 21 s backoff, CompensateAction 7 x 120 s \+ 21 s backoff, RecordOutcome .*, RecordFailure 7 x 30 s \+ 21 s backoff;/,
    );
  }, 120_000);
});
