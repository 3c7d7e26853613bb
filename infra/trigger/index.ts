// The EventBridge rule that starts one state machine execution per approved intent: the rule, the role
// EventBridge starts executions with, and a dead-letter queue for approvals it could not deliver.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PolicyDocument } from "../iam.ts";
import { approvedEventPattern, executionInputTransformer, type TriggerConfig } from "../trigger.ts";

export interface TriggerArgs {
  /** The bus approvals arrive on: one this stack creates or adopts, or "default". */
  eventBusName: pulumi.Input<string>;
  trigger: TriggerConfig;
  stateMachineArn: pulumi.Input<string>;
  namePrefix: string;
  /** Protects the dead-letter queue, which may hold approvals nobody has replayed yet. */
  protect: boolean;
}

const eventBridgePrincipal = { Service: "events.amazonaws.com" };

/**
 * How long and how often EventBridge retries StartExecution (throttling, an unavailable service) before it
 * gives the approval to the dead-letter queue. Retries inside an execution belong to the state machine.
 */
export const targetRetryPolicy = { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 10 } as const;

/** SQS's maximum, so an undelivered approval survives a long weekend. */
export const deadLetterRetentionSeconds = 14 * 24 * 60 * 60;

export function ruleEventPattern(trigger: TriggerConfig): string {
  return JSON.stringify(approvedEventPattern(trigger));
}

/** The target's input transformer: the execution input is the intent key taken from `detail.data`. */
export function targetInputTransformer(): { inputPaths: Record<string, string>; inputTemplate: string } {
  return {
    inputPaths: { ...executionInputTransformer.inputPaths },
    inputTemplate: executionInputTransformer.inputTemplate,
  };
}

/** Only this rule may assume the role (confused-deputy protection: EventBridge sets the rule as SourceArn). */
export function eventBridgeAssumeRolePolicy(ruleArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "EventBridgeRuleAssumesRole",
        Effect: "Allow",
        Principal: eventBridgePrincipal,
        Action: "sts:AssumeRole",
        Condition: { ArnEquals: { "aws:SourceArn": ruleArn } },
      },
    ],
  };
}

/**
 * StartExecution for either workflow type: it starts an Express workflow asynchronously, at least once
 * (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-express-synchronous.html,
 * https://docs.aws.amazon.com/step-functions/latest/dg/express-at-least-once-execution.html), which the
 * engine's claim, idempotent tool call and conditional recorder absorb; StartSyncExecution is never needed.
 */
export function startExecutionPolicy(stateMachineArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "StartApprovedExecution", Effect: "Allow", Action: "states:StartExecution", Resource: stateMachineArn },
    ],
  };
}

/**
 * EventBridge writes undeliverable events to the DLQ as its service principal, not with the target role,
 * so the queue's own policy grants it, for this rule only.
 */
export function deadLetterQueuePolicy(queueArn: string, ruleArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "EventBridgeRuleDeadLetters",
        Effect: "Allow",
        Principal: eventBridgePrincipal,
        Action: "sqs:SendMessage",
        Resource: queueArn,
        Condition: { ArnEquals: { "aws:SourceArn": ruleArn } },
      },
    ],
  };
}

export class Trigger extends pulumi.ComponentResource {
  readonly rule: aws.cloudwatch.EventRule;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly role: aws.iam.Role;
  readonly target: aws.cloudwatch.EventTarget;

  readonly ruleArn: pulumi.Output<string>;
  readonly ruleName: pulumi.Output<string>;
  readonly deadLetterQueueArn: pulumi.Output<string>;
  readonly deadLetterQueueName: pulumi.Output<string>;
  readonly deadLetterQueueUrl: pulumi.Output<string>;

  constructor(name: string, args: TriggerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("engine:trigger:Trigger", name, {}, opts);
    const { namePrefix } = args;

    this.rule = new aws.cloudwatch.EventRule(
      `${name}-rule`,
      {
        name: `${namePrefix}-action-approved`,
        description: `Starts one execution per ${args.trigger.detailType} from ${args.trigger.source}`,
        eventBusName: args.eventBusName,
        eventPattern: ruleEventPattern(args.trigger),
      },
      { parent: this },
    );

    this.deadLetterQueue = new aws.sqs.Queue(
      `${name}-dlq`,
      {
        name: `${namePrefix}-trigger-dlq`,
        // SQS-managed keys: EventBridge cannot write to a queue encrypted with the AWS-managed KMS key.
        sqsManagedSseEnabled: true,
        messageRetentionSeconds: deadLetterRetentionSeconds,
      },
      { parent: this, protect: args.protect },
    );

    const queuePolicy = new aws.sqs.QueuePolicy(
      `${name}-dlq-policy`,
      {
        queueUrl: this.deadLetterQueue.url,
        policy: pulumi
          .all([this.deadLetterQueue.arn, this.rule.arn])
          .apply(([queueArn, ruleArn]) => JSON.stringify(deadLetterQueuePolicy(queueArn, ruleArn))),
      },
      { parent: this },
    );

    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        name: `${namePrefix}-trigger-start-execution`,
        description: "EventBridge starts engine executions for approved intents with this role",
        assumeRolePolicy: this.rule.arn.apply((ruleArn) => JSON.stringify(eventBridgeAssumeRolePolicy(ruleArn))),
      },
      { parent: this },
    );

    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-start-execution`,
      {
        role: this.role.name,
        policy: pulumi.output(args.stateMachineArn).apply((arn) => JSON.stringify(startExecutionPolicy(arn))),
      },
      { parent: this },
    );

    this.target = new aws.cloudwatch.EventTarget(
      `${name}-target`,
      {
        rule: this.rule.name,
        eventBusName: args.eventBusName,
        targetId: "state-machine",
        arn: args.stateMachineArn,
        roleArn: this.role.arn,
        inputTransformer: targetInputTransformer(),
        retryPolicy: targetRetryPolicy,
        deadLetterConfig: { arn: this.deadLetterQueue.arn },
      },
      // The first approval after deploy must find the role allowed and the queue writable.
      { parent: this, dependsOn: [rolePolicy, queuePolicy] },
    );

    this.ruleArn = this.rule.arn;
    this.ruleName = this.rule.name;
    this.deadLetterQueueArn = this.deadLetterQueue.arn;
    this.deadLetterQueueName = this.deadLetterQueue.name;
    this.deadLetterQueueUrl = this.deadLetterQueue.url;
    this.registerOutputs({
      ruleArn: this.ruleArn,
      ruleName: this.ruleName,
      deadLetterQueueArn: this.deadLetterQueueArn,
      deadLetterQueueName: this.deadLetterQueueName,
      deadLetterQueueUrl: this.deadLetterQueueUrl,
    });
  }
}
