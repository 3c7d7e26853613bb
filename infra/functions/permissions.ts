// One IAM policy per function, derived from what the catalog says it touches: its tables and actions,
// the artifacts bucket, the gateway secret, the event bus. Nothing else.
import type { TableName } from "../../functions/kernel/data-layout.ts";
import type { EngineFunction } from "../catalog.ts";
import type { PolicyDocument, PolicyStatement } from "../iam.ts";

/** Statements here always list their actions and resources. */
type ListedStatement = PolicyStatement & { Action: string[]; Resource: string[] };

export interface EngineResourceArns {
  tables: Record<TableName, string>;
  artifactsBucketArn: string;
  /** The secret's full ARN (with its six-character suffix) and its customer-managed key, if any. */
  gatewaySecret: { arn: string; kmsKeyArn?: string };
  eventBusArn: string;
  logGroupArn: string;
}

/** The region field of an ARN: `arn:<partition>:<service>:<region>:...`. */
function regionOf(arn: string): string {
  const region = arn.split(":")[3];
  if (!region) throw new Error(`not a regional ARN: "${arn}"`);
  return region;
}

const pascal = (name: string) => name.replace(/(^|[-_])(\w)/g, (_match, _sep, letter: string) => letter.toUpperCase());

export function policyDocumentFor(
  fn: EngineFunction,
  arns: EngineResourceArns,
): PolicyDocument & { Statement: ListedStatement[] } {
  const statements: ListedStatement[] = [
    {
      Sid: "WriteOwnLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: [`${arns.logGroupArn}:*`],
    },
    // X-Ray accepts no resource-level permissions.
    {
      Sid: "SendTraces",
      Effect: "Allow",
      Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
      Resource: ["*"],
    },
  ];
  for (const [table, actions] of Object.entries(fn.access.tables ?? {}) as [TableName, readonly string[]][]) {
    const tableArn = arns.tables[table];
    statements.push({
      Sid: `${pascal(table)}Table`,
      Effect: "Allow",
      Action: actions.map((action) => `dynamodb:${action}`),
      Resource: actions.includes("Query") ? [tableArn, `${tableArn}/index/*`] : [tableArn],
    });
  }
  if (fn.access.artifacts) {
    statements.push({
      Sid: "WriteArtifacts",
      Effect: "Allow",
      Action: ["s3:PutObject"],
      Resource: [`${arns.artifactsBucketArn}/*`],
    });
  }
  if (fn.access.gateway) {
    statements.push({
      Sid: "ReadGatewayClientSecret",
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue"],
      Resource: [arns.gatewaySecret.arn],
    });
    if (arns.gatewaySecret.kmsKeyArn) {
      // Secrets Manager decrypts with the caller's permissions; the condition keeps the grant to that path:
      // https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
      statements.push({
        Sid: "DecryptGatewayClientSecret",
        Effect: "Allow",
        Action: ["kms:Decrypt"],
        Resource: [arns.gatewaySecret.kmsKeyArn],
        Condition: {
          StringEquals: { "kms:ViaService": `secretsmanager.${regionOf(arns.gatewaySecret.arn)}.amazonaws.com` },
        },
      });
    }
  }
  if (fn.access.signals) {
    statements.push({
      Sid: "PublishSignals",
      Effect: "Allow",
      Action: ["events:PutEvents"],
      Resource: [arns.eventBusArn],
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}
