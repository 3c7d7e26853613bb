// The local engine's resources as AWS names them, in one account and region, so the policies the stack's
// `policyDocumentFor` builds for them are evaluated against ARNs of the shapes AWS would check.
import type { TableName } from "../../functions/kernel/data-layout.ts";
import type { EngineResourceArns } from "../../infra/functions/permissions.ts";

export const LOCAL_ACCOUNT = "000000000000";
export const LOCAL_REGION = "us-east-1";

export const localArns = {
  table: (name: string) => `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${name}`,
  bucket: (bucket: string) => `arn:aws:s3:::${bucket}`,
  object: (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`,
  eventBus: (name: string) => `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:event-bus/${name}`,
  /** `name` is the secret's name followed by `-` and its six random characters. */
  secret: (nameWithSuffix: string) =>
    `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT}:secret:${nameWithSuffix}`,
  logGroup: (name: string) => `arn:aws:logs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:log-group:${name}`,
  /** The principal a Lambda function's calls are made as: its role's session named for the function. */
  assumedRole: (roleName: string, sessionName: string) =>
    `arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/${roleName}/${sessionName}`,
};

/** Where AWS takes a resource by name or by ARN (a table, a bus, a secret), which one was given. */
export const isArn = (value: string) => value.startsWith("arn:");

export interface LocalResources {
  tables: Record<TableName, string>;
  artifactsBucket: string;
  eventBusName: string;
  /** The gateway secret's full ARN, six-character suffix included, as the stack's lookup resolves it. */
  gatewaySecretArn: string;
}

/** What `policyDocumentFor` needs for one function, with the local resources' ARNs. */
export function localResourceArns(resources: LocalResources, logGroupName: string): EngineResourceArns {
  return {
    tables: Object.fromEntries(
      Object.entries(resources.tables).map(([table, name]) => [table, localArns.table(name)]),
    ) as Record<TableName, string>,
    artifactsBucketArn: localArns.bucket(resources.artifactsBucket),
    gatewaySecret: { arn: resources.gatewaySecretArn },
    eventBusArn: localArns.eventBus(resources.eventBusName),
    logGroupArn: localArns.logGroup(logGroupName),
  };
}
