// The engine on one machine, every part a real engine or speaking the real wire protocol: DynamoDB Local,
// s3rver, Secrets Manager GetSecretValue, the demo MCP gateway, a PutEvents endpoint applying the infra's
// rule, the rendered state machine on aws-local-stepfunctions, and an HTTP API with a JWT authorizer.
// Each function runs from its deployable bundle in its own worker, with the environment the stack gives it.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { keys } from "../functions/kernel/data-layout.ts";
import { bundleFunction } from "../infra/bundle.ts";
import { type EngineFunction, engineFunctions } from "../infra/catalog.ts";
import type { EngineConfig } from "../infra/config.ts";
import { environmentFor } from "../infra/functions/environment.ts";
import { lambdaLoggingEnvironment, lambdaLoggingFor } from "../infra/functions/logging.ts";
import type { PolicyDocument } from "../infra/iam.ts";
import { type AlarmSpec, alarmSpecs } from "../infra/observability/alarm-specs.ts";
import { type DashboardBody, dashboardBody } from "../infra/observability/dashboard.ts";
import { type AlarmEvaluation, evaluateAlarm, nextEvaluation } from "../infra/observability/evaluate.ts";
import { approvedEventPattern, executionInputTransformer, type TriggerConfig } from "../infra/trigger.ts";
import { type AslDefinition, loadTemplate, renderDefinition, validateTemplate } from "../infra/workflow/definition.ts";
import type { ActionIntent } from "../schemas/records.ts";
import { startConsole } from "./console/server.ts";
import { demoRegistry } from "./demo-data.ts";
import type { DemoGateway, DemoGatewayOptions } from "./demo-gateway/index.ts";
import type { LocalEventBus } from "./event-bus.ts";
import { applyInputTransformer, matchesPattern } from "./event-rules.ts";
import { type FaultInjection, type FaultProfile, startFaultInjection } from "./faults/index.ts";
import { type FunctionWorkers, LambdaInvocationError, startFunctionWorkers } from "./function-workers.ts";
import { type LocalEndpointsFile, startHttpApi } from "./http-api.ts";
import { LOCAL_ACCOUNT } from "./iam/arns.ts";
import type { FunctionCredentials, LocalIam } from "./iam/authorizer.ts";
import { credentialsEnvironment, issueFunctionRoles } from "./iam/function-roles.ts";
import { loadOrCreateSigningKey } from "./jwt.ts";
import { assertPortsFree, type PortChoice } from "./ports.ts";
import { LOCAL_REGION, localStackConfig, startLocalServices } from "./services.ts";
import { CorruptStateError } from "./start-errors.ts";
import { claimStateDirectory, DEFAULT_STATE_DIRECTORY, statePaths } from "./state-directory.ts";
import { createLocalStateMachine, type ExecutionReport, type LocalFunction, type Transition } from "./state-machine.ts";
import { createStateMachineLogGroup, type StateMachineLogGroup, stateMachineLogLines } from "./state-machine-log.ts";
import type { TableNames } from "./tables.ts";
import { ALARMS_FILE, createTelemetry, type Telemetry } from "./telemetry.ts";
import { localWorkflowSettings } from "./workflow-type.ts";
import { newSegmentId, newTraceId, startXRayDaemon } from "./xray-daemon.ts";

export interface LocalEngineOptions {
  /** 0 (the default for each) binds any free port. */
  ports?: Partial<PortChoice>;
  /** Use this DynamoDB endpoint (tables are created under `tablePrefix`) instead of starting DynamoDB Local. */
  dynamodbEndpoint?: string;
  tablePrefix?: string;
  /**
   * Where the engine keeps its state across restarts (tables unless `dynamodbEndpoint` is given, objects,
   * the token signing key, metrics, logs and traces) and writes its endpoints file and bundles; default
   * `.local`. One engine at a time: another engine's directory is refused.
   */
  stateDirectory?: string;
  /** Delete the state kept in `stateDirectory` before starting. */
  fresh?: boolean;
  /** Told what the engine did that its owner should hear of: a stale lock taken over, state deleted. */
  onNotice?: (message: string) => void;
  /** The owner handles Ctrl-C itself: DynamoDB Local ignores the terminal's SIGINT and stops with `stop()`. */
  ignoreInterrupt?: boolean;
  gateway?: Pick<DemoGatewayOptions, "mode" | "response" | "deduplicate">;
  /**
   * After a state-machine task's function has run, the error Lambda reports instead of its result, if any:
   * a service error after the function ran, which the definition's Retry answers by running it again.
   */
  lambdaServiceError?: (functionId: string) => Error | undefined;
  /** Faults to inject from the start (local/faults/); they can be changed while the engine runs. */
  faults?: FaultProfile;
  /** Milliseconds between state-machine retries instead of the deployed jittered backoff (local/state-machine.ts). */
  retryIntervalMs?: number;
  /**
   * Starts an approval's execution a second time, as AWS may: "another-execution" starts a second execution
   * of the same input (a duplicate start); "same-execution", EXPRESS only, runs the execution again from its
   * start under the same ARN, as an asynchronous Express workflow may
   * (https://docs.aws.amazon.com/step-functions/latest/dg/express-at-least-once-execution.html). "concurrent"
   * starts it with the first, "after" once the first has ended.
   */
  duplicateStart?: (input: unknown) => DuplicateStart | undefined;
  logLevel?: EngineConfig["logLevel"];
  /** Stack config keys to set differently from the dev stack, e.g. alarm thresholds. */
  configOverrides?: Record<string, string>;
  onTransition?: (transition: Transition, executionArn: string, input: unknown) => void;
  onExecutionEnd?: (report: ExecutionReport) => void;
  /** Every line a function writes (logs, EMF metrics), as CloudWatch Logs would receive it. */
  onFunctionOutput?: (functionId: string, line: string) => void;
  /** Changes a function's role policy from the one the stack deploys, e.g. to drop a statement. */
  iamPolicy?: (functionId: string, document: PolicyDocument) => PolicyDocument;
}

export interface DuplicateStart {
  kind: "another-execution" | "same-execution";
  when: "concurrent" | "after";
}

export interface LocalEndpoints {
  dynamodb: { endpoint: string; tables: TableNames };
  eventBridge: { endpoint: string; busName: string; source: string; detailType: string };
  s3: { endpoint: string; bucket: string };
  /** The gateway client secret's full ARN, as IAM matches it. */
  secretsManager: { endpoint: string; gatewaySecretArn: string };
  /** The gateway's OAuth client; its secret is the Secrets Manager stand-in's `gatewaySecretArn`. */
  gateway: { url: string; tokenUrl: string; clientId: string; admin: string };
  httpApi: LocalEndpointsFile;
  /** The fault injection admin endpoint (local/faults/index.ts). */
  faults: { admin: string };
  /** The console: executions, traces, logs, alarms and operator actions in a browser. */
  console: { url: string };
  region: string;
}

/** Told as executions move: `report` is the execution's report so far, then its final one. */
export interface ExecutionWatcher {
  transition?(transition: Transition, report: ExecutionReport): void;
  ended?(report: ExecutionReport): void;
}

export interface LocalEngine {
  endpoints: LocalEndpoints;
  config: EngineConfig;
  gateway: DemoGateway;
  bus: LocalEventBus;
  trigger: TriggerConfig;
  /** Every execution that has ended, in the order they ended. */
  executions: ExecutionReport[];
  /** The rendered definition the engine runs. */
  definition: AslDefinition;
  /** Follows every execution from its next transition on; answers how to stop following. */
  watchExecutions(watcher: ExecutionWatcher): () => void;
  /** Metrics, logs and traces, as CloudWatch and X-Ray would hold them. */
  telemetry: Telemetry;
  /** The state machine's own log lines, as its log group receives them at the stack's level. */
  stateMachineLogs: StateMachineLogGroup;
  /** Each function's role (principal, policy) and every authorization decision on its requests. */
  iam: Pick<LocalIam, "decisions" | "identity">;
  /** The faults injected in front of the services and in the function host: read, replace, clear. */
  faults: Pick<FaultInjection, "apply" | "clear" | "state" | "targets">;
  /** The stack's alarms over the local engine's resources, and what each would say now. */
  alarms(): AlarmSpec[];
  evaluateAlarms(now?: number): AlarmEvaluation[];
  /** The dashboard body the stack deploys, over the local engine's resources. */
  dashboard(): DashboardBody;
  /** Writes an intent the way the decision layer does. */
  storeIntent(intent: ActionIntent): Promise<void>;
  /** Changes the stack's global kill switch, as a deploy would: the validator cold-starts with it. */
  setGlobalKillSwitch(on: boolean): Promise<void>;
  /** Resolves when no execution is in flight. */
  idle(): Promise<void>;
  /** How many executions have started and not ended. */
  executionsInFlight(): number;
  /** Stops everything, by default once no execution is in flight; the state directory stays. */
  stop(options?: { waitForExecutions?: boolean }): Promise<void>;
}

/** The status API's id in AWS/ApiGateway's dimensions, as the alarms read them. */
const LOCAL_API_ID = "engine-local";
const functionArn = (id: string) => `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:engine-local-${id}`;

export async function startLocalEngine(options: LocalEngineOptions = {}): Promise<LocalEngine> {
  const ports: PortChoice = {
    api: 0,
    gateway: 0,
    events: 0,
    s3: 0,
    secrets: 0,
    dynamodb: 0,
    console: 0,
    ...options.ports,
  };
  const stateDirectory = options.stateDirectory ?? DEFAULT_STATE_DIRECTORY;
  const paths = statePaths(stateDirectory);
  // First, so that an engine on a directory in use refuses before touching anything of the other one's.
  const claim = claimStateDirectory(stateDirectory, { fresh: options.fresh, onNotice: options.onNotice });
  const stoppers: (() => Promise<void>)[] = [async () => claim.release()];
  const stopAll = async () => {
    for (const stop of stoppers.splice(0).reverse()) await stop();
  };

  try {
    await assertPortsFree(ports);
    mkdirSync(paths.bundles, { recursive: true });
    const { key: signingKey } = await loadOrCreateSigningKey(paths.signingKey).catch((error: unknown) => {
      throw new CorruptStateError(
        `${(error as Error).message}: delete it, or start on empty state with \`npm start -- --fresh\``,
        { cause: error },
      );
    });
    const stateMachineArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:engine-local`;
    // Reads back what earlier runs captured: a damaged file fails here, before anything starts.
    const telemetry = createTelemetry({
      directory: stateDirectory,
      stateMachineArn,
      functionName: (id) => `engine-local-${id}`,
    });
    stoppers.push(telemetry.close);
    const services = await startLocalServices({
      stateDirectory,
      ignoreInterrupt: options.ignoreInterrupt,
      namePrefix: "engine-local",
      tablePrefix: options.tablePrefix,
      dynamodbEndpoint: options.dynamodbEndpoint,
      ports,
      gateway: options.gateway,
    });
    stoppers.push(services.stop);
    const { gateway, bus, tables, db, iam } = services;
    if (!iam) throw new Error("the local engine runs with local IAM");

    const configFor = (globalKillSwitch: boolean) =>
      localStackConfig("dev", services, {
        ...options.configOverrides,
        logLevel: options.logLevel ?? "WARN",
        globalKillSwitch: String(globalKillSwitch),
      });
    let config = configFor(false);
    // As the stack looks the configured secret up: functions read it, and IAM matches it, by its full ARN.
    const gatewaySecret = services.secrets.describeSecret(config.gateway.clientSecretId ?? "");
    if (!gatewaySecret) throw new Error(`no local secret ${config.gateway.clientSecretId} for the gateway client`);
    const resourceNames = { ...services.names, gatewaySecretId: gatewaySecret.ARN };
    const functionCredentials = issueFunctionRoles(iam, engineFunctions, {
      resources: { ...services.names, gatewaySecretArn: gatewaySecret.ARN },
      functionName: (id) => `engine-local-${id}`,
      override: options.iamPolicy,
    });
    // Between the functions and every service they call, so a fault is met where the service would fail.
    const faults = await startFaultInjection({
      services: {
        dynamodbEndpoint: services.dynamodbEndpoint,
        s3Endpoint: services.s3Endpoint,
        secretsManagerEndpoint: services.secretsManagerEndpoint,
        eventBridgeEndpoint: bus.endpoint,
        gatewayOrigin: gateway.origin,
        guards: services.guards,
      },
      resources: resourceNames,
      registry: demoRegistry,
      functionOfKey: (key) =>
        Object.entries(functionCredentials).find(([, credentials]) => credentials.accessKeyId === key)?.[0],
      profile: options.faults,
    });
    stoppers.push(faults.stop);
    const xray = await startXRayDaemon();
    stoppers.push(xray.stop);
    xray.onDocument(telemetry.traceDocument);
    const lambdaEnvironment = {
      ...services.awsEnvironment,
      ...faults.environment,
      // Lambda sets these; Powertools and the X-Ray SDK read them to know they run in a function.
      AWS_EXECUTION_ENV: "AWS_Lambda_nodejs24.x",
      LAMBDA_TASK_ROOT: resolve(paths.bundles),
      _HANDLER: "index.handler",
      _X_AMZN_TRACE_ID: `Root=${newTraceId()};Parent=${newSegmentId()};Sampled=0`,
      AWS_XRAY_DAEMON_ADDRESS: xray.address,
      AWS_XRAY_CONTEXT_MISSING: "IGNORE_ERROR",
      TZ: "UTC",
    };
    const environmentOf = (fn: EngineFunction) => ({
      ...lambdaEnvironment,
      AWS_LAMBDA_FUNCTION_NAME: `engine-local-${fn.id}`,
      // What Lambda derives from the function's logging controls; it overrides POWERTOOLS_LOG_LEVEL.
      ...lambdaLoggingEnvironment(lambdaLoggingFor(config)),
      ...environmentFor(fn, faults.behindProxies(config), resourceNames),
      ...credentialsEnvironment(functionCredentials[fn.id] as FunctionCredentials),
    });

    const bundles = await Promise.all(
      engineFunctions.map(async (fn) => {
        const path = join(paths.bundles, `${fn.id}.mjs`);
        writeFileSync(path, (await bundleFunction(fn.entry, { cached: true })).code);
        return { fn: fn as EngineFunction, path };
      }),
    );
    const workers: FunctionWorkers = await startFunctionWorkers(
      bundles.map(({ fn, path }) => ({
        id: fn.id,
        bundlePath: path,
        environment: environmentOf(fn),
        timeoutMs: fn.timeoutSeconds * 1000,
      })),
      {
        onOutput: (functionId, line) => {
          telemetry.functionOutput(functionId, line);
          options.onFunctionOutput?.(functionId, line);
        },
        // The stack's reserved concurrency and account limit throttle here as Lambda would.
        limits: config.lambdaConcurrency,
      },
    );
    stoppers.push(workers.stop);

    const placeholders: Record<string, string> = {};
    const functionsByArn: Record<string, LocalFunction> = {};
    for (const { fn } of bundles) {
      if (!fn.placeholder) continue;
      placeholders[fn.placeholder] = functionArn(fn.id);
      functionsByArn[functionArn(fn.id)] = async (input, invocation) => {
        const span = telemetry.startInvocation(fn.id, invocation, input);
        try {
          const result = await workers.invoke(fn.id, input, {
            traceHeader: span.traceHeader,
            fault: faults.lambdaFault(fn.id, input, fn.timeoutSeconds * 1000),
          });
          const serviceError = options.lambdaServiceError?.(fn.id);
          if (serviceError) throw serviceError;
          span.finish();
          return result;
        } catch (error) {
          span.finish(
            error instanceof LambdaInvocationError
              ? error.failure
              : { errorType: "Error", errorMessage: String(error) },
          );
          throw error;
        }
      };
    }
    const definition = renderDefinition(validateTemplate(loadTemplate()), placeholders);
    const machine = createLocalStateMachine({
      definition,
      stateMachineArn,
      functionsByArn,
      retryIntervalMs: options.retryIntervalMs ?? 200,
      ...localWorkflowSettings(config.workflowType, definition),
    });
    const stateMachineLogs = createStateMachineLogGroup(stateDirectory);
    stoppers.push(stateMachineLogs.close);
    const logSettings = {
      level: config.workflowLogLevel,
      includeExecutionData: config.logExecutionData,
      roleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/engine-local-workflow`,
      definition,
    };

    const signingKeyFile = paths.signingKey;
    const httpApi = await startHttpApi({
      port: ports.api,
      issuer: config.api.jwtIssuer,
      audience: config.api.jwtAudience,
      corsAllowedOrigins: config.api.corsAllowedOrigins,
      signingKey,
      // API requests are traced but not sampled: only executions are recorded.
      invoke: async (event) => {
        const started = Date.now();
        let statusCode = 500;
        try {
          const result = (await workers.invoke("status-api", event, {
            traceHeader: `Root=${newTraceId()};Parent=${newSegmentId()};Sampled=0`,
          })) as { statusCode?: number };
          statusCode = result.statusCode ?? 200;
          return result as never;
        } finally {
          telemetry.apiResponse(LOCAL_API_ID, statusCode, Date.now() - started);
        }
      },
    });
    stoppers.push(httpApi.stop);

    const executions: ExecutionReport[] = [];
    const watchers = new Set<ExecutionWatcher>();
    const inFlight = new Set<Promise<void>>();
    const pattern = approvedEventPattern(config.trigger);
    const run = (input: unknown, executionArn: string): Promise<void> => {
      const running = machine
        .execute(
          input,
          (transition, arn, report) => {
            options.onTransition?.(transition, arn, input);
            for (const watcher of watchers) watcher.transition?.(transition, report);
          },
          { executionArn },
        )
        .then((report) => {
          executions.push(report);
          telemetry.executionEnded(report);
          stateMachineLogs.write(executionArn, stateMachineLogLines(executionArn, report.history, logSettings));
          options.onExecutionEnd?.(report);
          for (const watcher of watchers) watcher.ended?.(report);
        })
        .finally(() => inFlight.delete(running));
      inFlight.add(running);
      return running;
    };
    bus.onEvent((event) => {
      // Non-matching events are accepted and ignored, as EventBridge does.
      if (!matchesPattern(event, pattern)) return;
      const input = applyInputTransformer(event, executionInputTransformer);
      const executionArn = machine.newExecutionArn();
      const first = run(input, executionArn);
      const duplicate = options.duplicateStart?.(input);
      if (!duplicate) return;
      if (duplicate.kind === "same-execution" && config.workflowType !== "EXPRESS") {
        throw new Error("only an EXPRESS execution may run twice under one ARN; Standard runs each exactly once");
      }
      const again = () => run(input, duplicate.kind === "same-execution" ? executionArn : machine.newExecutionArn());
      if (duplicate.when === "concurrent") {
        again();
        return;
      }
      const chained: Promise<void> = first.then(again).finally(() => inFlight.delete(chained));
      inFlight.add(chained);
    });
    const idle = async () => {
      while (inFlight.size > 0) await Promise.all(inFlight);
    };

    const endpoints: LocalEndpoints = {
      region: LOCAL_REGION,
      dynamodb: { endpoint: services.dynamodbEndpoint, tables },
      eventBridge: { endpoint: bus.endpoint, busName: services.names.eventBusName, ...config.trigger },
      s3: { endpoint: services.s3Endpoint, bucket: services.names.artifactsBucket },
      secretsManager: { endpoint: services.secretsManagerEndpoint, gatewaySecretArn: gatewaySecret.ARN },
      gateway: {
        url: gateway.url,
        tokenUrl: gateway.tokenUrl,
        clientId: gateway.clientId,
        admin: `${gateway.origin}/admin`,
      },
      // Set once the console is up, which needs the engine below.
      console: { url: "" },
      faults: { admin: faults.admin },
      httpApi: {
        url: httpApi.url,
        issuer: config.api.jwtIssuer,
        audience: config.api.jwtAudience,
        tenantClaim: config.api.tenantClaim,
        signingKeyFile,
      },
    };
    const watched = {
      stateMachineArn,
      workflowType: config.workflowType,
      functionNames: Object.fromEntries(engineFunctions.map((fn) => [fn.id, `engine-local-${fn.id}`])),
      // The local bus delivers synchronously: there is no dead-letter queue to watch.
      deadLetterQueueNames: {},
      httpApi: { apiId: LOCAL_API_ID, stage: "$default" },
    };
    const alarmsFor = (current: EngineConfig) =>
      alarmSpecs({
        ...watched,
        alarms: current.alarms,
        metricsNamespace: current.metricsNamespace,
        namePrefix: "engine-local",
      });
    writeFileSync(join(stateDirectory, ALARMS_FILE), `${JSON.stringify(alarmsFor(config), null, 2)}\n`);

    const engine: LocalEngine = {
      endpoints,
      get config() {
        return config;
      },
      gateway,
      bus,
      trigger: config.trigger,
      executions,
      definition,
      watchExecutions: (watcher) => {
        watchers.add(watcher);
        return () => watchers.delete(watcher);
      },
      telemetry,
      stateMachineLogs,
      iam,
      faults,
      alarms: () => alarmsFor(config),
      // CloudWatch's next evaluation after `now` is the first to see every datapoint written so far.
      evaluateAlarms: (now = Date.now()) =>
        alarmsFor(config).map((spec) => evaluateAlarm(spec, telemetry.datapoints, { at: nextEvaluation(spec, now) })),
      dashboard: () =>
        dashboardBody({
          ...watched,
          region: LOCAL_REGION,
          metricsNamespace: config.metricsNamespace,
          alarms: config.alarms,
          alarmArns: alarmsFor(config).map(
            (spec) => `arn:aws:cloudwatch:${LOCAL_REGION}:${LOCAL_ACCOUNT}:alarm:${spec.name}`,
          ),
        }),
      storeIntent: async (intent) => {
        await db.send(
          new PutCommand({
            TableName: tables.intents,
            Item: { ...keys.intent(intent.tenant_id, intent.action_intent_id), ...intent },
          }),
        );
      },
      setGlobalKillSwitch: async (on) => {
        config = configFor(on);
        const validator = bundles.find(({ fn }) => fn.id === "execution-validator")?.fn as EngineFunction;
        await workers.reconfigure(validator.id, environmentOf(validator));
      },
      idle,
      executionsInFlight: () => inFlight.size,
      stop: async ({ waitForExecutions = true } = {}) => {
        if (waitForExecutions) await idle();
        await stopAll();
      },
    };
    const engineConsole = await startConsole({ port: ports.console, engine, stateDirectory });
    stoppers.push(engineConsole.stop);
    endpoints.console.url = engineConsole.url;
    const endpointsFile = paths.endpoints;
    writeFileSync(endpointsFile, `${JSON.stringify(endpoints, null, 2)}\n`);
    // A stopped engine leaves no endpoints behind for `npm run token` or `npm run intent` to find.
    stoppers.push(async () => rmSync(endpointsFile, { force: true }));
    return engine;
  } catch (error) {
    await stopAll();
    throw error;
  }
}
