// `npm start [-- --dir <path>] [--fresh] [--workflow-type EXPRESS]`: the engine on this machine until
// Ctrl-C. Prints its endpoints (also written to <dir>/endpoints.json), runs one demo intent through it, and
// prints every state transition. Its state (tables, objects, token signing key, metrics, logs, traces)
// stays in the state directory across restarts.
import { parseArgs } from "node:util";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { approvalEntry } from "../infra/trigger.ts";
import { demoIntent } from "./demo-data.ts";
import { type LocalEngine, startLocalEngine } from "./engine.ts";
import { faultsFlag, faultsFromFlag, faultsUsage } from "./faults/start-option.ts";
import { localPorts, portsFromEnv } from "./ports.ts";
import { createShutdown, DRAIN_TIMEOUT_MS } from "./shutdown.ts";
import { EngineStartError } from "./start-errors.ts";
import { DEFAULT_STATE_DIRECTORY, STATE_DIRECTORY_ENV, stateDirectoryFrom } from "./state-directory.ts";
import { STATE_MACHINE_LOGS_FILE } from "./state-machine-log.ts";
import { workflowTypeFlag, workflowTypeOverride, workflowTypeUsage } from "./workflow-type.ts";

const usage = `usage: npm start -- [--dir <path>] [--fresh] [--workflow-type STANDARD|EXPRESS]
  --dir <path>  the state directory (default ${DEFAULT_STATE_DIRECTORY}, or $${STATE_DIRECTORY_ENV}): tables, objects, the
                token signing key, metrics, logs and traces are kept there across restarts; one engine per directory
  --fresh       delete the state kept there first, and start empty
  ${faultsUsage}
  ${workflowTypeUsage}
Ports: ${Object.values(localPorts)
  .map((port) => `${port.env} (${port.default})`)
  .join(", ")}; 0 = any free port.
Ctrl-C lets executions in flight finish (at most ${DRAIN_TIMEOUT_MS / 1000} s); a second Ctrl-C stops at once.`;

let args: { dir?: string; fresh?: boolean; help?: boolean; faults?: string; "workflow-type"?: string };
let workflowType: ReturnType<typeof workflowTypeOverride>;
try {
  ({ values: args } = parseArgs({
    options: {
      dir: { type: "string" },
      fresh: { type: "boolean" },
      help: { type: "boolean", short: "h" },
      ...faultsFlag,
      ...workflowTypeFlag,
    },
    strict: true,
  }));
  workflowType = workflowTypeOverride(args["workflow-type"]);
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}
let faults: ReturnType<typeof faultsFromFlag>;
try {
  faults = faultsFromFlag(args.faults);
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
if (args.help) {
  console.log(usage);
  process.exit(0);
}
const stateDirectory = stateDirectoryFrom(args.dir);

const shutdown = createShutdown();
process.on("SIGINT", shutdown.onSignal);
process.on("SIGTERM", shutdown.onSignal);

const started = Date.now();
let engine: LocalEngine;
try {
  engine = await startLocalEngine({
    ports: portsFromEnv(),
    stateDirectory,
    fresh: args.fresh,
    faults,
    configOverrides: workflowType,
    ignoreInterrupt: true,
    // The functions' INFO lines (a duplicate approval, a replayed recording) show in the console's logs.
    logLevel: "INFO",
    onNotice: (message) => console.log(message),
    onTransition: (transition, _arn, input) => {
      const intentId = (input as { action_intent_id?: unknown }).action_intent_id;
      const detail = transition.detail ? `  ${transition.detail}` : "";
      console.log(
        `${new Date().toISOString().slice(11, 23)}  ${String(intentId).padEnd(24)} ${transition.event.padEnd(8)}${transition.state}${detail}`,
      );
    },
    onExecutionEnd: (report) => {
      const intentId = (report.input as { action_intent_id?: unknown }).action_intent_id;
      console.log(
        `${new Date().toISOString().slice(11, 23)}  ${String(intentId).padEnd(24)} ${report.status === "SUCCEEDED" ? "ended   " : "failed  "}${report.status}${report.error ? ` (${report.error})` : ""}`,
      );
    },
  });
} catch (error) {
  console.error(
    `The engine could not start: ${error instanceof EngineStartError ? error.message : ((error as Error).stack ?? String(error))}`,
  );
  process.exit(1);
}

const { endpoints } = engine;
// The helper commands find this engine through --dir unless it runs on the default directory.
const dirOption = stateDirectory === DEFAULT_STATE_DIRECTORY ? "" : ` --dir ${stateDirectory}`;
console.log(`Engine up in ${((Date.now() - started) / 1000).toFixed(1)} s; state machine ${engine.config.workflowType}, logging ${engine.config.workflowLogLevel} to ${stateDirectory}/${STATE_MACHINE_LOGS_FILE}. Its state is kept in ${stateDirectory} across restarts (--fresh starts empty).
Console: ${endpoints.console.url}   executions live, path, trace, logs, outcome, alarms, dashboard; approve, kill switches
Endpoints (also in ${stateDirectory}/endpoints.json):
  status API (JWT)   ${endpoints.httpApi.url}   token: npm run -s token -- --tenant tenant-demo${dirOption}
  EventBridge        ${endpoints.eventBridge.endpoint}   bus ${endpoints.eventBridge.busName}
  DynamoDB Local     ${endpoints.dynamodb.endpoint}   tables ${Object.values(endpoints.dynamodb.tables).join(", ")}
  S3 (s3rver)        ${endpoints.s3.endpoint}   bucket ${endpoints.s3.bucket}
  MCP gateway        ${endpoints.gateway.url}   admin ${endpoints.gateway.admin}/objects, /calls
  Fault injection    ${endpoints.faults.admin}   ${faults ? `${faults.faults.length} fault(s) from ${args.faults}` : "none"}; npm run engine -- faults show|set|clear${dirOption}
Ports: ${Object.values(localPorts)
  .map((port) => port.env)
  .join(", ")} (0 = any free port).
Approve an intent of your own: npm run engine -- approve <intent.json>${dirOption}; or send the event yourself (the local bus takes
any credentials that are not a function's):
  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws events put-events --endpoint-url ${endpoints.eventBridge.endpoint} --region ${endpoints.region} --entries '[{"Source":"${endpoints.eventBridge.source}","DetailType":"${endpoints.eventBridge.detailType}","EventBusName":"${endpoints.eventBridge.busName}","Detail":"{\\"data\\":{\\"action_intent_id\\":\\"<id>\\",\\"tenant_id\\":\\"<tenant>\\",\\"account_id\\":\\"<account>\\"}}"}]'
Ctrl-C stops everything, once executions in flight have finished (at most ${DRAIN_TIMEOUT_MS / 1000} s).
`);
shutdown.attach(engine);

const intent = demoIntent({
  action_intent_id: `intent-demo-${started}`,
  tenant_id: "tenant-demo",
  account_id: "account-demo",
  action_type: "CREATE_CRM_TASK",
  parameters: { title: "Follow up on the renewal" },
});
const approveDemoIntent = async () => {
  await engine.storeIntent(intent);
  await new EventBridgeClient({
    endpoint: endpoints.eventBridge.endpoint,
    region: endpoints.region,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  }).send(
    new PutEventsCommand({
      Entries: [approvalEntry(endpoints.eventBridge, intent)],
    }),
  );
  console.log(
    `Approved demo intent ${intent.action_intent_id}; its status: npm run engine -- status ${intent.action_intent_id} --tenant ${intent.tenant_id}${dirOption}\n`,
  );
};
// Ctrl-C during start-up stops the engine as soon as it is up, with no demo intent.
if (!shutdown.requested()) {
  await approveDemoIntent().catch((error: unknown) => {
    if (!shutdown.requested()) throw error;
  });
}
