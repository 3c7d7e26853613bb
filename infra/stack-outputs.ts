// The stack's outputs by name: what `pulumi stack output --json` prints, and what the operator CLI
// (cli/target.ts) reads to reach a deployed engine. Renaming one breaks operators' scripts and the CLI.
import type { TableName } from "../functions/kernel/data-layout.ts";

export const stackOutputNames = [
  "alarmTopicArn",
  "apiUrl",
  "artifactsBucketName",
  "dashboardUrl",
  "deadLetterQueueUrl",
  "eventBusName",
  // The gateway as the functions reach it, so the CLI can check a registry entry against its tools/list.
  // The secret's ARN only: its value stays in Secrets Manager, read with the operator's own credentials.
  "gatewayClientId",
  "gatewayClientSecretArn",
  "gatewayTokenUrl",
  "gatewayUrl",
  "stateMachineArn",
  "tableNames",
  // The source and detail type the rule starts an execution for: what an approval must carry.
  "triggerDetailType",
  "triggerSource",
] as const;

export type StackOutputName = (typeof stackOutputNames)[number];

/** The outputs as `pulumi stack output --json` prints them. */
export type StackOutputs = Record<Exclude<StackOutputName, "tableNames">, string> & {
  tableNames: Record<TableName, string>;
};
