// The state pipeline on its own, around a stand-in business function: contract errors by name, and
// timeouts left to Lambda.
import { describe, expect, it } from "vitest";
import type { ValidatorInput, ValidatorOutput } from "#schemas/states.ts";
import { ValidatorInput as validateInput, ValidatorOutput as validateOutput } from "#schemas/validators.generated.js";
import { lambdaContext } from "../../tests/support/fixtures.ts";
import { statePipeline } from "./pipeline.ts";

const input: ValidatorInput = {
  action_intent_id: "intent-1",
  tenant_id: "tenant-1",
  account_id: "account-1",
  execution_trace_id: "trace-1",
};
const passed: ValidatorOutput = { preflight: "PASSED", checked_at: "2026-11-23T01:00:00.000Z", expires_at_epoch: 1 };

describe("state pipeline", () => {
  it("leaves timeouts to Lambda: a handler past the context's deadline still answers", async () => {
    const handler = statePipeline<ValidatorInput, ValidatorOutput>(
      { input: validateInput, output: validateOutput },
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return passed;
      },
    );

    await expect(handler(input, lambdaContext("pipeline-test", 1))).resolves.toEqual(passed);
  });

  it("rejects input that breaks its contract with ValidationError naming the field", async () => {
    const handler = statePipeline<ValidatorInput, ValidatorOutput>(
      { input: validateInput, output: validateOutput },
      async () => passed,
    );

    await expect(handler({ ...input, tenant_id: "" }, lambdaContext("pipeline-test"))).rejects.toMatchObject({
      name: "ValidationError",
      message: expect.stringContaining("tenant_id"),
    });
  });

  it("refuses to answer output that breaks its contract, as PermanentError", async () => {
    const handler = statePipeline<ValidatorInput, ValidatorOutput>(
      { input: validateInput, output: validateOutput },
      async () => ({ ...passed, preflight: "MAYBE" }) as never,
    );

    await expect(handler(input, lambdaContext("pipeline-test"))).rejects.toMatchObject({
      name: "PermanentError",
      message: expect.stringContaining("output breaks its contract"),
    });
  });
});
