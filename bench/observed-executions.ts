// What each path costs that only a run of the deployable bundles shows: the local engine (local/engine.ts)
// runs every path at a stack's logging settings, one execution at a time, and this keeps, per execution,
// every line its functions wrote (log and EMF lines, as CloudWatch Logs would ingest them), the state
// machine's own log events at the stack's level, the lines one status read writes, and how long the
// execution ran from its first state entered to its end (what Express bills). Lines are counted as the
// deployed stack would write them: the local function and state machine names and account in them are
// replaced by the stack's, which are longer.
//
// Warm executions only: the first of each path in a fresh engine starts its functions cold, and those
// lines (and Lambda INIT) are left out, as the warm durations are.
import { randomUUID } from "node:crypto";
import { engineFunctions } from "../infra/catalog.ts";
import { demoIntent } from "../local/demo-data.ts";
import { publicClient } from "../local/demo-scenarios.ts";
import { startLocalEngine } from "../local/engine.ts";
import type { ExecutionReport } from "../local/state-machine.ts";
import type { ActionIntent } from "../schemas/records.ts";
import type { ScenarioName } from "./executions.ts";
import { deployedNamer, type LogVolume, logVolume } from "./log-volume.ts";
import type { StackShape } from "./stack.ts";
import { stateMachineLogLines, type WorkflowType } from "./state-machine-logs.ts";
import { median, round } from "./stats.ts";

export interface ObservedPath {
  path: string[];
  runs: number;
  /** Median, milliseconds, first state entered to the execution's end on the local engine (measured). */
  durationMs: number;
  durationsMs: number[];
  /** Per function invoked on the path, median over the runs. */
  functionLogs: ({ functionId: string } & LogVolume)[];
  /** The state machine's log events per execution, by the workflow type the ARNs name. */
  stateMachineLogs: Record<WorkflowType, LogVolume>;
}

export interface ObservedStack {
  stack: string;
  logLevel: string;
  stateMachineLogging: StackShape["stateMachine"]["logging"];
  /** How the state machine's log events were had: written by the local engine, or derived from its report. */
  stateMachineLogSource: "captured" | "derived";
  paths: Record<ScenarioName, ObservedPath>;
  /** One status read's lines (status-api), median. */
  statusRead: LogVolume;
}

/** The stack's logging settings as the local engine's configuration keys. */
export function loggingOverrides(stack: StackShape): { logLevel: string; configOverrides: Record<string, string> } {
  const levels = new Set(stack.functions.map((fn) => fn.environment.POWERTOOLS_LOG_LEVEL));
  const namespaces = new Set(stack.functions.map((fn) => fn.environment.POWERTOOLS_METRICS_NAMESPACE));
  const [logLevel] = levels;
  const [metricsNamespace] = namespaces;
  if (levels.size !== 1 || !logLevel) throw new Error(`stack ${stack.stack}: functions log at ${[...levels]}`);
  if (namespaces.size !== 1 || !metricsNamespace)
    throw new Error(`stack ${stack.stack}: namespaces ${[...namespaces]}`);
  return {
    logLevel,
    configOverrides: {
      metricsNamespace,
      logExecutionData: String(stack.stateMachine.logging.includeExecutionData),
    },
  };
}

const TENANT = "tenant-cost";
const HALTED_TENANT = "tenant-cost-halted";
const ACCOUNT = "account-cost";

const intentFields: Record<ScenarioName, Partial<ActionIntent> & Pick<ActionIntent, "action_type" | "tenant_id">> = {
  happy: { tenant_id: TENANT, action_type: "CREATE_CRM_TASK", parameters: { title: "Call back" } },
  preflightRejected: { tenant_id: HALTED_TENANT, action_type: "CREATE_CRM_TASK", parameters: { title: "x" } },
  compensated: { tenant_id: TENANT, action_type: "DEMO_FAIL_AFTER_WRITE" },
};

interface ExecutionSample {
  report: ExecutionReport;
  durationMs: number;
  lines: { functionId: string; line: string }[];
  statusReadLines: string[];
}

export interface ObserveOptions {
  dynamodbEndpoint?: string;
  tablePrefix: string;
  stateDirectory: string;
  /** Measured executions per path, after one warm-up execution of each. */
  runs: number;
  onProgress?: (message: string) => void;
}

export async function observeExecutions(stack: StackShape, options: ObserveOptions): Promise<ObservedStack> {
  const { logLevel, configOverrides } = loggingOverrides(stack);
  const asDeployed = deployedNamer(stack);
  let lines: { functionId: string; line: string }[] = [];
  const started = new Map<string, number>();
  const ended = new Map<string, (report: ExecutionReport, at: number) => void>();
  const engine = await startLocalEngine({
    dynamodbEndpoint: options.dynamodbEndpoint,
    tablePrefix: options.tablePrefix,
    stateDirectory: options.stateDirectory,
    logLevel: logLevel as never,
    configOverrides,
    onFunctionOutput: (functionId, line) => lines.push({ functionId, line: asDeployed(line) }),
    onTransition: (transition, executionArn) => {
      if (transition.event === "entered" && !started.has(executionArn)) started.set(executionArn, performance.now());
    },
    onExecutionEnd: (report) => {
      const id = (report.input as { action_intent_id?: string }).action_intent_id ?? "";
      ended.get(id)?.(report, performance.now());
    },
  });
  try {
    const client = publicClient(engine);
    await client.setTenantKillSwitch(HALTED_TENANT, true);
    const execute = async (scenario: ScenarioName): Promise<ExecutionSample> => {
      const intent = demoIntent({
        action_intent_id: `intent-${randomUUID().slice(0, 12)}`,
        account_id: ACCOUNT,
        ...intentFields[scenario],
      });
      await client.storeIntent(intent);
      const end = new Promise<{ report: ExecutionReport; at: number }>((resolve) =>
        ended.set(intent.action_intent_id, (report, at) => resolve({ report, at })),
      );
      lines = [];
      const key = { action_intent_id: intent.action_intent_id, tenant_id: intent.tenant_id, account_id: ACCOUNT };
      await client.approve(key);
      const { report, at } = await end;
      ended.delete(intent.action_intent_id);
      await engine.idle();
      const executionLines = lines;
      lines = [];
      const status = await client.status(key);
      if (status.httpStatus !== 200)
        throw new Error(`status read of a ${scenario} execution answered ${status.httpStatus}`);
      const statusReadLines = lines.filter((line) => line.functionId === "status-api").map((line) => line.line);
      const start = started.get(report.executionArn);
      if (start === undefined) throw new Error(`execution ${report.executionArn} entered no state`);
      started.delete(report.executionArn);
      return { report, durationMs: at - start, lines: executionLines, statusReadLines };
    };

    const scenarios: ScenarioName[] = ["happy", "preflightRejected", "compensated"];
    for (const scenario of scenarios) await execute(scenario);
    options.onProgress?.(`cost, ${stack.stack} logging (${logLevel}): local engine warm`);
    const samples = Object.fromEntries(scenarios.map((scenario) => [scenario, [] as ExecutionSample[]])) as Record<
      ScenarioName,
      ExecutionSample[]
    >;
    // Interleaved, so a busy moment of the machine falls on every path alike.
    for (let run = 0; run < options.runs; run++) {
      for (const scenario of scenarios) samples[scenario].push(await execute(scenario));
    }
    options.onProgress?.(`cost, ${stack.stack} logging: ${options.runs} executions of each path`);

    const paths = Object.fromEntries(
      scenarios.map((scenario) => [scenario, observedPath(scenario, samples[scenario], stack)]),
    ) as Record<ScenarioName, ObservedPath>;
    const statusReads = scenarios.flatMap((scenario) => samples[scenario].map((sample) => sample.statusReadLines));
    return {
      stack: stack.stack,
      logLevel,
      stateMachineLogging: stack.stateMachine.logging,
      stateMachineLogSource: "derived",
      paths,
      statusRead: medianVolume(statusReads.map(logVolume)),
    };
  } finally {
    await engine.stop();
  }
}

function medianVolume(volumes: readonly LogVolume[]): LogVolume {
  const of = (key: keyof LogVolume) => median(volumes.map((volume) => volume[key]));
  return { events: of("events"), bytes: of("bytes"), emfEvents: of("emfEvents"), emfBytes: of("emfBytes") };
}

function observedPath(scenario: ScenarioName, samples: readonly ExecutionSample[], stack: StackShape): ObservedPath {
  const paths = new Set(samples.map((sample) => sample.report.path.join(" > ")));
  if (paths.size !== 1) throw new Error(`${scenario} executions took different paths: ${[...paths].join("; ")}`);
  const [first] = samples;
  if (!first) throw new Error(`no ${scenario} execution`);
  const invoked = engineFunctions
    .map((fn) => fn.id)
    .filter((id) => samples.some((sample) => sample.lines.some((line) => line.functionId === id)));
  const machineLogs = (type: WorkflowType) =>
    medianVolume(
      samples.map((sample) =>
        logVolume(
          stateMachineLogLines(sample.report, { definition: stack.definition, machine: stack.stateMachine, type }),
        ),
      ),
    );
  const durationsMs = samples.map((sample) => round(sample.durationMs, 1));
  return {
    path: first.report.path,
    runs: samples.length,
    durationMs: round(median(durationsMs), 1),
    durationsMs,
    functionLogs: invoked.map((functionId) => ({
      functionId,
      ...medianVolume(
        samples.map((sample) =>
          logVolume(sample.lines.filter((line) => line.functionId === functionId).map((line) => line.line)),
        ),
      ),
    })),
    stateMachineLogs: { STANDARD: machineLogs("STANDARD"), EXPRESS: machineLogs("EXPRESS") },
  };
}
