// The AWS-side engines the functions talk to, on loopback: DynamoDB Local with the engine's tables and the
// demo registry, s3rver with the artifacts bucket, the Secrets Manager stand-in holding the gateway's client
// secret, the PutEvents endpoint, and the demo MCP gateway. Shared by the local engine and the benchmark.
// Local IAM (local/iam/) stands in front of DynamoDB, S3, EventBridge and Secrets Manager: a request signed
// with a function's credentials is served only when that function's role policy allows it.
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { type EngineConfig, parseEngineConfig } from "../infra/config.ts";
import type { EngineResourceNames } from "../infra/functions/environment.ts";
import { readStackConfig } from "../infra/synth.ts";
import { LOCAL_CREDENTIALS } from "./credentials.ts";
import { demoRegistry } from "./demo-data.ts";
import { type DemoGateway, type DemoGatewayOptions, startDemoGateway } from "./demo-gateway/index.ts";
import { startDynamoDbLocal } from "./dynamodb-local.ts";
import { type LocalEventBus, startEventBus } from "./event-bus.ts";
import { LOCAL_REGION } from "./iam/arns.ts";
import { type AuthorizationDecision, createLocalIam, type LocalIam } from "./iam/authorizer.ts";
import { dynamodbGuard } from "./iam/dynamodb-guard.ts";
import { type RequestGuard, startGuardProxy } from "./iam/guard-proxy.ts";
import { startObjectStore } from "./object-store.ts";
import type { PortChoice } from "./ports.ts";
import { type LocalSecretsManager, startSecretsManager } from "./secrets-manager.ts";
import { createMissingTables, type TableNames, tableNamesFor } from "./tables.ts";

export { LOCAL_CREDENTIALS, LOCAL_REGION };

export interface LocalServicesOptions {
  /** Names the bucket, bus and secret, and (unless `tablePrefix` is given) the tables. */
  namePrefix: string;
  tablePrefix?: string;
  /** An existing DynamoDB endpoint; DynamoDB Local is started when absent. */
  dynamodbEndpoint?: string;
  /** 0 (the default for each) binds any free port. */
  ports?: Partial<PortChoice>;
  gateway?: Pick<DemoGatewayOptions, "mode" | "response" | "deduplicate">;
  /** Local IAM in front of the services (the default). Off, any caller may do anything, as before it existed. */
  iam?: boolean;
  /** Told of each request IAM refuses a function; the default prints it on stderr. */
  onIamDenial?: (decision: AuthorizationDecision, message: string) => void;
  /**
   * Keep DynamoDB Local's tables (`dynamodb/`) and the bucket's objects (`s3/`) in this directory across
   * restarts; without it both live only until stop.
   */
  stateDirectory?: string;
  /** The owner handles Ctrl-C itself: DynamoDB Local ignores the terminal's SIGINT and stops with `stop()`. */
  ignoreInterrupt?: boolean;
}

export interface LocalServices {
  dynamodbEndpoint: string;
  s3Endpoint: string;
  secretsManagerEndpoint: string;
  secrets: LocalSecretsManager;
  bus: LocalEventBus;
  /** Issues functions their credentials and keeps every decision on their requests; absent with `iam: false`. */
  iam?: LocalIam;
  /**
   * The engines behind the guarded endpoints above, with the guards' judges: a front that proxies the
   * functions' requests anyway (local/faults/) judges them in its own hop and skips the guard's.
   */
  guards: { dynamodb?: RequestGuard; s3?: RequestGuard };
  gateway: DemoGateway;
  tables: TableNames;
  /** The physical names a function's environment refers to (infra/functions/environment.ts). */
  names: EngineResourceNames;
  /** The SDK configuration every function gets: region, credentials, and each service's endpoint. */
  awsEnvironment: Record<string, string>;
  /** A plain document client on the local DynamoDB, for what upstream and operators write. */
  db: DynamoDBDocumentClient;
  stop(): Promise<void>;
}

export async function startLocalServices(options: LocalServicesOptions): Promise<LocalServices> {
  const ports = options.ports ?? {};
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stoppers.splice(0).reverse()) await stopOne();
  };
  const iam =
    options.iam === false
      ? undefined
      : createLocalIam({
          onDenial:
            options.onIamDenial ??
            ((decision, message) => console.error(`local IAM refused ${decision.functionId}: ${message}`)),
        });
  try {
    let dynamodbEndpoint = options.dynamodbEndpoint;
    if (!dynamodbEndpoint) {
      // Behind the guard, DynamoDB Local takes any free port and the guard the configured one.
      const dynamodb = await startDynamoDbLocal({
        port: iam ? undefined : ports.dynamodb || undefined,
        ...(options.stateDirectory ? { directory: join(options.stateDirectory, "dynamodb") } : {}),
        ignoreInterrupt: options.ignoreInterrupt,
      });
      stoppers.push(dynamodb.stop);
      dynamodbEndpoint = dynamodb.endpoint;
    }
    const dynamodbIam = iam && dynamodbGuard(dynamodbEndpoint, iam);
    if (dynamodbIam) {
      const proxy = await startGuardProxy(dynamodbIam, ports.dynamodb);
      stoppers.push(proxy.stop);
      dynamodbEndpoint = proxy.endpoint;
    }
    const [objectStore, secrets, bus, gateway] = await Promise.all([
      startObjectStore({
        bucket: `${options.namePrefix}-artifacts`,
        port: ports.s3,
        iam,
        ...(options.stateDirectory ? { directory: join(options.stateDirectory, "s3") } : {}),
      }),
      startSecretsManager({ port: ports.secrets, iam }),
      startEventBus({ port: ports.events, buses: [options.namePrefix], iam }),
      startDemoGateway({ mode: "stateful", response: "sse", port: ports.gateway, ...options.gateway }),
    ]);
    stoppers.push(objectStore.stop, secrets.stop, bus.stop, gateway.stop);
    const gatewaySecretId = `${options.namePrefix}/gateway-client-secret`;
    secrets.putSecret(gatewaySecretId, gateway.clientSecret);

    const tables = tableNamesFor(options.tablePrefix ?? options.namePrefix);
    const client = new DynamoDBClient({
      endpoint: dynamodbEndpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    stoppers.push(async () => client.destroy());
    await createMissingTables(client, tables);
    const db = DynamoDBDocumentClient.from(client);
    await seedDemoRegistry(db, tables.registry);

    return {
      dynamodbEndpoint,
      s3Endpoint: objectStore.endpoint,
      secretsManagerEndpoint: secrets.endpoint,
      secrets,
      bus,
      ...(iam ? { iam } : {}),
      guards: {
        ...(dynamodbIam ? { dynamodb: dynamodbIam } : {}),
        ...(objectStore.guard ? { s3: objectStore.guard } : {}),
      },
      gateway,
      tables,
      names: { tables, artifactsBucket: objectStore.bucket, eventBusName: options.namePrefix, gatewaySecretId },
      awsEnvironment: {
        AWS_REGION: LOCAL_REGION,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
        AWS_ENDPOINT_URL_S3: objectStore.endpoint,
        AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
        S3_FORCE_PATH_STYLE: "true",
        // Lambda sets this; Powertools reads it to know it runs in a function.
        AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
      },
      db,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Writes each demo registry entry that is not there yet: an entry an operator changed stays as they left it. */
async function seedDemoRegistry(db: DynamoDBDocumentClient, tableName: string): Promise<void> {
  for (const item of demoRegistry) {
    try {
      await db.send(
        new PutCommand({ TableName: tableName, Item: item, ConditionExpression: "attribute_not_exists(action_type)" }),
      );
    } catch (error) {
      if ((error as { name?: unknown }).name !== "ConditionalCheckFailedException") throw error;
    }
  }
}

/** A stack's configuration with its gateway pointed at the local demo gateway, plus any other overrides. */
export function localStackConfig(
  stack: "dev" | "prod",
  services: Pick<LocalServices, "gateway" | "names">,
  overrides: Record<string, string> = {},
): EngineConfig {
  const { project, config } = readStackConfig(stack);
  const values: Record<string, string> = {
    gatewayUrl: services.gateway.url,
    gatewayTokenUrl: services.gateway.tokenUrl,
    gatewayClientId: services.gateway.clientId,
    gatewayClientSecretId: services.names.gatewaySecretId,
    toolTimeoutMs: "5000",
    ...overrides,
  };
  return parseEngineConfig(
    { get: (key) => values[key] ?? config[`${project}:${key}`], getSecret: () => undefined },
    stack,
    project,
  );
}
