// The workflow's IAM, proven by simulation: the state machine's role, the role EventBridge starts
// executions with (and who may assume it), and the dead-letter queue's policy, read from the prod and dev
// stacks as the program synthesizes them, asked about with resource ARNs as the mocks make them, and
// evaluated by @cloud-copilot/iam-simulate as AWS evaluates identity and resource policies.
import { beforeAll, describe, expect, it } from "vitest";
import { type PolicyJson, type SimulationRequest, simulate } from "../local/iam/simulation.ts";
import { engineFunctions } from "./catalog.ts";
import { readStackConfig } from "./synth.ts";
import { MOCK_ACCOUNT, type RecordedResource, ruleBusPath } from "./testing/pulumi-mocks.ts";
import { synthesizeStack } from "./testing/stack-under-test.ts";

type Resources = RecordedResource[];

const ofType = (resources: Resources, type: string) => resources.filter((resource) => resource.type === type);

function only(resources: Resources, type: string, matches: (resource: RecordedResource) => boolean = () => true) {
  const found = ofType(resources, type).filter(matches);
  if (found.length !== 1) throw new Error(`expected one ${type}, the stack has ${found.length}`);
  return found[0] as RecordedResource;
}

const physicalName = (resource: RecordedResource) => String(resource.inputs.name ?? resource.name);
const parsed = (policy: unknown) => (typeof policy === "string" ? JSON.parse(policy) : policy) as PolicyJson;

/** A role as its caller acts: the session's principal, its inline policies and its trust policy. */
function roleOf(resources: Resources, roleArn: string) {
  const roleName = roleArn.slice(roleArn.lastIndexOf("/") + 1);
  const role = only(resources, "aws:iam/role:Role", (candidate) => physicalName(candidate) === roleName);
  // A RolePolicy names its role by id (`<resource name>-id` under the mocks) or by name.
  const names = [`${role.name}-id`, roleName];
  const attached = ofType(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((attachment) =>
    names.includes(String(attachment.inputs.role)),
  );
  // Managed policies would grant what this test does not see: a role that gains one must be simulated with it.
  if (attached.length) throw new Error(`${roleName} has managed policies attached; simulate them too`);
  return {
    arn: roleArn,
    session: `arn:aws:sts::${MOCK_ACCOUNT}:assumed-role/${roleName}/workflow-iam-test`,
    policies: ofType(resources, "aws:iam/rolePolicy:RolePolicy")
      .filter((policy) => names.includes(String(policy.inputs.role)))
      .map((policy) => parsed(policy.inputs.policy)),
    trustPolicy: parsed(role.inputs.assumeRolePolicy),
  };
}

/** The Lambda functions a definition's tasks invoke, direct ARNs and `lambda:invoke` integrations alike. */
function invokedFunctions(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(invokedFunctions);
  if (typeof node !== "object" || node === null) return [];
  const state = node as Record<string, unknown>;
  const own: string[] = [];
  if (state.Type === "Task" && typeof state.Resource === "string") {
    if (state.Resource.startsWith("arn:aws:lambda:")) own.push(state.Resource);
    const parameters = state.Parameters as Record<string, unknown> | undefined;
    if (state.Resource.startsWith("arn:aws:states:::lambda:invoke") && typeof parameters?.FunctionName === "string") {
      own.push(parameters.FunctionName);
    }
  }
  return [...own, ...Object.values(state).flatMap(invokedFunctions)];
}

async function verdict(request: SimulationRequest) {
  const { result, explanation } = await simulate(request);
  return { result, explanation };
}
const allowed = (request: SimulationRequest) =>
  verdict(request).then(({ result, explanation }) => expect(result, explanation).toBe("Allowed"));
const denied = (request: SimulationRequest) =>
  verdict(request).then(({ result, explanation }) => expect(result, explanation).not.toBe("Allowed"));

/**
 * What the state machine's role needs besides invoking its functions: CloudWatch Logs delivery
 * (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html#cloudwatch-iam-policy) and X-Ray
 * tracing (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-xray-tracing.html), all on `*`:
 * these actions have no resource-level permissions.
 */
const logDeliveryActions = [
  "logs:CreateLogDelivery",
  "logs:GetLogDelivery",
  "logs:UpdateLogDelivery",
  "logs:DeleteLogDelivery",
  "logs:ListLogDeliveries",
  "logs:PutResourcePolicy",
  "logs:DescribeResourcePolicies",
  "logs:DescribeLogGroups",
];
const tracingActions = [
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
];

describe.each(["prod", "dev"])("the %s stack's workflow IAM, simulated", (stack) => {
  const region = readStackConfig(stack).config["aws:region"] ?? "us-east-1";
  let resources: Resources;
  beforeAll(async () => {
    ({ resources } = await synthesizeStack(stack));
  }, 120_000);

  const stateMachine = () => only(resources, "aws:sfn/stateMachine:StateMachine");
  const stateMachineArn = () => `arn:aws:states:${region}:${MOCK_ACCOUNT}:stateMachine:${physicalName(stateMachine())}`;
  const target = () => only(resources, "aws:cloudwatch/eventTarget:EventTarget");
  const ruleArn = (name: string) => {
    const rule = only(resources, "aws:cloudwatch/eventRule:EventRule", (candidate) => physicalName(candidate) === name);
    return `arn:aws:events:${region}:${MOCK_ACCOUNT}:rule/${ruleBusPath(rule.inputs.eventBusName)}${name}`;
  };
  const otherRuleArn = () => ruleArn(String(target().inputs.rule)).replace(/[^/]+$/, "another-rule");

  describe("the state machine's role", () => {
    const role = () => roleOf(resources, String(stateMachine().inputs.roleArn));
    const deployedFunctions = () =>
      ofType(resources, "aws:lambda/function:Function").map(
        (fn) => `arn:aws:lambda:${region}:${MOCK_ACCOUNT}:function:${physicalName(fn)}`,
      );
    const invoked = () => [...new Set(invokedFunctions(JSON.parse(String(stateMachine().inputs.definition))))];

    it("names only deployed functions in the definition, one per function the workflow calls", () => {
      expect(invoked().length).toBe(engineFunctions.filter((fn) => "placeholder" in fn).length);
      expect(deployedFunctions()).toEqual(expect.arrayContaining(invoked()));
    });

    it("may invoke each function the definition names, and its versions and aliases", async () => {
      const { session, policies } = role();
      for (const functionArn of invoked()) {
        for (const resource of [functionArn, `${functionArn}:$LATEST`, `${functionArn}:7`, `${functionArn}:live`]) {
          await allowed({ principal: session, policies, action: "lambda:InvokeFunction", resource });
        }
      }
    });

    it("may not invoke the stack's other functions, a name that extends one, or another account's", async () => {
      const { session, policies } = role();
      const [first] = invoked();
      const neighbours = [
        ...deployedFunctions().filter((arn) => !invoked().includes(arn)),
        `${first}-canary`,
        String(first).replace(`:${MOCK_ACCOUNT}:`, ":210987654321:"),
      ];
      expect(neighbours.length).toBeGreaterThan(2);
      for (const resource of neighbours) {
        await denied({ principal: session, policies, action: "lambda:InvokeFunction", resource });
      }
    });

    it("may deliver its logs to CloudWatch Logs and its traces to X-Ray", async () => {
      const { session, policies } = role();
      for (const action of [...logDeliveryActions, ...tracingActions]) {
        await allowed({ principal: session, policies, action, resource: "*" });
      }
    });
  });

  describe("the role EventBridge starts executions with", () => {
    const role = () => roleOf(resources, String(target().inputs.roleArn));

    it("targets this stack's state machine", () => {
      expect(target().inputs.arn).toBe(stateMachineArn());
    });

    it("may start executions of this state machine only", async () => {
      const { session, policies } = role();
      await allowed({ principal: session, policies, action: "states:StartExecution", resource: stateMachineArn() });
      for (const resource of [
        stateMachineArn().replace(/[^:]+$/, "another-state-machine"),
        stateMachineArn().replace(`:${MOCK_ACCOUNT}:`, ":210987654321:"),
      ]) {
        await denied({ principal: session, policies, action: "states:StartExecution", resource });
      }
    });

    it("is assumed by EventBridge for this rule only (aws:SourceArn), not for another rule", async () => {
      const { arn, trustPolicy } = role();
      const assume = (sourceArn?: string): SimulationRequest => ({
        principal: "events.amazonaws.com",
        action: "sts:AssumeRole",
        resource: arn,
        resourcePolicy: trustPolicy,
        context: sourceArn ? { "aws:SourceArn": sourceArn, "aws:SourceAccount": MOCK_ACCOUNT } : {},
      });

      await allowed(assume(ruleArn(String(target().inputs.rule))));
      await denied(assume(otherRuleArn()));
      await denied(assume());
    });
  });

  describe("the dead-letter queue's policy", () => {
    const queueArn = () => String((target().inputs.deadLetterConfig as { arn?: string } | undefined)?.arn);
    const queuePolicy = () => {
      const queueName = queueArn().slice(queueArn().lastIndexOf(":") + 1);
      const url = `https://sqs.${region}.amazonaws.com/${MOCK_ACCOUNT}/${queueName}`;
      return parsed(
        only(resources, "aws:sqs/queuePolicy:QueuePolicy", (policy) => policy.inputs.queueUrl === url).inputs.policy,
      );
    };
    // EventBridge writes dead letters as its service principal, naming the rule in aws:SourceArn
    // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html).
    const sendMessage = (sourceArn?: string): SimulationRequest => ({
      principal: "events.amazonaws.com",
      action: "sqs:SendMessage",
      resource: queueArn(),
      resourcePolicy: queuePolicy(),
      context: sourceArn ? { "aws:SourceArn": sourceArn, "aws:SourceAccount": MOCK_ACCOUNT } : {},
    });

    it("lets EventBridge send this rule's undeliverable approvals", async () => {
      expect(queueArn()).toMatch(/^arn:aws:sqs:/);
      await allowed(sendMessage(ruleArn(String(target().inputs.rule))));
    });

    it("refuses them from another rule, or with no rule named", async () => {
      await denied(sendMessage(otherRuleArn()));
      await denied(sendMessage());
    });
  });
});
