// Every engine function: bundled at program run, nodejs24.x on arm64, traced with X-Ray (tracingModeFor),
// its own log group with retention, and its own role whose policy names only what that function touches.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { TableName } from "../../functions/kernel/data-layout.ts";
import { bundleFunction } from "../bundle.ts";
import { type EngineFunction, type EngineFunctionId, engineFunctions } from "../catalog.ts";
import type { EngineConfig } from "../config.ts";
import type { GatewaySecretRef } from "../gateway/index.ts";
import { environmentFor } from "./environment.ts";
import { lambdaLoggingFor } from "./logging.ts";
import { policyDocumentFor } from "./permissions.ts";

export interface EngineFunctionsArgs {
  config: EngineConfig;
  tables: Record<TableName, { name: pulumi.Input<string>; arn: pulumi.Input<string> }>;
  artifactsBucket: { name: pulumi.Input<string>; arn: pulumi.Input<string> };
  eventBus: { name: pulumi.Input<string>; arn: pulumi.Input<string> };
  gatewaySecret: pulumi.Input<GatewaySecretRef>;
}

export interface DeployedFunction {
  name: pulumi.Output<string>;
  arn: pulumi.Output<string>;
  invokeArn: pulumi.Output<string>;
  roleName: pulumi.Output<string>;
}

const lambdaAssumeRole = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/**
 * Active for the functions the state machine invokes, PassThrough for the others (the status function).
 * Lambda follows a sampling decision that arrives with the request in either mode; without one, Active
 * samples the request as a new trace and PassThrough does not
 * (https://docs.aws.amazon.com/lambda/latest/api/API_TracingConfig.html). Status reads come through an HTTP
 * API, which starts no traces (X-Ray traces REST APIs only:
 * https://docs.aws.amazon.com/xray/latest/devguide/xray-services-apigateway.html), and are no part of an
 * execution: Active would make each read a trace of its own, at the account's default sampling rule.
 */
export function tracingModeFor(fn: EngineFunction): "Active" | "PassThrough" {
  return fn.placeholder ? "Active" : "PassThrough";
}

function recordOf<T>(entries: Record<string, pulumi.Input<T>>): pulumi.Output<Record<string, T>> {
  return pulumi.all(entries) as pulumi.Output<Record<string, T>>;
}

export class EngineFunctions extends pulumi.ComponentResource {
  readonly functions: Record<EngineFunctionId, DeployedFunction>;

  constructor(name: string, args: EngineFunctionsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("engine:functions:EngineFunctions", name, {}, opts);
    const { config } = args;
    const tableNames = recordOf<string>(
      Object.fromEntries(Object.entries(args.tables).map(([t, ref]) => [t, ref.name])),
    );
    const tableArns = recordOf<string>(Object.fromEntries(Object.entries(args.tables).map(([t, ref]) => [t, ref.arn])));

    const deploy = (fn: EngineFunction): DeployedFunction => {
      const functionName = `${config.namePrefix}-${fn.id}`;
      const child = { parent: this };
      const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-${fn.id}-logs`,
        { name: `/aws/lambda/${functionName}`, retentionInDays: config.logRetentionDays },
        { ...child, protect: config.protect },
      );
      const role = new aws.iam.Role(`${name}-${fn.id}-role`, { assumeRolePolicy: lambdaAssumeRole }, child);
      const policy = new aws.iam.RolePolicy(
        `${name}-${fn.id}-policy`,
        {
          role: role.id,
          policy: pulumi
            .all([tableArns, args.artifactsBucket.arn, args.gatewaySecret, args.eventBus.arn, logGroup.arn])
            .apply(([tables, artifactsBucketArn, gatewaySecret, eventBusArn, logGroupArn]) =>
              JSON.stringify(
                policyDocumentFor(fn, {
                  tables: tables as Record<TableName, string>,
                  artifactsBucketArn,
                  gatewaySecret,
                  eventBusArn,
                  logGroupArn,
                }),
              ),
            ),
        },
        child,
      );
      const lambda = new aws.lambda.Function(
        `${name}-${fn.id}`,
        {
          name: functionName,
          role: role.arn,
          runtime: aws.lambda.Runtime.NodeJS24dX,
          architectures: ["arm64"],
          handler: "index.handler",
          code: bundleFunction(fn.entry).then(
            (bundle) => new pulumi.asset.AssetArchive({ "index.mjs": new pulumi.asset.StringAsset(bundle.code) }),
          ),
          memorySize: config.functionMemoryMb,
          // Unset leaves the function on the account's unreserved pool (Pulumi's -1).
          reservedConcurrentExecutions: config.lambdaConcurrency.reserved[fn.id as EngineFunctionId],
          timeout: fn.timeoutSeconds,
          tracingConfig: { mode: tracingModeFor(fn) },
          loggingConfig: { ...lambdaLoggingFor(config), logGroup: logGroup.name },
          environment: {
            variables: pulumi
              .all([tableNames, args.artifactsBucket.name, args.eventBus.name, args.gatewaySecret])
              .apply(([tables, artifactsBucket, eventBusName, gatewaySecret]) =>
                environmentFor(fn, config, {
                  tables: tables as Record<TableName, string>,
                  artifactsBucket,
                  eventBusName,
                  gatewaySecretId: gatewaySecret.arn,
                }),
              ),
          },
        },
        // With tracing Active, CreateFunction checks the role may call X-Ray, and a first invocation must
        // not race the grant (a traced one, in either mode): the function waits for its policy, not only its role.
        { ...child, dependsOn: [logGroup, policy] },
      );
      return { name: lambda.name, arn: lambda.arn, invokeArn: lambda.invokeArn, roleName: role.name };
    };

    this.functions = Object.fromEntries(engineFunctions.map((fn) => [fn.id, deploy(fn)])) as Record<
      EngineFunctionId,
      DeployedFunction
    >;
    this.registerOutputs({
      functionNames: Object.fromEntries(Object.entries(this.functions).map(([id, fn]) => [id, fn.name])),
    });
  }
}
