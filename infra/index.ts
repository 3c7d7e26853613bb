// The Pulumi program (`pulumi stack select dev && pulumi up`), loaded by infra/main.mjs once it has checked
// the Node version. The stack outputs are this module's exports, named in stack-outputs.ts.
import { readEngineConfig } from "./config.ts";
import { createEngineStack } from "./stack.ts";

const engine = createEngineStack(readEngineConfig());

export const apiUrl = engine.apiUrl;
export const dashboardUrl = engine.dashboardUrl;
export const alarmTopicArn = engine.alarmTopicArn;
export const stateMachineArn = engine.stateMachineArn;
export const eventBusName = engine.eventBusName;
export const tableNames = engine.tableNames;
export const artifactsBucketName = engine.artifactsBucketName;
export const deadLetterQueueUrl = engine.deadLetterQueueUrl;
export const gatewayUrl = engine.gatewayUrl;
export const gatewayTokenUrl = engine.gatewayTokenUrl;
export const gatewayClientId = engine.gatewayClientId;
export const gatewayClientSecretArn = engine.gatewayClientSecretArn;
export const triggerSource = engine.triggerSource;
export const triggerDetailType = engine.triggerDetailType;
