import { describe, expect, it } from "vitest";
import { parseEngineConfig } from "./config.ts";

const required: Record<string, string> = {
  gatewayUrl: "https://gateway.example.com/mcp",
  gatewayTokenUrl: "https://auth.example.com/oauth2/token",
  gatewayClientId: "client",
  gatewayClientSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:gateway",
  jwtIssuer: "https://issuer.example.com",
  jwtAudience: '["status-api"]',
};

const parse = (values: Record<string, string | undefined>) =>
  parseEngineConfig({ get: (key) => values[key], getSecret: () => undefined }, "test", "engine");

describe("stack config", () => {
  it("fills every default from one place", () => {
    const config = parse(required);

    expect(config).toMatchObject({
      namePrefix: "engine-test",
      logLevel: "INFO",
      logRetentionDays: 14,
      protect: false,
      trigger: { source: "cc-native.decision", detailType: "ACTION_APPROVED" },
      gateway: { timeoutMs: 10_000 },
      api: { tenantClaim: "tenant_id", jwtAudience: ["status-api"], corsAllowedOrigins: [] },
    });
  });

  it.each([
    [
      "a missing required key",
      { gatewayUrl: undefined },
      'stack config key "gatewayUrl" must be a non-empty string (it is not set)',
    ],
    [
      "an ill-typed number",
      { toolTimeoutMs: "ten" },
      'stack config key "toolTimeoutMs" must be an integer from 100 to 45000, got "ten"',
    ],
    [
      "a retention CloudWatch does not offer",
      { logRetentionDays: "10" },
      'stack config key "logRetentionDays" must be one of',
    ],
    [
      "a flag that is not true or false",
      { protect: "yes" },
      'stack config key "protect" must be true or false, got "yes"',
    ],
    [
      "a list that is not a list of strings",
      { corsAllowedOrigins: "https://a.example.com" },
      'stack config key "corsAllowedOrigins" must be a list of strings',
    ],
    [
      "an unknown log level",
      { logLevel: "VERBOSE" },
      'stack config key "logLevel" must be one of DEBUG, INFO, WARN, ERROR, got "VERBOSE"',
    ],
    [
      "no gateway secret at all",
      { gatewayClientSecretArn: undefined },
      'stack config key "gatewayClientSecretArn" must be the ARN of a secret',
    ],
    ["an empty audience list", { jwtAudience: "[]" }, 'stack config key "jwtAudience" must be a non-empty list'],
  ])("stops on %s, naming the key and what it expects", (_case, override, message) => {
    expect(() => parse({ ...required, ...override })).toThrow(message);
  });
});
