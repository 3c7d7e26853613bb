// What each path costs that only a run of the deployable bundles shows: the local engine (local/engine.ts)
// runs every path as a stack configures it (workflow type, log levels, execution data), one execution at a
// time, and this keeps, per execution, every line its functions wrote (log and EMF lines, as CloudWatch
// Logs would ingest them), the state machine's own log lines (local/state-machine-log.ts), the lines one
// status read writes, and how long the execution ran from its start to its end (what Express bills).
// Lines are counted as the deployed stack would write them: the local function, state machine and role
// names and the account in them are replaced by the stack's, which are longer. The state machine's lines
// of the type the stack does not deploy are the same events under that type's execution ARN.
//
// Warm executions only: the first of each path in a fresh engine starts its functions cold, and those
// lines (and Lambda INIT) are left out, as the warm durations are.
import { randomUUID } from "node:crypto";
import { engineFunctions } from "../infra/catalog.ts";
import { type WorkflowType, workflowTypes } from "../infra/workflow/workflow-type.ts";
import { demoIntent } from "../local/demo-data.ts";
import { publicClient } from "../local/demo-scenarios.ts";
import { startLocalEngine } from "../local/engine.ts";
import type { ExecutionReport } from "../local/state-machine.ts";
import type { ActionIntent } from "../schemas/records.ts";
import type { ScenarioName } from "./executions.ts";
import { deployedNamer, executionArnAs, type LogVolume, logVolume } from "./log-volume.ts";
import type { StackShape } from "./stack.ts";
import { median, round } from "./stats.ts";

export interface ObservedPath {
  path: string[];
  runs: number;
  /** Median, milliseconds, the execution's start to its end on the local engine (measured). */
  durationMs: number;
  durationsMs: number[];
  /** Per function invoked on the path, median over the runs. */
  functionLogs: ({ functionId: string } & LogVolume)[];
  /** The state machine's log lines per execution, by the workflow type the ARNs name. */
  stateMachineLogs: Record<WorkflowType, LogVolume>;
}

export interface ObservedStack {
  stack: string;
  logLevel: string;
  stateMachineLogging: StackShape["stateMachine"]["logging"];
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
      workflowType: stack.stateMachine.type,
      workflowLogLevel: stack.stateMachine.logging.level,
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
  /** The state machine's lines, as the stack deploys them and under the other type's ARN. */
  stateMachineLines: Record<WorkflowType, string[]>;
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
  const ended = new Map<string, (report: ExecutionReport) => void>();
  const engine = await startLocalEngine({
    dynamodbEndpoint: options.dynamodbEndpoint,
    tablePrefix: options.tablePrefix,
    stateDirectory: options.stateDirectory,
    logLevel: logLevel as never,
    configOverrides,
    onFunctionOutput: (functionId, line) => lines.push({ functionId, line: asDeployed(line) }),
    onExecutionEnd: (report) => {
      const id = (report.input as { action_intent_id?: string }).action_intent_id ?? "";
      ended.get(id)?.(report);
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
      const end = new Promise<ExecutionReport>((resolve) => ended.set(intent.action_intent_id, resolve));
      lines = [];
      const key = { action_intent_id: intent.action_intent_id, tenant_id: intent.tenant_id, account_id: ACCOUNT };
      await client.approve(key);
      const report = await end;
      ended.delete(intent.action_intent_id);
      await engine.idle();
      const executionLines = lines;
      lines = [];
      const status = await client.status(key);
      if (status.httpStatus !== 200)
        throw new Error(`status read of a ${scenario} execution answered ${status.httpStatus}`);
      const statusReadLines = lines.filter((line) => line.functionId === "status-api").map((line) => line.line);
      if (report.endedAt === undefined) throw new Error(`execution ${report.executionArn} reported no end`);
      const deployedArn = asDeployed(report.executionArn);
      const machineLines = engine.stateMachineLogs.linesOf(report.executionArn).map(asDeployed);
      const stateMachineLines = Object.fromEntries(
        workflowTypes.map((type) => [
          type,
          machineLines.map((line) => line.replaceAll(deployedArn, executionArnAs(deployedArn, type))),
        ]),
      ) as Record<WorkflowType, string[]>;
      return {
        report,
        durationMs: report.endedAt - report.startedAt,
        lines: executionLines,
        stateMachineLines,
        statusReadLines,
      };
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
      scenarios.map((scenario) => [scenario, observedPath(scenario, samples[scenario])]),
    ) as Record<ScenarioName, ObservedPath>;
    const statusReads = scenarios.flatMap((scenario) => samples[scenario].map((sample) => sample.statusReadLines));
    return {
      stack: stack.stack,
      logLevel,
      stateMachineLogging: stack.stateMachine.logging,
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

function observedPath(scenario: ScenarioName, samples: readonly ExecutionSample[]): ObservedPath {
  const paths = new Set(samples.map((sample) => sample.report.path.join(" > ")));
  if (paths.size !== 1) throw new Error(`${scenario} executions took different paths: ${[...paths].join("; ")}`);
  const [first] = samples;
  if (!first) throw new Error(`no ${scenario} execution`);
  const invoked = engineFunctions
    .map((fn) => fn.id)
    .filter((id) => samples.some((sample) => sample.lines.some((line) => line.functionId === id)));
  const machineLogs = (type: WorkflowType) =>
    medianVolume(samples.map((sample) => logVolume(sample.stateMachineLines[type])));
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
