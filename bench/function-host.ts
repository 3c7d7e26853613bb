// The engine's functions in one process, from source, against the same local engines `npm start` uses
// (DynamoDB Local, s3rver, the Secrets Manager stand-in, the PutEvents endpoint, the demo MCP gateway),
// which may run in another process (startLocalServices there, hostFunctions here).
// Each function reads its configuration from the environment the stack gives it (infra/functions/
// environment.ts with the stack's parsed config, pointed at the local engines), so the handlers are
// exactly the deployed pipelines, only not bundled. Measurements that must see inside a function (SDK
// round trips, the pipeline against the bare business function) run here; those that must see the
// deployable bundles run on the local engine (local/engine.ts).
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { Context } from "aws-lambda";
import { type EngineFunctionId, engineFunctions } from "../infra/catalog.ts";
import { type EngineConfig, parseEngineConfig } from "../infra/config.ts";
import { environmentFor } from "../infra/functions/environment.ts";
import { readStackConfig } from "../infra/synth.ts";
import { demoRegistry } from "../local/demo-data.ts";
import { type DemoGateway, startDemoGateway } from "../local/demo-gateway/index.ts";
import { startDynamoDbLocal } from "../local/dynamodb-local.ts";
import { type LocalEventBus, startEventBus } from "../local/event-bus.ts";
import { lambdaContext } from "../local/lambda-context.ts";
import { startObjectStore } from "../local/object-store.ts";
import { startSecretsManager } from "../local/secrets-manager.ts";
import { createTables, type TableNames, tableNamesFor } from "../local/tables.ts";

const REGION = "us-east-1";
/** s3rver accepts only its built-in account; the other local engines accept any credentials. */
const CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
const SECRET_ID = "engine-bench/gateway-client-secret";
const BUCKET = "engine-bench-artifacts";
const BUS = "engine-bench";

export interface LocalServicesOptions {
  /** An existing DynamoDB endpoint; DynamoDB Local is started when absent. */
  dynamodbEndpoint?: string;
  tablePrefix: string;
  /** The stack whose configuration (log level, settings) the functions get; the gateway is always the demo one. */
  stack?: "dev" | "prod";
}

/** Everything a process needs to host the functions against running local engines; plain JSON. */
export interface ServicesDescriptor {
  /** Every function's environment, merged (their variables do not conflict; one Powertools service name). */
  environment: Record<string, string>;
  tables: TableNames;
  tenantClaim: string;
  endpoints: { dynamodb: string; s3: string; eventBridge: string; secretsManager: string; gateway: string };
}

export interface LocalServices {
  descriptor: ServicesDescriptor;
  config: EngineConfig;
  gateway: DemoGateway;
  bus: LocalEventBus;
  stop(): Promise<void>;
}

/** The stack's configuration, its gateway pointed at the demo gateway (as local/engine.ts does for dev). */
export function localStackConfig(stack: "dev" | "prod", gateway: DemoGateway): EngineConfig {
  const { project, config } = readStackConfig(stack);
  const overrides: Record<string, string> = {
    gatewayUrl: gateway.url,
    gatewayTokenUrl: gateway.tokenUrl,
    gatewayClientId: gateway.clientId,
    gatewayClientSecretArn: SECRET_ID,
    toolTimeoutMs: "5000",
    globalKillSwitch: "false",
  };
  return parseEngineConfig(
    { get: (key) => overrides[key] ?? config[`${project}:${key}`], getSecret: () => undefined },
    stack,
    project,
  );
}

/** Starts the local engines, creates the tables and seeds the demo registry. Touches no process.env. */
export async function startLocalServices(options: LocalServicesOptions): Promise<LocalServices> {
  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stoppers.splice(0).reverse()) await stop();
  };
  try {
    let dynamodbEndpoint = options.dynamodbEndpoint;
    if (!dynamodbEndpoint) {
      const dynamodb = await startDynamoDbLocal();
      stoppers.push(dynamodb.stop);
      dynamodbEndpoint = dynamodb.endpoint;
    }
    const [objectStore, secrets, bus, gateway] = await Promise.all([
      startObjectStore({ bucket: BUCKET }),
      startSecretsManager(),
      startEventBus(),
      startDemoGateway({ mode: "stateful", response: "sse" }),
    ]);
    stoppers.push(objectStore.stop, secrets.stop, bus.stop, gateway.stop);
    secrets.putSecret(SECRET_ID, gateway.clientSecret);

    const tables = tableNamesFor(options.tablePrefix);
    const client = new DynamoDBClient({ endpoint: dynamodbEndpoint, region: REGION, credentials: CREDENTIALS });
    try {
      await createTables(client, tables);
      const db = DynamoDBDocumentClient.from(client);
      for (const item of demoRegistry) await db.send(new PutCommand({ TableName: tables.registry, Item: item }));
    } finally {
      client.destroy();
    }

    const config = localStackConfig(options.stack ?? "prod", gateway);
    const names = { tables, artifactsBucket: BUCKET, eventBusName: BUS, gatewaySecretId: SECRET_ID };
    const environment: Record<string, string> = {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
      AWS_ENDPOINT_URL_S3: objectStore.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      S3_FORCE_PATH_STYLE: "true",
      AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
      ...Object.assign({}, ...engineFunctions.map((fn) => environmentFor(fn, config, names))),
      POWERTOOLS_SERVICE_NAME: "engine-bench",
    };
    return {
      descriptor: {
        environment,
        tables,
        tenantClaim: config.api.tenantClaim,
        endpoints: {
          dynamodb: dynamodbEndpoint,
          s3: objectStore.endpoint,
          eventBridge: bus.endpoint,
          secretsManager: secrets.endpoint,
          gateway: gateway.origin,
        },
      },
      config,
      gateway,
      bus,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** This process as the functions' host: their environment set, a plain client for seeding. */
export interface FunctionHost {
  services: ServicesDescriptor;
  /** A plain document client (not the functions' own) for seeding. */
  db: DynamoDBDocumentClient;
  /** Puts process.env back as it was and closes the seeding client. */
  release(): void;
}

/** Sets process.env for every function. Call before importing any handler: they read it at import. */
export function hostFunctions(services: ServicesDescriptor): FunctionHost {
  const previous = Object.fromEntries(Object.keys(services.environment).map((key) => [key, process.env[key]]));
  Object.assign(process.env, services.environment);
  const client = new DynamoDBClient({
    endpoint: services.endpoints.dynamodb,
    region: REGION,
    credentials: CREDENTIALS,
  });
  return {
    services,
    db: DynamoDBDocumentClient.from(client),
    release() {
      client.destroy();
      for (const [key, value] of Object.entries(previous)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    },
  };
}

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/** Imports every handler module; the environment must be in place first (configuration is read at import). */
export async function loadEngineFunctions() {
  const [
    starter,
    validator,
    mapper,
    invoker,
    compensation,
    recorder,
    failureRecorder,
    statusApi,
    dynamodb,
    s3,
    eventBridge,
    gateway,
    recordingConfig,
  ] = await Promise.all([
    import("../functions/execution-starter/handler.ts"),
    import("../functions/execution-validator/handler.ts"),
    import("../functions/tool-mapper/handler.ts"),
    import("../functions/tool-invoker/handler.ts"),
    import("../functions/compensation/handler.ts"),
    import("../functions/execution-recorder/handler.ts"),
    import("../functions/execution-failure-recorder/handler.ts"),
    import("../functions/status-api/handler.ts"),
    import("../functions/kernel/clients/dynamodb.ts"),
    import("../functions/kernel/clients/s3.ts"),
    import("../functions/kernel/clients/eventbridge.ts"),
    import("../functions/kernel/mcp/gateway.ts"),
    import("../functions/kernel/config.ts"),
  ]);
  const handlers: Record<EngineFunctionId, LambdaHandler> = {
    "execution-starter": starter.handler as LambdaHandler,
    "execution-validator": validator.handler as LambdaHandler,
    "tool-mapper": mapper.handler as LambdaHandler,
    "tool-invoker": invoker.handler as LambdaHandler,
    compensation: compensation.handler as LambdaHandler,
    "execution-recorder": recorder.handler as LambdaHandler,
    "execution-failure-recorder": failureRecorder.handler as LambdaHandler,
    "status-api": statusApi.handler as unknown as LambdaHandler,
  };
  return {
    handlers,
    /** The bare business functions each handler wraps. */
    business: {
      startExecution: starter.startExecution,
      validatePreflight: validator.validatePreflight,
      mapActionToTool: mapper.mapActionToTool,
      invokeTool: invoker.invokeTool,
      compensate: compensation.compensate,
      recordOutcome: recorder.recordOutcome,
      recordFailure: failureRecorder.recordFailure,
      executionStatus: statusApi.executionStatus,
      accountExecutions: statusApi.accountExecutions,
    },
    /** The module-level SDK clients every handler shares in a container. */
    clients: {
      DynamoDB: dynamodb.documentClient,
      S3: s3.s3Client,
      EventBridge: eventBridge.eventBridgeClient,
    },
    connectGateway: gateway.connectGateway,
    readGatewayConfig: gateway.readGatewayConfig,
    readRecordingConfig: recordingConfig.readRecordingConfig,
    tableNameFromEnv: recordingConfig.tableNameFromEnv,
  };
}

export type EngineFunctions = Awaited<ReturnType<typeof loadEngineFunctions>>;

/** Invokes a handler the way the Lambda runtime does, with a fresh context. */
export function invokeHandler(functions: EngineFunctions, id: EngineFunctionId, event: unknown): Promise<unknown> {
  return functions.handlers[id](event, lambdaContext(id));
}
