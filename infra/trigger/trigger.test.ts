import { beforeAll, describe, expect, it } from "vitest";
import type { PolicyDocument } from "../iam.ts";
import { installPulumiMocks, type RecordedResource, outputValue as resolved } from "../testing/pulumi-mocks.ts";
import { approvedEventPattern, executionInputTransformer } from "../trigger.ts";
import {
  deadLetterQueuePolicy,
  eventBridgeAssumeRolePolicy,
  startExecutionPolicy,
  Trigger,
  targetRetryPolicy,
} from "./index.ts";

const resources = installPulumiMocks();

const trigger = { source: "cc-native.decision", detailType: "ACTION_APPROVED" };
const stateMachineArn = "arn:aws:states:us-east-1:123456789012:stateMachine:engine-test-executions";
// A rule on a custom bus has the bus in its ARN.
const ruleArn = "arn:aws:events:us-east-1:123456789012:rule/engine-test-bus/engine-test-action-approved";

function recorded(type: string): RecordedResource {
  const found = resources.filter((resource) => resource.type === type);
  expect(found, type).toHaveLength(1);
  return found[0] as RecordedResource;
}

function policyOf(resource: RecordedResource, key = "policy"): PolicyDocument {
  return JSON.parse(String(resource.inputs[key]));
}

describe("Trigger", () => {
  let component: Trigger;

  beforeAll(async () => {
    component = new Trigger("trigger", {
      eventBusName: "engine-test-bus",
      trigger,
      stateMachineArn,
      namePrefix: "engine-test",
      protect: false,
    });
    // Registration of every child has finished once the last ones have ids.
    await Promise.all([
      resolved(component.target.id),
      resolved(component.ruleArn),
      resolved(component.deadLetterQueueUrl),
    ]);
  });

  it("matches exactly the configured approvals on the given bus", () => {
    const rule = recorded("aws:cloudwatch/eventRule:EventRule");

    expect(JSON.parse(String(rule.inputs.eventPattern))).toEqual(approvedEventPattern(trigger));
    expect(rule.inputs.eventBusName).toBe("engine-test-bus");
  });

  it("starts the state machine with the intent key as input, retrying and dead-lettering", async () => {
    const target = recorded("aws:cloudwatch/eventTarget:EventTarget");
    const rule = recorded("aws:cloudwatch/eventRule:EventRule");

    expect(target.inputs).toMatchObject({
      arn: stateMachineArn,
      rule: rule.inputs.name,
      eventBusName: "engine-test-bus",
      inputTransformer: {
        inputPaths: executionInputTransformer.inputPaths,
        inputTemplate: executionInputTransformer.inputTemplate,
      },
      retryPolicy: targetRetryPolicy,
      deadLetterConfig: { arn: await resolved(component.deadLetterQueueArn) },
    });
    expect(targetRetryPolicy.maximumRetryAttempts).toBeGreaterThan(0);
  });

  it("starts executions with a role only this rule assumes, allowed only StartExecution on this state machine", async () => {
    const role = recorded("aws:iam/role:Role");
    const rolePolicy = recorded("aws:iam/rolePolicy:RolePolicy");
    const target = recorded("aws:cloudwatch/eventTarget:EventTarget");

    expect(target.inputs.roleArn).toBe(await resolved(component.role.arn));
    expect(policyOf(role, "assumeRolePolicy")).toEqual(eventBridgeAssumeRolePolicy(ruleArn));
    expect(policyOf(role, "assumeRolePolicy").Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: "events.amazonaws.com" },
        Condition: { ArnEquals: { "aws:SourceArn": ruleArn } },
      }),
    ]);
    expect(rolePolicy.inputs.role).toBe(role.inputs.name);
    const granted = policyOf(rolePolicy).Statement;
    expect(granted).toEqual(startExecutionPolicy(stateMachineArn).Statement);
    expect(granted.map((statement) => [statement.Action, statement.Resource])).toEqual([
      ["states:StartExecution", stateMachineArn],
    ]);
    expect(JSON.stringify(granted)).not.toContain("sqs:");
  });

  it("lets only EventBridge, for this rule, write to the dead-letter queue", async () => {
    const queuePolicy = recorded("aws:sqs/queuePolicy:QueuePolicy");
    const queueArn = await resolved(component.deadLetterQueueArn);

    expect(queuePolicy.inputs.queueUrl).toBe(await resolved(component.deadLetterQueueUrl));
    expect(policyOf(queuePolicy)).toEqual(deadLetterQueuePolicy(queueArn, ruleArn));
    expect(policyOf(queuePolicy).Statement).toEqual([
      {
        Sid: expect.any(String),
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: queueArn,
        Condition: { ArnEquals: { "aws:SourceArn": ruleArn } },
      },
    ]);
  });

  it("keeps dead letters encrypted for 14 days", () => {
    const queue = recorded("aws:sqs/queue:Queue");

    expect(queue.inputs).toMatchObject({ sqsManagedSseEnabled: true, messageRetentionSeconds: 1_209_600 });
  });

  it("outputs the rule and queue that alarms and operators need", async () => {
    const outputs = {
      ruleArn: await resolved(component.ruleArn),
      ruleName: await resolved(component.ruleName),
      deadLetterQueueName: await resolved(component.deadLetterQueueName),
      deadLetterQueueUrl: await resolved(component.deadLetterQueueUrl),
    };

    expect(outputs).toEqual({
      ruleArn,
      ruleName: "engine-test-action-approved",
      deadLetterQueueName: "engine-test-trigger-dlq",
      deadLetterQueueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/engine-test-trigger-dlq",
    });
  });
});
