import { describe, expect, it } from "vitest";
import { tables } from "../../functions/kernel/data-layout.ts";
import { installPulumiMocks, outputValue } from "../testing/pulumi-mocks.ts";

const resources = installPulumiMocks();
const { engineFunctions: catalog } = await import("../catalog.ts");
const engineFunctions = catalog as readonly import("../catalog.ts").EngineFunction[];
const { parseEngineConfig } = await import("../config.ts");
const { EngineFunctions } = await import("./index.ts");
const { policyDocumentFor } = await import("./permissions.ts");
const { environmentFor } = await import("./environment.ts");
const { loadTemplate } = await import("../workflow/definition.ts");

const config = parseEngineConfig(
  {
    get: (key) =>
      ({
        gatewayUrl: "https://gateway.example.com/mcp",
        gatewayTokenUrl: "https://auth.example.com/oauth2/token",
        gatewayClientId: "client",
        gatewayClientSecretId: "arn:aws:secretsmanager:us-east-1:123456789012:secret:gateway",
        jwtIssuer: "https://issuer.example.com",
        jwtAudience: '["api"]',
        logRetentionDays: "30",
        reservedConcurrency: '{"tool-invoker": 20}',
      })[key],
    getSecret: () => undefined,
  },
  "test",
  "engine",
);

const tableArn = (table: string) => `arn:aws:dynamodb:us-east-1:123456789012:table/engine-test-${table}`;
const arns = {
  tables: Object.fromEntries(Object.keys(tables).map((table) => [table, tableArn(table)])) as never,
  artifactsBucketArn: "arn:aws:s3:::engine-artifacts",
  gatewaySecret: { arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:gateway-AbC123" },
  eventBusArn: "arn:aws:events:us-east-1:123456789012:event-bus/engine",
  logGroupArn: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn",
};
const byId = (id: string) => engineFunctions.find((fn) => fn.id === id) as (typeof engineFunctions)[number];
const resourcesOf = (id: string) =>
  policyDocumentFor(byId(id), arns).Statement.flatMap((statement) => statement.Resource);

describe("function permissions", () => {
  it("give each function only the tables, actions and keys it uses", () => {
    expect(policyDocumentFor(byId("execution-starter"), arns).Statement.filter((s) => s.Sid.endsWith("Table"))).toEqual(
      [
        { Sid: "IntentsTable", Effect: "Allow", Action: ["dynamodb:GetItem"], Resource: [tableArn("intents")] },
        { Sid: "ExecutionsTable", Effect: "Allow", Action: ["dynamodb:PutItem"], Resource: [tableArn("executions")] },
      ],
    );
    expect(resourcesOf("status-api")).toEqual(
      expect.arrayContaining([tableArn("executions"), `${tableArn("executions")}/index/*`, tableArn("intents")]),
    );
    expect(resourcesOf("tool-invoker")).toEqual([
      `${arns.logGroupArn}:*`,
      "*",
      tableArn("idempotency"),
      "arn:aws:s3:::engine-artifacts/*",
      arns.gatewaySecret.arn,
    ]);
    expect(policyDocumentFor(byId("tool-invoker"), arns).Statement.find((s) => s.Sid === "IdempotencyTable")).toEqual({
      Sid: "IdempotencyTable",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
      Resource: [tableArn("idempotency")],
    });
  });

  it("never grant a function a table, bucket, secret or bus its catalog entry does not name", () => {
    for (const fn of engineFunctions) {
      const granted = resourcesOf(fn.id);
      const named = Object.keys(fn.access.tables ?? {});
      for (const table of Object.keys(tables)) {
        expect(granted.includes(tableArn(table)), `${fn.id} on ${table}`).toBe(named.includes(table));
      }
      expect(granted.includes(arns.gatewaySecret.arn), `${fn.id} secret`).toBe(Boolean(fn.access.gateway));
      expect(granted.includes(arns.eventBusArn), `${fn.id} bus`).toBe(Boolean(fn.access.signals));
      expect(granted.includes(`${arns.artifactsBucketArn}/*`), `${fn.id} bucket`).toBe(Boolean(fn.access.artifacts));
    }
  });

  it("let the tool-calling functions decrypt the secret's customer-managed key, only through Secrets Manager", () => {
    const kmsKeyArn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const withKey = { ...arns, gatewaySecret: { ...arns.gatewaySecret, kmsKeyArn } };

    for (const fn of engineFunctions) {
      const decrypt = policyDocumentFor(fn, withKey).Statement.filter((statement) =>
        [statement.Action].flat().some((action) => action.startsWith("kms:")),
      );
      expect(decrypt, fn.id).toEqual(
        fn.access.gateway
          ? [
              {
                Sid: "DecryptGatewayClientSecret",
                Effect: "Allow",
                Action: ["kms:Decrypt"],
                Resource: [kmsKeyArn],
                Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } },
              },
            ]
          : [],
      );
    }
  });

  it("grant no KMS action for a secret under the AWS-managed key", () => {
    for (const fn of engineFunctions) {
      expect(JSON.stringify(policyDocumentFor(fn, arns)), fn.id).not.toContain("kms:");
    }
  });

  it("time each function out before its state does", () => {
    const states = Object.values(loadTemplate().States) as { Resource?: string; TimeoutSeconds?: number }[];
    for (const fn of engineFunctions.filter((candidate) => candidate.placeholder)) {
      const state = states.find((candidate) => candidate.Resource === `\${${fn.placeholder}}`);
      expect(fn.timeoutSeconds, fn.id).toBeLessThan(state?.TimeoutSeconds ?? 0);
    }
  });
});

describe("function environment", () => {
  const names = {
    tables: Object.fromEntries(Object.keys(tables).map((table) => [table, `engine-test-${table}`])) as never,
    artifactsBucket: "engine-artifacts",
    eventBusName: "engine-bus",
    gatewaySecretId: arns.gatewaySecret.arn,
  };

  it("names exactly the tables a function reads, plus its own settings", () => {
    expect(environmentFor(byId("execution-validator"), config, names)).toEqual({
      POWERTOOLS_SERVICE_NAME: "execution-validator",
      POWERTOOLS_LOG_LEVEL: "INFO",
      POWERTOOLS_METRICS_NAMESPACE: "ActionExecutionEngine",
      POWERTOOLS_TRACER_CAPTURE_RESPONSE: "false",
      INTENTS_TABLE_NAME: "engine-test-intents",
      CONTROLS_TABLE_NAME: "engine-test-controls",
      GLOBAL_KILL_SWITCH: "false",
    });
  });

  it("gives the tool-calling functions the gateway settings and the recorders the bus", () => {
    expect(environmentFor(byId("tool-invoker"), config, names)).toMatchObject({
      GATEWAY_URL: "https://gateway.example.com/mcp",
      GATEWAY_CLIENT_SECRET_ID: arns.gatewaySecret.arn,
      TOOL_TIMEOUT_MS: "10000",
      ARTIFACTS_BUCKET: "engine-artifacts",
      IDEMPOTENCY_TABLE_NAME: "engine-test-idempotency",
    });
    expect(environmentFor(byId("execution-recorder"), config, names)).toMatchObject({
      EVENT_BUS_NAME: "engine-bus",
      SIGNAL_SOURCE: "cc-native.execution",
    });
  });
});

describe("function bundles", () => {
  it("are minified ESM that can still require Node built-ins, with the contract validators inside", async () => {
    const { bundleFunction } = await import("../bundle.ts");

    const bundle = await bundleFunction(byId("execution-starter").entry);

    expect(
      bundle.code.startsWith("import { createRequire } from 'module'; const require = createRequire(import.meta.url);"),
    ).toBe(true);
    expect(bundle.code).toMatch(/export\s*\{[^}]*\bhandler\b/);
    expect(bundle.code).toContain("must have required property");
    expect(bundle.code).not.toContain("validators.generated");
    // Minifying renames classes; the names the state machine matches on must survive as strings.
    for (const name of ["TransientError", "PermanentError", "ValidationError", "IntentNotFoundError"]) {
      expect(bundle.code, name).toContain(`"${name}"`);
    }
  });
});

describe("EngineFunctions component", () => {
  const component = new EngineFunctions("functions", {
    config,
    tables: Object.fromEntries(
      Object.keys(tables).map((table) => [table, { name: `engine-test-${table}`, arn: tableArn(table) }]),
    ) as never,
    artifactsBucket: { name: "engine-artifacts", arn: arns.artifactsBucketArn },
    eventBus: { name: "engine-bus", arn: arns.eventBusArn },
    gatewaySecret: arns.gatewaySecret,
  });

  const deployed = Promise.all(Object.values(component.functions).map((fn) => outputValue(fn.arn)));

  it("deploys every function on nodejs24.x, arm64, from an archive of its bundle", async () => {
    await deployed;
    const lambdas = resources.filter((resource) => resource.type === "aws:lambda/function:Function");

    expect(lambdas).toHaveLength(engineFunctions.length);
    for (const lambda of lambdas) {
      expect(lambda.inputs).toMatchObject({
        runtime: "nodejs24.x",
        architectures: ["arm64"],
        handler: "index.handler",
      });
    }
    expect(lambdas.every((lambda) => (lambda.inputs.code as { __pulumiArchive?: boolean }).__pulumiArchive)).toBe(true);
  });

  // An HTTP API starts no X-Ray traces (https://docs.aws.amazon.com/xray/latest/devguide/xray-services-apigateway.html):
  // with Active, each status read would become a trace of its own; PassThrough follows a caller's decision only
  // (https://docs.aws.amazon.com/lambda/latest/api/API_TracingConfig.html).
  it("traces the state machine's functions Active and the status function PassThrough", async () => {
    await deployed;
    const lambdas = resources.filter((resource) => resource.type === "aws:lambda/function:Function");

    expect(Object.fromEntries(lambdas.map((lambda) => [lambda.inputs.name, lambda.inputs.tracingConfig]))).toEqual(
      Object.fromEntries(
        engineFunctions.map((fn) => [
          `engine-test-${fn.id}`,
          { mode: fn.id === "status-api" ? "PassThrough" : "Active" },
        ]),
      ),
    );
  });

  it("creates each function only after its role policy, so its first call to X-Ray is allowed", async () => {
    await deployed;
    const lambdas = resources.filter((resource) => resource.type === "aws:lambda/function:Function");

    for (const lambda of lambdas) {
      expect(lambda.dependencies, lambda.name).toContainEqual(
        expect.stringMatching(new RegExp(`\\$aws:iam/rolePolicy:RolePolicy::${lambda.name}-policy$`)),
      );
    }
  });

  it("sets each function's Lambda log levels from the stack's", async () => {
    await deployed;
    const lambdas = resources.filter((resource) => resource.type === "aws:lambda/function:Function");

    for (const lambda of lambdas) {
      expect(lambda.inputs.loggingConfig, lambda.name).toMatchObject({
        logFormat: "JSON",
        applicationLogLevel: "INFO",
        systemLogLevel: "INFO",
      });
    }
  });

  it("reserves concurrency for the functions the stack names, and leaves the others unreserved", async () => {
    await deployed;
    const lambdas = resources.filter((resource) => resource.type === "aws:lambda/function:Function");

    expect(
      Object.fromEntries(lambdas.map((lambda) => [lambda.inputs.name, lambda.inputs.reservedConcurrentExecutions])),
    ).toEqual(
      Object.fromEntries(
        engineFunctions.map((fn) => [`engine-test-${fn.id}`, fn.id === "tool-invoker" ? 20 : undefined]),
      ),
    );
  });

  it("gives every function its own log group with the configured retention, and its own role", async () => {
    await deployed;
    const logGroups = resources.filter((resource) => resource.type === "aws:cloudwatch/logGroup:LogGroup");
    const roles = resources.filter((resource) => resource.type === "aws:iam/role:Role");

    expect(logGroups.map((group) => group.inputs.retentionInDays)).toEqual(engineFunctions.map(() => 30));
    expect(new Set(roles.map((role) => role.name)).size).toBe(engineFunctions.length);
  });
});
