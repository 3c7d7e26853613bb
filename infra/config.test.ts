import { describe, expect, it } from "vitest";
import { parseEngineConfig } from "./config.ts";

const required: Record<string, string> = {
  gatewayUrl: "https://gateway.example.com/mcp",
  gatewayTokenUrl: "https://auth.example.com/oauth2/token",
  gatewayClientId: "client",
  gatewayClientSecretId: "arn:aws:secretsmanager:us-east-1:123456789012:secret:gateway",
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

  it("keeps handler responses out of traces, and a created secret recoverable for 30 days, unless told", () => {
    expect(parse(required)).toMatchObject({ traceResponses: false, gateway: { secretRecoveryWindowDays: 30 } });
    expect(parse({ ...required, traceResponses: "true", secretRecoveryWindowDays: "0" })).toMatchObject({
      traceResponses: true,
      gateway: { secretRecoveryWindowDays: 0 },
    });
  });

  it("leaves executions to X-Ray's default sampling rule unless told a reservoir and rate", () => {
    expect(parse(required).traceSampling).toBeUndefined();
    expect(parse({ ...required, traceSampling: "" }).traceSampling).toBeUndefined();
    expect(parse({ ...required, traceSampling: "0/0.05" }).traceSampling).toEqual({
      reservoirPerSecond: 0,
      fixedRate: 0.05,
    });
    expect(parse({ ...required, traceSampling: " 1 / 1 " }).traceSampling).toEqual({
      reservoirPerSecond: 1,
      fixedRate: 1,
    });
  });

  it.each(["5%", "1", "1/5", "-1/0.5", "1.5/0.5", "1/0.5/2", "one/half"])(
    "stops on a trace sampling that is not a reservoir and a rate from 0 to 1: %s",
    (traceSampling) => {
      expect(() => parse({ ...required, traceSampling })).toThrow(
        `stack config key "traceSampling" must be "reservoir/rate"`,
      );
    },
  );

  it("deploys a Standard workflow unless told EXPRESS", () => {
    expect(parse(required).workflowType).toBe("STANDARD");
    expect(parse({ ...required, workflowType: "EXPRESS" }).workflowType).toBe("EXPRESS");
  });

  it("logs the state machine's failures unless told another level, for either workflow type", () => {
    expect(parse(required).workflowLogLevel).toBe("ERROR");
    expect(parse({ ...required, workflowType: "EXPRESS" }).workflowLogLevel).toBe("ERROR");
    expect(parse({ ...required, workflowLogLevel: "ALL" }).workflowLogLevel).toBe("ALL");
    expect(parse({ ...required, workflowLogLevel: "OFF" }).workflowLogLevel).toBe("OFF");
  });

  it.each([
    "engine/prod/gateway-client-secret",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:engine/prod/gateway-client-secret",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:engine/prod/gateway-client-secret-AbC123",
  ])("takes the gateway secret as a name, partial ARN or full ARN: %s", (secretId) => {
    expect(parse({ ...required, gatewayClientSecretId: secretId }).gateway.clientSecretId).toBe(secretId);
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
      'stack config key "toolTimeoutMs" must be an integer from 100 to 12000, got "ten"',
    ],
    [
      "a retention CloudWatch does not offer",
      { logRetentionDays: "10" },
      'stack config key "logRetentionDays" must be one of',
    ],
    [
      "a workflow type Step Functions does not have",
      { workflowType: "express" },
      'stack config key "workflowType" must be one of STANDARD, EXPRESS, got "express"',
    ],
    [
      "a log level Step Functions does not have",
      { workflowLogLevel: "INFO" },
      'stack config key "workflowLogLevel" must be one of ALL, ERROR, FATAL, OFF, got "INFO"',
    ],
    [
      "no state machine logs for an Express workflow, whose logs are its only history",
      { workflowType: "EXPRESS", workflowLogLevel: "OFF" },
      'stack config key "workflowLogLevel" must be ALL, ERROR or FATAL with workflowType EXPRESS: an Express workflow keeps no execution history, so its logs are all Step Functions records of an execution, got "OFF"',
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
      { gatewayClientSecretId: undefined },
      'stack config key "gatewayClientSecretId" must be the name or ARN of a secret',
    ],
    [
      "the gateway secret under its old key",
      { gatewayClientSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:gateway" },
      'stack config key "gatewayClientSecretArn" must be renamed to "gatewayClientSecretId"',
    ],
    [
      "a gateway secret that is neither a name nor a secret ARN",
      { gatewayClientSecretId: "arn:aws:ssm:us-east-1:123456789012:parameter/gateway" },
      'stack config key "gatewayClientSecretId" must be a Secrets Manager secret name, partial ARN or full ARN',
    ],
    [
      "a recovery window Secrets Manager refuses (1 to 6 days)",
      { secretRecoveryWindowDays: "5" },
      'stack config key "secretRecoveryWindowDays" must be 0 or an integer from 7 to 30, got "5"',
    ],
    [
      "a recovery window over 30 days",
      { secretRecoveryWindowDays: "31" },
      'stack config key "secretRecoveryWindowDays" must be an integer from 0 to 30, got "31"',
    ],
    ["an empty audience list", { jwtAudience: "[]" }, 'stack config key "jwtAudience" must be a non-empty list'],
  ])("stops on %s, naming the key and what it expects", (_case, override, message) => {
    expect(() => parse({ ...required, ...override })).toThrow(message);
  });
});

describe("Lambda concurrency", () => {
  it("reserves nothing and takes Lambda's default account limit unless told", () => {
    expect(parse(required).lambdaConcurrency).toEqual({ accountLimit: 1000, reserved: {} });
  });

  it("reads reserved concurrency per function, 0 included (a stopped function)", () => {
    const config = parse({
      ...required,
      lambdaAccountConcurrency: "500",
      reservedConcurrency: '{"tool-invoker": 20, "compensation": 0}',
    });

    expect(config.lambdaConcurrency).toEqual({ accountLimit: 500, reserved: { "tool-invoker": 20, compensation: 0 } });
  });

  it.each([
    ["not a map", "[5]"],
    ["a function the engine does not have", '{"tool-caller": 5}'],
    ["a count that is not a whole number", '{"tool-invoker": 2.5}'],
    ["a negative count", '{"tool-invoker": -1}'],
  ])("stops on reserved concurrency that is %s, naming the functions", (_case, value) => {
    expect(() => parse({ ...required, reservedConcurrency: value })).toThrow(
      /stack config key "reservedConcurrency" must be a map of function id \(execution-starter, .*status-api\) to an integer of 0 or more/,
    );
  });

  // https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html: at least 100 stay unreserved.
  it("stops on reservations that leave fewer than 100 of the account's executions unreserved", () => {
    expect(() =>
      parse({
        ...required,
        lambdaAccountConcurrency: "150",
        reservedConcurrency: '{"tool-invoker": 40, "status-api": 11}',
      }),
    ).toThrow(
      "must be at most 50 reserved in all: Lambda keeps 100 of the account's 150 (lambdaAccountConcurrency) unreserved",
    );
    expect(
      parse({
        ...required,
        lambdaAccountConcurrency: "150",
        reservedConcurrency: '{"tool-invoker": 40, "status-api": 10}',
      }).lambdaConcurrency.reserved,
    ).toEqual({ "tool-invoker": 40, "status-api": 10 });
  });
});
