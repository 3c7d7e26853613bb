// Runs Pulumi programs and components without a CLI or cloud: resource registrations are recorded with
// their inputs, AWS data-source calls answer plausible values. Used by the infra tests and `npm run synth`.
import * as pulumi from "@pulumi/pulumi";

export interface RecordedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  id: string;
}

export const MOCK_ACCOUNT = "123456789012";

/** ARN-shaped ids for resources whose ARN others depend on, so rendered policies read like real ones. */
function mockState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  region: string,
): Record<string, unknown> {
  const physical = String(inputs.name ?? name);
  const arn = (service: string, resource: string) => `arn:aws:${service}:${region}:${MOCK_ACCOUNT}:${resource}`;
  const arns: Record<string, string> = {
    "aws:dynamodb/table:Table": arn("dynamodb", `table/${physical}`),
    "aws:lambda/function:Function": arn("lambda", `function:${physical}`),
    "aws:iam/role:Role": `arn:aws:iam::${MOCK_ACCOUNT}:role/${physical}`,
    "aws:sfn/stateMachine:StateMachine": arn("states", `stateMachine:${physical}`),
    "aws:sqs/queue:Queue": arn("sqs", physical),
    "aws:sns/topic:Topic": arn("sns", physical),
    "aws:cloudwatch/eventBus:EventBus": arn("events", `event-bus/${physical}`),
    "aws:cloudwatch/eventRule:EventRule": arn("events", `rule/${physical}`),
    "aws:cloudwatch/logGroup:LogGroup": arn("logs", `log-group:${physical}`),
    "aws:s3/bucketV2:BucketV2": `arn:aws:s3:::${physical}`,
    "aws:s3/bucket:Bucket": `arn:aws:s3:::${physical}`,
    "aws:secretsmanager/secret:Secret": arn("secretsmanager", `secret:${physical}`),
    "aws:apigatewayv2/api:Api": arn("apigateway", `/apis/${physical}`),
  };
  const state: Record<string, unknown> = { ...inputs, name: physical };
  if (arns[type]) state.arn = arns[type];
  if (type === "aws:sqs/queue:Queue") state.url = `https://sqs.${region}.amazonaws.com/${MOCK_ACCOUNT}/${physical}`;
  if (type === "aws:apigatewayv2/api:Api") {
    state.apiEndpoint = `https://${physical}.execute-api.${region}.amazonaws.com`;
    state.executionArn = arn("execute-api", physical);
  }
  if (type === "aws:lambda/function:Function")
    state.invokeArn = `arn:aws:apigateway:${region}:lambda:path/functions/${state.arn}/invocations`;
  if (type === "aws:s3/bucketV2:BucketV2" || type === "aws:s3/bucket:Bucket") state.bucket = physical;
  if (type === "aws:cloudwatch/dashboard:Dashboard")
    state.dashboardArn = `arn:aws:cloudwatch::${MOCK_ACCOUNT}:dashboard/${inputs.dashboardName}`;
  return state;
}

/** Installs the mocks; every resource registered afterwards is appended to the returned list. */
export function installPulumiMocks(
  options: { project?: string; stack?: string; region?: string; config?: Record<string, string> } = {},
) {
  const region = options.region ?? "us-east-1";
  const resources: RecordedResource[] = [];
  const config = { "aws:region": region, ...options.config };
  pulumi.runtime.setAllConfig(
    config,
    Object.keys(config).filter((key) => key.toLowerCase().includes("secret")),
  );
  pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const id = `${args.name}-id`;
        resources.push({ type: args.type, name: args.name, inputs: args.inputs, id });
        return { id, state: mockState(args.type, args.name, args.inputs, region) };
      },
      call: (args) => {
        if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") {
          return { accountId: MOCK_ACCOUNT, arn: `arn:aws:iam::${MOCK_ACCOUNT}:root`, userId: "mock" };
        }
        if (args.token === "aws:index/getRegion:getRegion") return { name: region, region, id: region };
        if (args.token === "aws:index/getPartition:getPartition")
          return { partition: "aws", dnsSuffix: "amazonaws.com" };
        if (args.token === "aws:dynamodb/getTable:getTable") {
          return { ...args.inputs, arn: `arn:aws:dynamodb:${region}:${MOCK_ACCOUNT}:table/${args.inputs.name}` };
        }
        if (args.token === "aws:cloudwatch/getEventBus:getEventBus") {
          return { ...args.inputs, arn: `arn:aws:events:${region}:${MOCK_ACCOUNT}:event-bus/${args.inputs.name}` };
        }
        return args.inputs;
      },
    },
    options.project ?? "action-execution-engine",
    options.stack ?? "test",
  );
  return resources;
}

/** The value inside an Output, for assertions. */
export function outputValue<T>(output: pulumi.Output<T> | pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(output).apply((value) => resolve(value as T)));
}
