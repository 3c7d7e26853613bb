// The engine on one machine: DynamoDB Local, s3rver, a Secrets Manager stand-in, the demo MCP gateway,
// a PutEvents endpoint applying the infra's rule, and the rendered state machine on aws-local-stepfunctions.
// Functions run in this process from their handler modules, configured as Lambda would configure them.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
// The kernel's clients are not imported here: loading them would read Powertools settings before the
// engine has set each function's environment.
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { keys } from "../functions/kernel/data-layout.ts";
import { engineFunctions } from "../infra/catalog.ts";
import { approvedEventPattern, executionInputTransformer, type TriggerConfig } from "../infra/trigger.ts";
import { loadTemplate, renderDefinition, validateTemplate } from "../infra/workflow/definition.ts";
import type { ActionIntent } from "../schemas/records.ts";
import { demoRegistry } from "./demo-data.ts";
import { type DemoGateway, type DemoGatewayOptions, startDemoGateway } from "./demo-gateway/index.ts";
import { type DynamoDbLocal, startDynamoDbLocal } from "./dynamodb-local.ts";
import { type LocalEventBus, startEventBus } from "./event-bus.ts";
import { applyInputTransformer, matchesPattern } from "./event-rules.ts";
import { lambdaContext } from "./lambda-context.ts";
import { startObjectStore } from "./object-store.ts";
import { startSecretsManager } from "./secrets-manager.ts";
import {
  asLambdaFailure,
  createLocalStateMachine,
  type ExecutionReport,
  type LocalFunction,
  type Transition,
} from "./state-machine.ts";
import { createTables, type TableNames, tableEnvironment, tableNamesFor } from "./tables.ts";

export interface LocalEngineOptions {
  /** Use this DynamoDB endpoint (tables are created under `tablePrefix`) instead of starting DynamoDB Local. */
  dynamodbEndpoint?: string;
  tablePrefix?: string;
  gateway?: Pick<DemoGatewayOptions, "mode" | "response">;
  trigger?: TriggerConfig;
  /** Milliseconds between state-machine retries instead of the deployed backoff. */
  retryIntervalMs?: number;
  onTransition?: (transition: Transition, executionArn: string, input: unknown) => void;
  onExecutionEnd?: (report: ExecutionReport) => void;
}

export interface LocalEngine {
  tables: TableNames;
  bus: LocalEventBus;
  gateway: DemoGateway;
  trigger: TriggerConfig;
  /** Writes an intent the way the decision layer does. */
  storeIntent(intent: ActionIntent): Promise<void>;
  /** Every execution that has ended, in the order they ended. */
  executions: ExecutionReport[];
  /** Resolves when no execution is in flight. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export const LOCAL_REGION = "us-east-1";
const LOCAL_ACCOUNT = "000000000000";
const functionArn = (id: string) => `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:engine-local-${id}`;

export async function startLocalEngine(options: LocalEngineOptions = {}): Promise<LocalEngine> {
  const trigger = options.trigger ?? { source: "cc-native.decision", detailType: "ACTION_APPROVED" };
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stoppers.reverse()) await stopOne();
  };
  try {
    let dynamodbEndpoint = options.dynamodbEndpoint;
    if (!dynamodbEndpoint) {
      const dynamodb: DynamoDbLocal = await startDynamoDbLocal();
      stoppers.push(dynamodb.stop);
      dynamodbEndpoint = dynamodb.endpoint;
    }
    const [objectStore, secrets, bus, gateway] = await Promise.all([
      startObjectStore({ bucket: "engine-local-artifacts" }),
      startSecretsManager(),
      startEventBus(),
      startDemoGateway({ mode: "stateful", response: "sse", ...options.gateway }),
    ]);
    stoppers.push(objectStore.stop, secrets.stop, bus.stop, gateway.stop);
    const tables = tableNamesFor(options.tablePrefix ?? "engine-local");
    secrets.putSecret("engine-local/gateway-client-secret", gateway.clientSecret);

    // The configuration each Lambda function gets from the stack, pointed at the local engines.
    Object.assign(process.env, {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "S3RVER",
      AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
      AWS_ENDPOINT_URL_S3: objectStore.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      S3_FORCE_PATH_STYLE: "true",
      POWERTOOLS_SERVICE_NAME: "action-execution-engine-local",
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? "ERROR",
      POWERTOOLS_METRICS_DISABLED: "true",
      EVENT_BUS_NAME: "engine-local",
      ARTIFACTS_BUCKET: objectStore.bucket,
      GATEWAY_URL: gateway.url,
      GATEWAY_TOKEN_URL: gateway.tokenUrl,
      GATEWAY_CLIENT_ID: gateway.clientId,
      GATEWAY_CLIENT_SECRET_ID: "engine-local/gateway-client-secret",
      TOOL_TIMEOUT_MS: "5000",
      CORS_ALLOWED_ORIGINS: "http://localhost:3000",
      ...tableEnvironment(tables),
    });

    const dynamoClient = new DynamoDBClient({});
    await createTables(dynamoClient, tables);
    const db = DynamoDBDocumentClient.from(dynamoClient);
    for (const item of demoRegistry) await db.send(new PutCommand({ TableName: tables.registry, Item: item }));

    const functionsByArn: Record<string, LocalFunction> = {};
    const placeholders: Record<string, string> = {};
    for (const fn of engineFunctions) {
      if (!("placeholder" in fn)) continue;
      const { handler } = (await import(`../${fn.entry}`)) as {
        handler: (event: unknown, context: unknown) => Promise<unknown>;
      };
      functionsByArn[functionArn(fn.id)] = (input) =>
        handler(input, lambdaContext(`engine-local-${fn.id}`)).catch((error: unknown) => {
          throw asLambdaFailure(error);
        });
      placeholders[fn.placeholder] = functionArn(fn.id);
    }
    const machine = createLocalStateMachine({
      definition: renderDefinition(validateTemplate(loadTemplate()), placeholders),
      stateMachineArn: `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:engine-local`,
      functionsByArn,
      retryIntervalMs: options.retryIntervalMs ?? 200,
    });

    const executions: ExecutionReport[] = [];
    const inFlight = new Set<Promise<void>>();
    const pattern = approvedEventPattern(trigger);
    bus.onEvent((event) => {
      if (!matchesPattern(event, pattern)) return;
      const input = applyInputTransformer(event, executionInputTransformer);
      const running = machine
        .execute(input, (transition, arn) => options.onTransition?.(transition, arn, input))
        .then((report) => {
          executions.push(report);
          options.onExecutionEnd?.(report);
        })
        .finally(() => inFlight.delete(running));
      inFlight.add(running);
    });

    return {
      tables,
      bus,
      gateway,
      trigger,
      executions,
      storeIntent: async (intent) => {
        await db.send(
          new PutCommand({
            TableName: tables.intents,
            Item: { ...keys.intent(intent.tenant_id, intent.action_intent_id), ...intent },
          }),
        );
      },
      idle: async () => {
        while (inFlight.size > 0) await Promise.all(inFlight);
      },
      stop: async () => {
        while (inFlight.size > 0) await Promise.all(inFlight);
        dynamoClient.destroy();
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
