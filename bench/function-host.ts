// The engine's functions in one process, from source, against the same local engines `npm start` uses
// (DynamoDB Local, s3rver, the Secrets Manager stand-in, the PutEvents endpoint, the demo MCP gateway),
// which may run in another process (startBenchServices there, hostFunctions here).
// Each function reads its configuration from the environment the stack gives it (infra/functions/
// environment.ts with the stack's parsed config, pointed at the local engines), so the handlers are
// exactly the deployed pipelines, only not bundled. Measurements that must see inside a function (SDK
// round trips, the pipeline against the bare business function) run here; those that must see the
// deployable bundles run on the local engine (local/engine.ts).

import { registerHooks } from "node:module";
import { pathToFileURL } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Context } from "aws-lambda";
import { xrayContextModule } from "../infra/bundle-plugins.ts";
import { type EngineFunctionId, engineFunctions } from "../infra/catalog.ts";
import type { EngineConfig } from "../infra/config.ts";
import { environmentFor } from "../infra/functions/environment.ts";
import type { DemoGateway } from "../local/demo-gateway/index.ts";
import type { LocalEventBus } from "../local/event-bus.ts";
import { lambdaContext } from "../local/lambda-context.ts";
import { LOCAL_CREDENTIALS, LOCAL_REGION, localStackConfig, startLocalServices } from "../local/services.ts";
import type { TableNames } from "../local/tables.ts";

export interface BenchServicesOptions {
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

export interface BenchServices {
  descriptor: ServicesDescriptor;
  config: EngineConfig;
  gateway: DemoGateway;
  bus: LocalEventBus;
  stop(): Promise<void>;
}

/** Starts the local engines (local/services.ts) and describes them for a host process. Touches no process.env. */
export async function startBenchServices(options: BenchServicesOptions): Promise<BenchServices> {
  // The handlers run in this process with the caller credentials, which local IAM would allow anyway:
  // without the guards, the measured round trips are the services' own.
  const services = await startLocalServices({
    namePrefix: "engine-bench",
    tablePrefix: options.tablePrefix,
    dynamodbEndpoint: options.dynamodbEndpoint,
    iam: false,
  });
  const config = localStackConfig(options.stack ?? "prod", services);
  const environment: Record<string, string> = {
    ...services.awsEnvironment,
    ...Object.assign({}, ...engineFunctions.map((fn) => environmentFor(fn, config, services.names))),
    POWERTOOLS_SERVICE_NAME: "engine-bench",
  };
  return {
    descriptor: {
      environment,
      tables: services.tables,
      tenantClaim: config.api.tenantClaim,
      endpoints: {
        dynamodb: services.dynamodbEndpoint,
        s3: services.s3Endpoint,
        eventBridge: services.bus.endpoint,
        secretsManager: services.secretsManagerEndpoint,
        gateway: services.gateway.origin,
      },
    },
    config,
    gateway: services.gateway,
    bus: services.bus,
    stop: services.stop,
  };
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
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
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

/** Module hooks stay for the process's life: registered once, however often the functions are loaded. */
let xrayContextHooked = false;

/**
 * Imports every handler module; the environment must be in place first (configuration is read at import).
 * The X-Ray SDK gets the context store the bundles give it (infra/bundle-plugins.ts), so the functions measured
 * here run on the same promise costs as deployed.
 */
export async function loadEngineFunctions() {
  if (!xrayContextHooked) {
    registerHooks({
      resolve: (specifier, context, nextResolve) =>
        specifier === "cls-hooked/context"
          ? { url: pathToFileURL(xrayContextModule).href, shortCircuit: true }
          : nextResolve(specifier, context),
    });
    xrayContextHooked = true;
  }
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
    objectStore,
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
    import("../functions/kernel/clients/object-store.ts"),
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
      createToolInvoker: invoker.createToolInvoker,
      compensate: compensation.compensate,
      recordOutcome: recorder.recordOutcome,
      recordFailure: failureRecorder.recordFailure,
      executionStatus: statusApi.executionStatus,
      accountExecutions: statusApi.accountExecutions,
    },
    /** The module-level SDK clients every handler shares in a container. */
    clients: {
      DynamoDB: dynamodb.documentClient,
      EventBridge: eventBridge.eventBridgeClient,
    },
    /** The artifacts store: S3 over signed fetch, counted on the wire. */
    objectStore: objectStore.objectStore,
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
