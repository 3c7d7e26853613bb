// Runs Pulumi programs and components without a CLI or cloud: resource registrations are recorded with
// their inputs, AWS data-source calls answer plausible values. Used by the infra tests and `npm run synth`.
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

export interface RecordedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  id: string;
  /** The URNs the registration told the engine it depends on: `dependsOn` and the resources its inputs use. */
  dependencies: string[];
}

export const MOCK_ACCOUNT = "123456789012";

/**
 * The six characters Secrets Manager appends to a secret's name in its ARN: random in AWS, derived from the
 * name here so a synth reads the same every run.
 */
export function mockSecretSuffix(name: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return [...createHash("sha256").update(name).digest().subarray(0, 6)]
    .map((byte) => alphabet[byte % alphabet.length])
    .join("");
}

/** A KMS key's ARN, as DescribeKey answers it, from a key id, key ARN, alias name or alias ARN. */
function keyArnOf(keyId: string, region: string): string {
  if (/^arn:[^:]+:kms:[^:]*:\d{12}:key\//.test(keyId)) return keyId;
  const owner = keyId.startsWith("arn:")
    ? keyId.split(":").slice(0, 5).join(":")
    : `arn:aws:kms:${region}:${MOCK_ACCOUNT}`;
  const isKeyId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(keyId);
  const hex = createHash("sha256").update(keyId).digest("hex");
  const uuid = isKeyId
    ? keyId
    : `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  return `${owner}:key/${uuid}`;
}

/**
 * A secret's full ARN, as DescribeSecret answers it, from its name, partial ARN or full ARN. As in AWS, an
 * ARN whose name ends in "-" and six characters is taken as a full ARN, so such a partial ARN finds nothing
 * (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DescribeSecret.html).
 */
function fullSecretArn(secretId: string, region: string): string {
  if (!secretId.startsWith("arn:")) {
    return `arn:aws:secretsmanager:${region}:${MOCK_ACCOUNT}:secret:${secretId}-${mockSecretSuffix(secretId)}`;
  }
  const name = secretId.slice(secretId.indexOf(":secret:") + ":secret:".length);
  if (!/-[A-Za-z0-9]{6}$/.test(name)) return `${secretId}-${mockSecretSuffix(name)}`;
  if (name.slice(-6) === mockSecretSuffix(name.slice(0, -7))) return secretId;
  const message =
    `ResourceNotFoundException: Secrets Manager can't find the specified secret ${secretId} ` +
    '(an ARN whose name ends in "-" and six characters is read as a full ARN: give the secret\'s name instead)';
  // Pulumi reports a failed invoke by the RPC error's `details`.
  throw Object.assign(new Error(message), { details: message });
}

/** `<bus>/` for a rule on a custom bus (given by name or ARN), nothing for the default bus. */
export function ruleBusPath(eventBusName: unknown): string {
  if (typeof eventBusName !== "string") return "";
  const marker = ":event-bus/";
  const name = eventBusName.includes(marker)
    ? eventBusName.slice(eventBusName.indexOf(marker) + marker.length)
    : eventBusName;
  return name && name !== "default" ? `${name}/` : "";
}

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
    // A rule on another bus than the default names the bus in its ARN, and EventBridge sends that ARN as
    // aws:SourceArn (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridge.html).
    "aws:cloudwatch/eventRule:EventRule": arn("events", `rule/${ruleBusPath(inputs.eventBusName)}${physical}`),
    "aws:cloudwatch/logGroup:LogGroup": arn("logs", `log-group:${physical}`),
    "aws:s3/bucketV2:BucketV2": `arn:aws:s3:::${physical}`,
    "aws:s3/bucket:Bucket": `arn:aws:s3:::${physical}`,
    "aws:secretsmanager/secret:Secret": arn("secretsmanager", `secret:${physical}-${mockSecretSuffix(physical)}`),
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

type MonitorRegister = (
  request: { getType(): string; getName(): string; getDependenciesList(): string[] },
  callback: unknown,
) => unknown;

/** Installs the mocks; every resource registered afterwards is appended to the returned list. */
export function installPulumiMocks(
  options: {
    project?: string;
    stack?: string;
    region?: string;
    config?: Record<string, string>;
    /** The KMS key (id, alias or ARN) encrypting an existing secret, by secret name; none means the AWS-managed key. */
    secretKmsKeys?: Record<string, string>;
  } = {},
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
        const dependencies = dependenciesOf.get(`${args.type}::${args.name}`) ?? [];
        resources.push({ type: args.type, name: args.name, inputs: args.inputs, id, dependencies });
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
        if (args.token === "aws:secretsmanager/getSecret:getSecret") {
          const arn = fullSecretArn(String(args.inputs.arn ?? args.inputs.name), region);
          const name = arn.slice(arn.indexOf(":secret:") + ":secret:".length, -7);
          // DescribeSecret leaves KmsKeyId out for the AWS-managed key; the provider then answers "".
          return { ...args.inputs, arn, id: arn, name, kmsKeyId: options.secretKmsKeys?.[name] ?? "" };
        }
        if (args.token === "aws:kms/getKey:getKey") {
          const arn = keyArnOf(String(args.inputs.keyId), region);
          const keyManager = String(args.inputs.keyId).includes("alias/aws/") ? "AWS" : "CUSTOMER";
          return { ...args.inputs, arn, id: arn.slice(arn.indexOf(":key/") + 5), keyManager };
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
  // The mocks' newResource is not told a registration's dependencies; the request to the monitor carries
  // them, so they are read there, by type and name (unique within a stack).
  const dependenciesOf = new Map<string, string[]>();
  const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource: MonitorRegister };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) => {
    dependenciesOf.set(`${request.getType()}::${request.getName()}`, request.getDependenciesList());
    return register(request, callback);
  };
  return resources;
}

/** The value inside an Output, for assertions. */
export function outputValue<T>(output: pulumi.Output<T> | pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(output).apply((value) => resolve(value as T)));
}
