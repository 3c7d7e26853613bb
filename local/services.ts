// The AWS-side engines the functions talk to, on loopback: DynamoDB Local with the engine's tables and the
// demo registry, s3rver with the artifacts bucket, the Secrets Manager stand-in holding the gateway's client
// secret, the PutEvents endpoint, and the demo MCP gateway. Shared by the local engine and the benchmark.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { type EngineConfig, parseEngineConfig } from "../infra/config.ts";
import type { EngineResourceNames } from "../infra/functions/environment.ts";
import { readStackConfig } from "../infra/synth.ts";
import { demoRegistry } from "./demo-data.ts";
import { type DemoGateway, type DemoGatewayOptions, startDemoGateway } from "./demo-gateway/index.ts";
import { startDynamoDbLocal } from "./dynamodb-local.ts";
import { type LocalEventBus, startEventBus } from "./event-bus.ts";
import { startObjectStore } from "./object-store.ts";
import type { PortChoice } from "./ports.ts";
import { startSecretsManager } from "./secrets-manager.ts";
import { createTables, type TableNames, tableNamesFor } from "./tables.ts";

export const LOCAL_REGION = "us-east-1";
/** s3rver accepts only its built-in account; every other local engine accepts any credentials. */
export const LOCAL_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

export interface LocalServicesOptions {
  /** Names the bucket, bus and secret, and (unless `tablePrefix` is given) the tables. */
  namePrefix: string;
  tablePrefix?: string;
  /** An existing DynamoDB endpoint; DynamoDB Local is started when absent. */
  dynamodbEndpoint?: string;
  /** 0 (the default for each) binds any free port. */
  ports?: Partial<PortChoice>;
  gateway?: Pick<DemoGatewayOptions, "mode" | "response">;
}

export interface LocalServices {
  dynamodbEndpoint: string;
  s3Endpoint: string;
  secretsManagerEndpoint: string;
  bus: LocalEventBus;
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
  try {
    let dynamodbEndpoint = options.dynamodbEndpoint;
    if (!dynamodbEndpoint) {
      const dynamodb = await startDynamoDbLocal({ port: ports.dynamodb || undefined });
      stoppers.push(dynamodb.stop);
      dynamodbEndpoint = dynamodb.endpoint;
    }
    const [objectStore, secrets, bus, gateway] = await Promise.all([
      startObjectStore({ bucket: `${options.namePrefix}-artifacts`, port: ports.s3 }),
      startSecretsManager({ port: ports.secrets }),
      startEventBus({ port: ports.events }),
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
    await createTables(client, tables);
    const db = DynamoDBDocumentClient.from(client);
    for (const item of demoRegistry) await db.send(new PutCommand({ TableName: tables.registry, Item: item }));

    return {
      dynamodbEndpoint,
      s3Endpoint: objectStore.endpoint,
      secretsManagerEndpoint: secrets.endpoint,
      bus,
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
