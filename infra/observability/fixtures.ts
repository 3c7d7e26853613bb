// Test fixtures: stack configurations read through the real config parser, and the names of the resources
// the alarms watch, one function per entry of the function catalog.

import { engineFunctions } from "../catalog.ts";
import { type EngineConfig, parseEngineConfig } from "../config.ts";
import type { WatchedResources } from "./alarm-specs.ts";

const requiredKeys: Record<string, string> = {
  gatewayUrl: "https://gateway.example.com/mcp",
  gatewayTokenUrl: "https://auth.example.com/oauth2/token",
  gatewayClientId: "client",
  gatewayClientSecretId: "arn:aws:secretsmanager:us-east-1:123456789012:secret:gateway",
  jwtIssuer: "https://issuer.example.com",
  jwtAudience: '["app-client"]',
};

/** A stack's configuration from its `action-execution-engine:<key>` values, defaults for the rest. */
export function stackConfig(keys: Record<string, string> = {}, stack = "test"): EngineConfig {
  const values = { ...requiredKeys, ...keys };
  return parseEngineConfig({ get: (key) => values[key], getSecret: () => undefined }, stack, "engine");
}

export const watched: Required<WatchedResources> = {
  stateMachineArn: "arn:aws:states:us-east-1:123456789012:stateMachine:engine-test",
  workflowType: "STANDARD",
  functionNames: Object.fromEntries(engineFunctions.map(({ id }) => [id, `engine-test-${id}`])),
  deadLetterQueueNames: { trigger: "engine-test-trigger-dlq" },
  httpApi: { apiId: "a1b2c3d4e5", stage: "$default" },
};
