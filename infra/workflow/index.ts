// The state machine, Standard or Express per stack: the rendered definition, X-Ray tracing (at the stack's
// sampling rule when it sets one), logging to its own log group, and a role that may invoke the engine's
// functions and nothing else.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { engineFunctions } from "../catalog.ts";
import type { PolicyDocument } from "../iam.ts";
import { type AslDefinition, loadTemplate, renderDefinition, validateTemplate } from "./definition.ts";
import type { DurationBound } from "./duration-bound.ts";
import { samplingRuleArgs, type TraceSampling } from "./trace-sampling.ts";
import { checkWorkflowType, type WorkflowLogLevel, type WorkflowType } from "./workflow-type.ts";

export interface WorkflowArgs {
  namePrefix: string;
  /** ARN of each function the definition invokes, by catalog id. */
  functionArns: Record<string, pulumi.Input<string>>;
  logRetentionDays: number;
  /** Which history events reach the log group. */
  logLevel: WorkflowLogLevel;
  /** Whether logs carry execution input and output (intent parameters, tool arguments). */
  logExecutionData: boolean;
  workflowType: WorkflowType;
  /** The share of executions X-Ray records; unset leaves them to the account's default rule. */
  traceSampling?: TraceSampling;
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
  /** The longest the definition can run, and the states that make it. */
  readonly durationBound: DurationBound;
  readonly samplingRule?: aws.xray.SamplingRule;

  constructor(name: string, args: WorkflowArgs, opts?: pulumi.ComponentResourceOptions) {
    super("engine:workflow:Workflow", name, {}, opts);
    const child = { parent: this };
    const arns = pulumi.all(args.functionArns);
    // Validated when the program starts: a broken template, or one too slow for Express, stops `pulumi up`
    // before anything changes. The bound reads the definition as rendered; which ARNs fill it does not matter.
    const standIns = Object.fromEntries(
      engineFunctions.map((fn) => [fn.id, `arn:aws:lambda:us-east-1:000000000000:function:${fn.id}`]),
    );
    this.durationBound = checkWorkflowType(args.workflowType, JSON.parse(definitionFor(standIns)) as AslDefinition);

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
        type: args.workflowType,
        roleArn: role.arn,
        definition: this.definition,
        // X-Ray for either type: the state machine's segment is the root of each execution's trace.
        tracingConfiguration: { enabled: true },
        // Express keeps no execution history of its own: these logs are all Step Functions keeps of an
        // execution (the config refuses OFF for it). Standard's console history has every event anyway.
        loggingConfiguration: {
          level: args.logLevel,
          includeExecutionData: args.logLevel !== "OFF" && args.logExecutionData,
          logDestination: pulumi.interpolate`${logGroup.arn}:*`,
        },
      },
      { ...child, dependsOn: [policy] },
    );
    if (args.traceSampling) {
      this.samplingRule = new aws.xray.SamplingRule(
        `${name}-sampling`,
        samplingRuleArgs(args.namePrefix, stateMachine.name, args.traceSampling),
        child,
      );
    }
    this.stateMachineArn = stateMachine.arn;
    this.stateMachineName = stateMachine.name;
    this.registerOutputs({ stateMachineArn: this.stateMachineArn });
  }
}
