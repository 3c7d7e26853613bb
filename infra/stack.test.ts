import { beforeAll, describe, expect, it } from "vitest";
import { engineFunctions } from "./catalog.ts";
import { artifactsLifecycleRules } from "./data/index.ts";
import type { PolicyDocument } from "./iam.ts";
import { stackOutputNames } from "./stack-outputs.ts";
import type { RecordedResource } from "./testing/pulumi-mocks.ts";
import { synthesizeStack } from "./testing/stack-under-test.ts";
import { stateMachineRolePolicy } from "./workflow/index.ts";

type Stack = Awaited<ReturnType<typeof synthesizeStack>>;
let dev: Stack;
let prod: Stack;

beforeAll(async () => {
  dev = await synthesizeStack("dev");
  prod = await synthesizeStack("prod");
}, 120_000);

const ofType = (stack: Stack, type: string) => stack.resources.filter((resource) => resource.type === type);
const one = (stack: Stack, type: string) => ofType(stack, type)[0] as RecordedResource;
function lambdaEnv(stack: Stack, id: string): Record<string, string> {
  const lambda = ofType(stack, "aws:lambda/function:Function").find((fn) => fn.name === `functions-${id}`);
  return (lambda?.inputs.environment as { variables: Record<string, string> } | undefined)?.variables ?? {};
}

describe("the engine stack", () => {
  it("deploys the rendered definition, pointing at the deployed functions", () => {
    const definition = JSON.parse(String(one(dev, "aws:sfn/stateMachine:StateMachine").inputs.definition)) as {
      States: Record<string, { Resource?: string }>;
    };

    expect(definition.States.InvokeTool?.Resource).toBe(
      "arn:aws:lambda:us-east-1:123456789012:function:action-execution-engine-dev-tool-invoker",
    );
    expect(JSON.stringify(definition)).not.toContain("${");
    expect(one(dev, "aws:sfn/stateMachine:StateMachine").inputs).toMatchObject({
      type: "STANDARD",
      tracingConfiguration: { enabled: true },
    });
  });

  it("lets the state machine invoke the engine's state functions and nothing else", () => {
    const policy = JSON.parse(
      String(ofType(dev, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "workflow-policy")?.inputs.policy),
    );
    const stateFunctions = engineFunctions.filter((fn) => "placeholder" in fn);
    const arns = stateFunctions.map(
      (fn) => `arn:aws:lambda:us-east-1:123456789012:function:action-execution-engine-dev-${fn.id}`,
    );

    expect(policy).toEqual(stateMachineRolePolicy(arns));
    expect(JSON.stringify(policy)).not.toContain("status-api");
  });

  it("keeps tables recoverable and the artifacts bucket private", () => {
    for (const table of ofType(dev, "aws:dynamodb/table:Table")) {
      expect(table.inputs, table.name).toMatchObject({
        billingMode: "PAY_PER_REQUEST",
        pointInTimeRecovery: { enabled: true },
        serverSideEncryption: { enabled: true },
      });
    }
    expect(one(dev, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(ofType(dev, "aws:dynamodb/table:Table").find((table) => table.name === "data-signals")?.inputs.ttl).toEqual({
      attributeName: "expires_at_epoch",
      enabled: true,
    });
  });

  it("grants the gateway secret by the full ARN Secrets Manager gave it, suffix included", () => {
    const policy = JSON.parse(
      String(
        ofType(prod, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "functions-tool-invoker-policy")?.inputs
          .policy,
      ),
    ) as PolicyDocument;
    const secretArn =
      /^arn:aws:secretsmanager:us-east-1:123456789012:secret:engine\/prod\/gateway-client-secret-[A-Za-z0-9]{6}$/;

    expect(policy.Statement.find((statement) => statement.Sid === "ReadGatewayClientSecret")?.Resource).toEqual([
      expect.stringMatching(secretArn),
    ]);
    expect(lambdaEnv(prod, "tool-invoker").GATEWAY_CLIENT_SECRET_ID).toMatch(secretArn);
    // The placeholder secret uses the AWS-managed key: nothing to decrypt with.
    expect(JSON.stringify(policy)).not.toContain("kms:");
  });

  it("answers the outputs a user and the operator CLI need", () => {
    expect(Object.keys(dev.outputs).sort()).toEqual([...stackOutputNames].sort());
  });

  it("names the gateway secret by its full ARN in the outputs, never its value", () => {
    expect(prod.outputs.gatewayClientSecretArn).toMatch(
      /^arn:aws:secretsmanager:us-east-1:123456789012:secret:engine\/prod\/gateway-client-secret-[A-Za-z0-9]{6}$/,
    );
    expect(prod.outputs).toMatchObject({ triggerSource: "cc-native.decision", triggerDetailType: "ACTION_APPROVED" });
  });
});

describe("dev and prod differ where they say they do", () => {
  it("log level, retention and execution data in logs", () => {
    expect(lambdaEnv(dev, "tool-mapper").POWERTOOLS_LOG_LEVEL).toBe("DEBUG");
    expect(lambdaEnv(prod, "tool-mapper").POWERTOOLS_LOG_LEVEL).toBe("INFO");
    expect(
      new Set(ofType(dev, "aws:cloudwatch/logGroup:LogGroup").map((group) => group.inputs.retentionInDays)),
    ).toEqual(new Set([7]));
    expect(
      new Set(ofType(prod, "aws:cloudwatch/logGroup:LogGroup").map((group) => group.inputs.retentionInDays)),
    ).toEqual(new Set([365]));
    const logging = (stack: Stack) =>
      (one(stack, "aws:sfn/stateMachine:StateMachine").inputs.loggingConfiguration as { includeExecutionData: boolean })
        .includeExecutionData;
    expect([logging(dev), logging(prod)]).toEqual([true, false]);
  });

  it("workflow type and state machine log level: dev STANDARD logging ALL, prod EXPRESS logging ERROR", () => {
    const workflow = (stack: Stack) => {
      const { type, loggingConfiguration } = one(stack, "aws:sfn/stateMachine:StateMachine").inputs;
      return [type, (loggingConfiguration as { level: string }).level];
    };
    expect([workflow(dev), workflow(prod)]).toEqual([
      ["STANDARD", "ALL"],
      ["EXPRESS", "ERROR"],
    ]);
  });

  it("X-Ray sampling of executions: a rule for each stack's own state machine, dev every one, prod 5% with no reservoir", () => {
    const rule = (stack: Stack) => {
      const rules = ofType(stack, "aws:xray/samplingRule:SamplingRule");
      expect(rules).toHaveLength(1);
      return (rules[0] as RecordedResource).inputs;
    };
    const stateMachineName = (stack: Stack) => one(stack, "aws:sfn/stateMachine:StateMachine").inputs.name;

    expect(rule(prod)).toMatchObject({
      ruleName: "action-execution-engine-prod",
      serviceName: stateMachineName(prod),
      serviceType: "AWS::StepFunctions::StateMachine",
      resourceArn: "*",
      reservoirSize: 0,
      fixedRate: 0.05,
    });
    expect(stateMachineName(prod)).toBe("action-execution-engine-prod");
    expect(rule(dev)).toMatchObject({ serviceName: stateMachineName(dev), reservoirSize: 1, fixedRate: 1 });
    // Below X-Ray's default rule (10000), which would otherwise decide first.
    expect(rule(prod).priority).toBeLessThan(10_000);
  });

  it("Lambda log levels from the stack's, on every function: dev keeps DEBUG", () => {
    const levels = (stack: Stack) =>
      new Set(
        ofType(stack, "aws:lambda/function:Function").map((fn) => {
          const { applicationLogLevel, systemLogLevel, logFormat } = fn.inputs.loggingConfig as Record<string, string>;
          return `${logFormat} ${applicationLogLevel} ${systemLogLevel}`;
        }),
      );
    expect(levels(dev)).toEqual(new Set(["JSON DEBUG DEBUG"]));
    expect(levels(prod)).toEqual(new Set(["JSON INFO INFO"]));
  });

  it("handler responses reach X-Ray in dev only", () => {
    const capture = (stack: Stack) =>
      new Set(
        ofType(stack, "aws:lambda/function:Function").map(
          (fn) => lambdaEnv(stack, fn.name.replace(/^functions-/, "")).POWERTOOLS_TRACER_CAPTURE_RESPONSE,
        ),
      );
    expect(capture(dev)).toEqual(new Set(["true"]));
    expect(capture(prod)).toEqual(new Set(["false"]));
  });

  it("artifact versions and delete markers expire on each stack's schedule", () => {
    const rules = (stack: Stack) =>
      one(stack, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules;
    expect(rules(dev)).toEqual(artifactsLifecycleRules({ currentDays: 14, noncurrentDays: 7 }));
    expect(rules(prod)).toEqual(artifactsLifecycleRules({ currentDays: 400, noncurrentDays: 30 }));
  });

  it("removal protection on prod's tables only", () => {
    const protectedTables = (stack: Stack) =>
      ofType(stack, "aws:dynamodb/table:Table").map((table) => table.inputs.deletionProtectionEnabled);
    expect(new Set(protectedTables(dev))).toEqual(new Set([false]));
    expect(new Set(protectedTables(prod))).toEqual(new Set([true]));
  });

  it("prod adopts the existing event bus instead of creating one", () => {
    expect(ofType(dev, "aws:cloudwatch/eventBus:EventBus")).toHaveLength(1);
    expect(ofType(prod, "aws:cloudwatch/eventBus:EventBus")).toHaveLength(0);
    expect(prod.outputs.eventBusName).toBe("cc-native-events");
    expect(lambdaEnv(prod, "execution-recorder").EVENT_BUS_NAME).toBe("cc-native-events");
  });

  it("memory and artifact retention", () => {
    const memory = (stack: Stack) =>
      new Set(ofType(stack, "aws:lambda/function:Function").map((fn) => fn.inputs.memorySize));
    expect([...memory(dev)]).toEqual([512]);
    expect([...memory(prod)]).toEqual([1024]);
  });
});
