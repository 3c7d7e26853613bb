// The Standard state machine: the rendered definition, X-Ray tracing, logging to its own log group, and
// a role that may invoke the engine's functions and nothing else.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { engineFunctions } from "../catalog.ts";
import type { PolicyDocument } from "../iam.ts";
import { loadTemplate, renderDefinition, validateTemplate } from "./definition.ts";

export interface WorkflowArgs {
  namePrefix: string;
  /** ARN of each function the definition invokes, by catalog id. */
  functionArns: Record<string, pulumi.Input<string>>;
  logRetentionDays: number;
  /** Whether logs carry execution input and output (intent parameters, tool arguments). */
  logExecutionData: boolean;
  protect: boolean;
}

export function stateMachineRolePolicy(functionArns: string[]): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "InvokeEngineFunctions",
        Effect: "Allow",
        Action: ["lambda:InvokeFunction"],
        Resource: functionArns.flatMap((arn) => [arn, `${arn}:*`]),
      },
      {
        Sid: "SendTraces",
        Effect: "Allow",
        Action: [
          "xray:PutTraceSegments",
          "xray:PutTelemetryRecords",
          "xray:GetSamplingRules",
          "xray:GetSamplingTargets",
        ],
        Resource: ["*"],
      },
      {
        // CloudWatch Logs delivery for Step Functions is configured through these account-level actions.
        Sid: "DeliverLogs",
        Effect: "Allow",
        Action: [
          "logs:CreateLogDelivery",
          "logs:GetLogDelivery",
          "logs:UpdateLogDelivery",
          "logs:DeleteLogDelivery",
          "logs:ListLogDeliveries",
          "logs:PutResourcePolicy",
          "logs:DescribeResourcePolicies",
          "logs:DescribeLogGroups",
        ],
        Resource: ["*"],
      },
    ],
  };
}

/** The definition with every placeholder replaced by its function's ARN. */
export function definitionFor(functionArns: Record<string, string>): string {
  const placeholders = Object.fromEntries(
    engineFunctions.flatMap((fn) => ("placeholder" in fn ? [[fn.placeholder, functionArns[fn.id] as string]] : [])),
  );
  return JSON.stringify(renderDefinition(validateTemplate(loadTemplate()), placeholders), null, 2);
}

export class Workflow extends pulumi.ComponentResource {
  readonly stateMachineArn: pulumi.Output<string>;
  readonly stateMachineName: pulumi.Output<string>;
  readonly definition: pulumi.Output<string>;

  constructor(name: string, args: WorkflowArgs, opts?: pulumi.ComponentResourceOptions) {
    super("engine:workflow:Workflow", name, {}, opts);
    const child = { parent: this };
    const arns = pulumi.all(args.functionArns);
    // Validated when the program starts: a broken template stops `pulumi up` before anything changes.
    validateTemplate(loadTemplate());

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: `/aws/vendedlogs/states/${args.namePrefix}`, retentionInDays: args.logRetentionDays },
      { ...child, protect: args.protect },
    );
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "states.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      },
      child,
    );
    const policy = new aws.iam.RolePolicy(
      `${name}-policy`,
      { role: role.id, policy: arns.apply((byId) => JSON.stringify(stateMachineRolePolicy(Object.values(byId)))) },
      child,
    );
    this.definition = arns.apply((byId) => definitionFor(byId));
    const stateMachine = new aws.sfn.StateMachine(
      `${name}-state-machine`,
      {
        name: args.namePrefix,
        type: "STANDARD",
        roleArn: role.arn,
        definition: this.definition,
        tracingConfiguration: { enabled: true },
        loggingConfiguration: {
          level: "ALL",
          includeExecutionData: args.logExecutionData,
          logDestination: pulumi.interpolate`${logGroup.arn}:*`,
        },
      },
      { ...child, dependsOn: [policy] },
    );
    this.stateMachineArn = stateMachine.arn;
    this.stateMachineName = stateMachine.name;
    this.registerOutputs({ stateMachineArn: this.stateMachineArn });
  }
}
