// The engine functions' roles as a stack deploys them, read from the synthesized program (the Pulumi
// program under mocks, with the stack's config file): each function's principal and RolePolicy document,
// and the ARNs of the resources the functions are configured with, in AWS's formats, the gateway secret's
// with its six-character suffix. Tests rewrite the local engine's resources into these to ask IAM about
// the deployed stack.
import { type TableName, tables } from "../../functions/kernel/data-layout.ts";
import { type EngineFunctionId, engineFunctions } from "../../infra/catalog.ts";
import type { PolicyDocument } from "../../infra/iam.ts";
import { readStackConfig } from "../../infra/synth.ts";
import { MOCK_ACCOUNT, type RecordedResource } from "../../infra/testing/pulumi-mocks.ts";
import { synthesizeStack } from "../../infra/testing/stack-under-test.ts";

export interface DeployedRole {
  /** The role's session as Lambda assumes it: `assumed-role/<role>/<function name>`. */
  principal: string;
  policy: PolicyDocument;
}

/** The resources the functions are configured with, by ARN: a stack's, or the local engine's. */
export interface ResourceArns {
  tables: Record<TableName, string>;
  artifactsBucketArn: string;
  eventBusArn: string;
  gatewaySecretArn: string;
}

export interface DeployedRoles {
  roles: Record<EngineFunctionId, DeployedRole>;
  resources: ResourceArns;
}

function only<T>(items: T[], what: string): T {
  if (items.length !== 1) throw new Error(`the synthesized stack has ${items.length} ${what}, expected one`);
  return items[0] as T;
}

export async function deployedRoles(stack: string): Promise<DeployedRoles> {
  const region = readStackConfig(stack).config["aws:region"] ?? "us-east-1";
  const { resources } = await synthesizeStack(stack);
  const ofType = (type: string) => resources.filter((resource) => resource.type === type);
  const lambdas = ofType("aws:lambda/function:Function").map((resource) => ({
    name: String(resource.inputs.name),
    roleArn: String(resource.inputs.role),
    environment: (resource.inputs.environment as { variables?: Record<string, string> } | undefined)?.variables ?? {},
  }));
  const policies = ofType("aws:iam/rolePolicy:RolePolicy");

  const roles = Object.fromEntries(
    engineFunctions.map((fn) => {
      // Each function's Powertools service name is its catalog id.
      const lambda = only(
        lambdas.filter((candidate) => candidate.environment.POWERTOOLS_SERVICE_NAME === fn.id),
        `functions for ${fn.id}`,
      );
      const roleName = lambda.roleArn.slice(lambda.roleArn.lastIndexOf("/") + 1);
      // A RolePolicy names its role by id; the mocks give a role the id `<resource name>-id`.
      const policy: RecordedResource = only(
        policies.filter((candidate) => candidate.inputs.role === `${roleName}-id`),
        `role policies on ${roleName}`,
      );
      return [
        fn.id,
        {
          principal: `arn:aws:sts::${MOCK_ACCOUNT}:assumed-role/${roleName}/${lambda.name}`,
          policy: JSON.parse(String(policy.inputs.policy)) as PolicyDocument,
        },
      ];
    }),
  ) as Record<EngineFunctionId, DeployedRole>;

  // The names each function is configured with, which its calls use; every function that has one agrees.
  const configured = (variable: string) =>
    only([...new Set(lambdas.flatMap(({ environment }) => environment[variable] ?? []))], `values of ${variable}`);
  return {
    roles,
    resources: {
      tables: Object.fromEntries(
        Object.entries(tables).map(([table, layout]) => [
          table,
          `arn:aws:dynamodb:${region}:${MOCK_ACCOUNT}:table/${configured(layout.envVar)}`,
        ]),
      ) as Record<TableName, string>,
      artifactsBucketArn: `arn:aws:s3:::${configured("ARTIFACTS_BUCKET")}`,
      eventBusArn: `arn:aws:events:${region}:${MOCK_ACCOUNT}:event-bus/${configured("EVENT_BUS_NAME")}`,
      gatewaySecretArn: configured("GATEWAY_CLIENT_SECRET_ID"),
    },
  };
}

/** A resource ARN of one set (the local engine's) as the same resource of another (a stack's). */
export function translateArn(resource: string, from: ResourceArns, to: ResourceArns): string | undefined {
  const pairs: [string, string][] = [
    ...(Object.keys(from.tables) as TableName[]).map((table): [string, string] => [
      from.tables[table],
      to.tables[table],
    ]),
    [from.artifactsBucketArn, to.artifactsBucketArn],
    [from.eventBusArn, to.eventBusArn],
    [from.gatewaySecretArn, to.gatewaySecretArn],
  ];
  for (const [source, target] of pairs) {
    if (resource === source || resource.startsWith(`${source}/`)) return target + resource.slice(source.length);
  }
  return undefined;
}

/**
 * Resources next to one a function may use, which its role must not reach: another table (or its index),
 * another bucket's object, the default and another bus, the same secret name recreated (a new suffix) and
 * another secret.
 */
export function neighboursOf(resource: string): string[] {
  const [, , service = "", region = "", account = ""] = resource.split(":");
  const arn = (rest: string) => `arn:aws:${service}:${region}:${account}:${rest}`;
  switch (service) {
    case "dynamodb": {
      const index = resource.includes("/index/") ? resource.slice(resource.indexOf("/index/")) : "";
      return [arn(`table/another-table${index}`)];
    }
    case "s3":
      return [`arn:aws:s3:::another-bucket/${resource.slice(resource.indexOf("/") + 1)}`];
    case "events":
      return [arn("event-bus/default"), arn("event-bus/another-bus")];
    case "secretsmanager": {
      const recreated = resource.slice(0, -6) + (resource.endsWith("Zz9Yy8") ? "Xx7Ww6" : "Zz9Yy8");
      return [recreated, arn("secret:another/secret-AbC123")];
    }
    default:
      throw new Error(`no neighbours known for ${resource}`);
  }
}
