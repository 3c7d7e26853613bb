// The state machine's X-Ray sampling rule: declared, under Pulumi's mocks, only when the stack sets one, and
// matching that state machine alone; its name fits X-Ray's 32 characters whatever the stack's prefix.
import { describe, expect, it } from "vitest";
import { installPulumiMocks, outputValue, type RecordedResource } from "../testing/pulumi-mocks.ts";

const resources = installPulumiMocks();
const { engineFunctions } = await import("../catalog.ts");
const { Workflow } = await import("./index.ts");
const { samplingRuleName } = await import("./trace-sampling.ts");

const functionArns = Object.fromEntries(
  engineFunctions.map((fn) => [fn.id, `arn:aws:lambda:us-east-1:123456789012:function:${fn.id}`]),
);
const workflow = (
  name: string,
  namePrefix: string,
  traceSampling?: { reservoirPerSecond: number; fixedRate: number },
) =>
  new Workflow(name, {
    namePrefix,
    functionArns,
    logRetentionDays: 7,
    logLevel: "ERROR",
    logExecutionData: false,
    workflowType: "EXPRESS",
    protect: false,
    ...(traceSampling ? { traceSampling } : {}),
  });

const sampled = workflow("sampled", "engine-sampled", { reservoirPerSecond: 0, fixedRate: 0.05 });
const unsampled = workflow("unsampled", "engine-unsampled");
const declared = Promise.all([outputValue(sampled.stateMachineArn), outputValue(unsampled.stateMachineArn)]);
const rulesOf = (component: string) =>
  resources.filter(
    (resource) => resource.type === "aws:xray/samplingRule:SamplingRule" && resource.name.startsWith(`${component}-`),
  );

describe("the state machine's X-Ray sampling rule", () => {
  it("matches the state machine by its name and Step Functions' origin, at the stack's reservoir and rate", async () => {
    await declared;
    const [rule] = rulesOf("sampled") as [RecordedResource];

    expect(rulesOf("sampled")).toHaveLength(1);
    expect(rule.inputs).toEqual({
      ruleName: "engine-sampled",
      priority: 1000,
      reservoirSize: 0,
      fixedRate: 0.05,
      serviceName: await outputValue(sampled.stateMachineName),
      serviceType: "AWS::StepFunctions::StateMachine",
      resourceArn: "*",
      host: "*",
      httpMethod: "*",
      urlPath: "*",
      version: 1,
    });
    expect(rule.inputs.serviceName).toBe("engine-sampled");
  });

  it("is not declared when the stack sets no sampling: X-Ray's default rule applies", async () => {
    await declared;

    expect(rulesOf("unsampled")).toEqual([]);
    expect(unsampled.samplingRule).toBeUndefined();
  });

  it("is named by the stack's prefix, cut with a digest when longer than X-Ray's 32 characters", () => {
    const long = "action-execution-engine-customer-staging";

    expect(samplingRuleName("action-execution-engine-prod")).toBe("action-execution-engine-prod");
    expect(samplingRuleName(long)).toMatch(/^action-execution-engine-[0-9a-f]{8}$/);
    expect(samplingRuleName(long)).toHaveLength(32);
    expect(samplingRuleName(`${long}-2`)).not.toBe(samplingRuleName(long));
  });
});
