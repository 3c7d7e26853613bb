// 7. Cost per million executions, each path priced on both workflow types from one model and the AWS list
// prices in bench/prices.json:
//   - Step Functions Standard: every state the path entered when the rendered definition ran (bench/
//     round-trips.ts), retries included; Express: one request per execution, plus its duration from the
//     start to its end (measured on the local engine, bench/observed-executions.ts) rounded
//     up to 100 ms, times the memory AWS's published formula gives (50 MB + the rendered definition + the
//     largest state payload Step Functions accepts, 256 KB, times the Parallel states; no Map state),
//     billed in 64 MB chunks. The execution's own memory use is not observable locally; the formula with
//     the largest payload bounds it from above;
//   - Lambda: one request per Task state entered; duration = each function's measured warm duration
//     (median, in-process against the local engines, rounded up to Lambda's 1 ms) x its memory, priced by
//     its architecture, both from the synthesized stack;
//   - DynamoDB: the request units DynamoDB reported for those calls (ReturnConsumedCapacity), the
//     idempotency table's included; S3 PUTs and EventBridge events as counted;
//   - CloudWatch Logs ingestion: the bytes of every line the functions wrote (log and EMF lines) on the
//     local engine at the stack's log level, plus the state machine's own log lines the local engine wrote
//     at the stack's level and includeExecutionData (local/state-machine-log.ts);
//   - X-Ray: one trace root per execution when the state machine traces (its functions follow its sampling
//     decision and join its trace), one per status read only when the status function's tracing is Active
//     (PassThrough starts none, and the HTTP API in front of it starts no traces); each root recorded at the
//     rule X-Ray applies to it: for executions, the stack's first sampling rule by priority that matches its
//     state machine (its name, origin AWS::StepFunctions::StateMachine), else X-Ray's default rule (the first
//     request each second and 5% of the rest), which is also what an Active status function's roots get.
//     A rule records its reservoir each second, at EXECUTIONS_PER_MONTH spread evenly, then its fixed rate of
//     the rest; roots under the same rule share its reservoir. Each recorded trace retrieved or scanned once;
//   - one status read per execution (API Gateway HTTP API request, the status function, its reads, its
//     log lines and trace).
// Measured (and so moving a little between runs): Lambda durations and Express durations. Counted or
// derived exactly: transitions, requests, request units, PUTs, events, log bytes, traces.
// Not included: Lambda INIT and cold-start log lines, Lambda's own platform log lines (START/REPORT, the
// same per invocation for both designs), CloudWatch custom metrics (per metric and month, not per
// execution), alarms, dashboards, log storage and Logs Insights queries, storage, data transfer, the
// gateway's and tools' own costs, free tiers; on AWS an Express execution also waits for each Lambda
// invoke's round trip, which the local engine does not have, so its billed duration there is longer.
//
// The seed design's shape is computed the same way: its reference state machine (bench/seed-state-
// machine.asl.json: six Lambda tasks on the main line, no Choice after recording, no Succeed/Fail
// states) run through the same interpreter with stubbed tasks for the same scenarios, as a Standard
// workflow (its only type); the same functions with the same measured durations and I/O, except that its
// recorders make three separate writes where ours make one transaction (the same items, standard instead
// of transactional units, two more sequential round trips), it has no idempotency table, and its status
// read makes three GetItems where ours makes one BatchGetItem. The same logs and X-Ray model applies
// where the seed would incur them: its functions' log lines (ours at the same level, without the EMF
// metric lines it does not emit; its handlers also log an INFO line as each is invoked, which ours do not,
// so its logs are counted low by about that line per invocation); its CDK state machine configures no
// logging and no tracing, so no state machine log events and no traces.
import { readFileSync } from "node:fs";
import { StateMachine, type StateMachineDefinition } from "aws-local-stepfunctions";
import type { EngineFunctionId } from "../infra/catalog.ts";
import type { AslDefinition } from "../infra/workflow/definition.ts";
import { STATE_MACHINE_SERVICE_TYPE } from "../infra/workflow/trace-sampling.ts";
import type { WorkflowType } from "../infra/workflow/workflow-type.ts";
import type { ScenarioName } from "./executions.ts";
import type { ObservedPath, ObservedStack } from "./observed-executions.ts";
import type { PathResult, RoundTripResult } from "./round-trips.ts";
import type { StackShape } from "./stack.ts";
import { round } from "./stats.ts";

export interface Prices {
  checked: string;
  region: string;
  lambda: { requestPerMillion: number; gbSecond: Record<string, number> };
  stepFunctions: {
    standardTransitionPerThousand: number;
    expressRequestPerMillion: number;
    expressGbSecond: number;
    expressBilling: { durationIncrementMs: number; memoryIncrementMb: number; baseMemoryMb: number };
    checked: string;
  };
  dynamodb: { onDemandWriteRequestUnitPerMillion: number; onDemandReadRequestUnitPerMillion: number };
  s3: { putPerThousand: number };
  eventBridge: { customEventPerMillion: number };
  apiGateway: { httpApiRequestPerMillion: number };
  cloudWatchLogs: { ingestionPerGb: number; bytesPerGb: number; checked: string };
  xRay: {
    traceRecordedPerMillion: number;
    traceRetrievedOrScannedPerMillion: number;
    defaultSamplingRule: { reservoirPerSecond: number; fixedRate: number };
    checked: string;
  };
}

export function loadPrices(): Prices {
  return JSON.parse(readFileSync(new URL("./prices.json", import.meta.url), "utf8")) as Prices;
}

/** Status reads assumed per execution, for both designs: a caller checks the outcome once. */
export const STATUS_READS_PER_EXECUTION = 1;
/** The volume X-Ray's sampling is judged at: a month of a million executions, spread evenly. */
export const EXECUTIONS_PER_MONTH = 1_000_000;
const SECONDS_PER_MONTH = 30 * 24 * 3600;
/** Step Functions' largest state input or output: what an execution's data can be at most. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
/** Times each recorded trace is retrieved or scanned (the console's trace list and map read each once). */
export const SCANS_PER_RECORDED_TRACE = 1;

/** The work one path does, per execution. */
export interface PathWork {
  transitions: number;
  /** The execution's start to its end, milliseconds: what Express bills. */
  durationMs: number;
  invocations: { functionId: EngineFunctionId; ms: number }[];
  readUnits: number;
  writeUnits: number;
  /** Of those, the idempotency table's (the tool call's Powertools idempotency records). */
  idempotencyUnits: { readUnits: number; writeUnits: number };
  s3Puts: number;
  events: number;
  /** Bytes of the functions' log events (log and EMF lines). */
  functionLogBytes: number;
  /** Bytes of the state machine's own log events, by the workflow type its ARNs name. */
  stateMachineLogBytes: Record<WorkflowType, number>;
  /** Traces the execution starts before sampling: 1 when the state machine traces, else 0. */
  traces: number;
}

export interface StatusReadWork {
  ms: number;
  readUnits: number;
  logBytes: number;
  /** 1 when the status function starts traces of its own (tracing Active), else 0. */
  traces: number;
}

export interface CostLines {
  stepFunctions: number;
  lambdaRequests: number;
  lambdaDuration: number;
  dynamodbReads: number;
  dynamodbWrites: number;
  s3: number;
  eventBridge: number;
  logs: number;
  xRay: number;
  statusReads: number;
  total: number;
}

export interface PathCost {
  workflowType: WorkflowType;
  transitions: number;
  /** Express: the billed duration and memory. */
  billedMs?: number;
  billedMemoryMb?: number;
  lambdaInvocations: number;
  gbSeconds: number;
  readUnits: number;
  writeUnits: number;
  idempotencyWriteUnits: number;
  logBytes: number;
  tracesRecorded: number;
  /** US dollars per million executions. */
  perMillion: CostLines;
}

/** How the stack bills an execution: its workflow type, the Express memory it would bill, its trace sampling. */
export interface Billing {
  workflowType: WorkflowType;
  expressMemoryMb: number;
  /** Share of each kind of trace root X-Ray records, by the rule it falls under. */
  sampledFraction: { execution: number; statusRead: number };
}

const million = 1_000_000;

export function costPerMillion(
  work: PathWork,
  statusRead: StatusReadWork,
  stack: Pick<StackShape, "stack" | "functions">,
  prices: Prices,
  billing: Billing,
): PathCost {
  const fn = (id: EngineFunctionId) => {
    const deployed = stack.functions.find((candidate) => candidate.id === id);
    if (!deployed) throw new Error(`stack ${stack.stack} has no function ${id}`);
    const gbSecond = prices.lambda.gbSecond[deployed.architecture];
    if (gbSecond === undefined) throw new Error(`no Lambda price for ${deployed.architecture}`);
    return { memoryGb: deployed.memoryMb / 1024, gbSecond };
  };
  const durationOf = (id: EngineFunctionId, ms: number) => {
    const { memoryGb, gbSecond } = fn(id);
    const gbSeconds = (Math.ceil(ms) / 1000) * memoryGb;
    return { gbSeconds, dollars: gbSeconds * gbSecond };
  };
  const logDollars = (bytes: number) =>
    (bytes / prices.cloudWatchLogs.bytesPerGb) * prices.cloudWatchLogs.ingestionPerGb;
  const traceDollars = (traces: number, sampled: number) =>
    (traces *
      sampled *
      (prices.xRay.traceRecordedPerMillion +
        SCANS_PER_RECORDED_TRACE * prices.xRay.traceRetrievedOrScannedPerMillion)) /
    million;
  const sfn = prices.stepFunctions;
  const express = expressBilled(work.durationMs, billing.expressMemoryMb, prices);
  const durations = work.invocations.map((invocation) => durationOf(invocation.functionId, invocation.ms));
  const statusDuration = durationOf("status-api", statusRead.ms);
  const perRead =
    prices.apiGateway.httpApiRequestPerMillion / million +
    prices.lambda.requestPerMillion / million +
    statusDuration.dollars +
    (statusRead.readUnits * prices.dynamodb.onDemandReadRequestUnitPerMillion) / million +
    logDollars(statusRead.logBytes) +
    traceDollars(statusRead.traces, billing.sampledFraction.statusRead);
  const logBytes = work.functionLogBytes + work.stateMachineLogBytes[billing.workflowType];
  const perExecution = {
    stepFunctions:
      billing.workflowType === "STANDARD"
        ? (work.transitions * sfn.standardTransitionPerThousand) / 1000
        : sfn.expressRequestPerMillion / million + express.gbSeconds * sfn.expressGbSecond,
    lambdaRequests: (work.invocations.length * prices.lambda.requestPerMillion) / million,
    lambdaDuration: durations.reduce((sum, duration) => sum + duration.dollars, 0),
    dynamodbReads: (work.readUnits * prices.dynamodb.onDemandReadRequestUnitPerMillion) / million,
    dynamodbWrites: (work.writeUnits * prices.dynamodb.onDemandWriteRequestUnitPerMillion) / million,
    s3: (work.s3Puts * prices.s3.putPerThousand) / 1000,
    eventBridge: (work.events * prices.eventBridge.customEventPerMillion) / million,
    logs: logDollars(logBytes),
    xRay: traceDollars(work.traces, billing.sampledFraction.execution),
    statusReads: STATUS_READS_PER_EXECUTION * perRead,
  };
  const perMillion = Object.fromEntries(
    Object.entries(perExecution).map(([line, dollars]) => [line, round(dollars * million, 2)]),
  ) as Omit<CostLines, "total">;
  return {
    workflowType: billing.workflowType,
    transitions: work.transitions,
    ...(billing.workflowType === "EXPRESS" ? { billedMs: express.ms, billedMemoryMb: billing.expressMemoryMb } : {}),
    lambdaInvocations: work.invocations.length,
    gbSeconds: round(
      durations.reduce((sum, duration) => sum + duration.gbSeconds, 0),
      4,
    ),
    readUnits: work.readUnits,
    writeUnits: work.writeUnits,
    idempotencyWriteUnits: work.idempotencyUnits.writeUnits,
    logBytes,
    tracesRecorded: round(work.traces * billing.sampledFraction.execution, 4),
    perMillion: {
      ...perMillion,
      total: round(Object.values(perExecution).reduce((sum, dollars) => sum + dollars, 0) * million, 2),
    },
  };
}

/** Express's billed duration (100 ms steps) and GB-seconds at the billed memory. */
export function expressBilled(durationMs: number, memoryMb: number, prices: Prices) {
  const step = prices.stepFunctions.expressBilling.durationIncrementMs;
  const ms = Math.max(step, Math.ceil(durationMs / step) * step);
  return { ms, gbSeconds: (ms / 1000) * (memoryMb / 1024) };
}

/**
 * The memory Express bills an execution of `definition`, by AWS's formula (pricing example 3): 50 MB +
 * the definition + the execution's data x the Parallel or Map steps, in 64 MB chunks. The data is taken at
 * the largest payload Step Functions accepts, so the figure holds for any execution.
 */
export function expressMemoryMb(definition: AslDefinition, prices: Prices): number {
  const states = Object.entries(definition.States);
  const maps = states.filter(([, state]) => state.Type === "Map").map(([name]) => name);
  if (maps.length) throw new Error(`Express memory of a Map state (${maps.join(", ")}) depends on its iterations`);
  const parallels = states.filter(([, state]) => state.Type === "Parallel").length;
  const { baseMemoryMb, memoryIncrementMb } = prices.stepFunctions.expressBilling;
  const mb = (bytes: number) => bytes / (1024 * 1024);
  const used =
    baseMemoryMb + mb(Buffer.byteLength(JSON.stringify(definition))) + mb(MAX_PAYLOAD_BYTES) * Math.max(1, parallels);
  return Math.ceil(used / memoryIncrementMb) * memoryIncrementMb;
}

/** A sampling rule as X-Ray applies it: its reservoir each second, then its fixed rate of the rest. */
export interface SamplingRate {
  /** The rule's name; `default` for X-Ray's default rule. */
  rule: string;
  reservoirPerSecond: number;
  fixedRate: number;
}

/**
 * Share of requests a sampling rule records at `requestsPerSecond` spread evenly: its reservoir each
 * second, then its fixed rate of the rest.
 */
export function sampledFraction(
  requestsPerSecond: number,
  rule: Pick<SamplingRate, "reservoirPerSecond" | "fixedRate">,
): number {
  if (requestsPerSecond <= 0) return 1;
  const reservoir = Math.min(requestsPerSecond, rule.reservoirPerSecond);
  return (reservoir + rule.fixedRate * (requestsPerSecond - reservoir)) / requestsPerSecond;
}

/** Each group's recorded share, the groups under one rule sharing its reservoir. */
export function sampledShares(groups: { rule: SamplingRate; perSecond: number }[]): number[] {
  return groups.map(({ rule }) =>
    sampledFraction(
      groups.filter((group) => group.rule.rule === rule.rule).reduce((sum, group) => sum + group.perSecond, 0),
      rule,
    ),
  );
}

/** X-Ray's wildcards in a sampling rule's string fields: `*` any run of characters, `?` any one. */
export function wildcardMatches(pattern: string, value: string): boolean {
  const source = [...pattern]
    .map((char) => (char === "*" ? ".*" : char === "?" ? "." : char.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`).test(value);
}

/**
 * The rule X-Ray applies to the state machine's executions: the stack's first by priority whose service
 * fields match it, else the default (https://docs.aws.amazon.com/xray/latest/devguide/xray-console-sampling.html).
 * A rule that also narrows the request is refused: which executions it matches is not known here.
 */
export function executionSamplingRule(
  stack: Pick<StackShape, "stack" | "stateMachine" | "samplingRules">,
  defaultRule: Prices["xRay"]["defaultSamplingRule"],
): SamplingRate {
  const [rule] = stack.samplingRules
    .filter(
      (candidate) =>
        wildcardMatches(candidate.serviceName, stack.stateMachine.name) &&
        wildcardMatches(candidate.serviceType, STATE_MACHINE_SERVICE_TYPE),
    )
    .sort((a, b) => a.priority - b.priority);
  if (!rule) return { rule: "default", ...defaultRule };
  const requestFields = [rule.resourceArn, rule.host, rule.httpMethod, rule.urlPath];
  if (requestFields.some((field) => field !== "*") || Object.keys(rule.attributes).length) {
    throw new Error(
      `stack ${stack.stack}: sampling rule ${rule.name} matches the state machine on request fields too; the cost model prices rules that match by service alone`,
    );
  }
  return { rule: rule.name, reservoirPerSecond: rule.reservoirSize, fixedRate: rule.fixedRate };
}

/** Trace roots per execution and per status read, as the stack's tracing settings start them. */
export function traceRoots(stack: Pick<StackShape, "stack" | "functions" | "stateMachine">) {
  const statusApi = stack.functions.find((fn) => fn.id === "status-api");
  const activeTasks = stack.functions.filter((fn) => fn.id !== "status-api" && fn.tracingMode === "Active");
  // Without the state machine's trace, each Active function samples its own invocations as separate traces.
  if (!stack.stateMachine.tracing && activeTasks.length) {
    throw new Error(`stack ${stack.stack}: Active functions under an untraced state machine are not modelled`);
  }
  return { execution: stack.stateMachine.tracing ? 1 : 0, statusRead: statusApi?.tracingMode === "Active" ? 1 : 0 };
}

const idempotencyTable = "idempotency";

/** Our design's work per path: counted round trips, measured durations, observed logs. */
export function measuredWork(
  roundTrips: Pick<RoundTripResult, "paths" | "durationsMs">,
  observed: ObservedPath,
  scenario: ScenarioName,
  traces: number,
): PathWork {
  const path = roundTrips.paths[scenario];
  if (path.path.join(">") !== observed.path.join(">")) {
    throw new Error(
      `${scenario}: the local engine ran ${observed.path.join(" > ")}, in process ${path.path.join(" > ")}`,
    );
  }
  return {
    transitions: path.transitions,
    durationMs: observed.durationMs,
    invocations: path.perFunction.map((row) => ({
      functionId: row.functionId as EngineFunctionId,
      ms: roundTrips.durationsMs[row.functionId as EngineFunctionId] ?? 0,
    })),
    readUnits: path.total.readUnits,
    writeUnits: path.total.writeUnits,
    idempotencyUnits: path.total.unitsByTable[idempotencyTable] ?? { readUnits: 0, writeUnits: 0 },
    s3Puts: path.total.operations.filter((operation) => operation === "S3.PutObject").length,
    events: path.total.EventBridge,
    functionLogBytes: observed.functionLogs.reduce((sum, row) => sum + row.bytes, 0),
    stateMachineLogBytes: {
      STANDARD: observed.stateMachineLogs.STANDARD.bytes,
      EXPRESS: observed.stateMachineLogs.EXPRESS.bytes,
    },
    traces,
  };
}

export function measuredStatusRead(
  roundTrips: Pick<RoundTripResult, "durationsMs" | "statusRead">,
  observed: Pick<ObservedStack, "statusRead">,
  traces: number,
): StatusReadWork {
  return {
    ms: roundTrips.durationsMs["status-api"] ?? 0,
    readUnits: roundTrips.statusRead.readUnits,
    logBytes: observed.statusRead.bytes,
    traces,
  };
}

/** The seed's Task states and the function of ours that does the same work. */
const seedTasks: Record<string, EngineFunctionId> = {
  StartExecution: "execution-starter",
  ValidatePreflight: "execution-validator",
  MapActionToTool: "tool-mapper",
  InvokeTool: "tool-invoker",
  CompensateAction: "compensation",
  RecordOutcome: "execution-recorder",
  RecordFailure: "execution-failure-recorder",
};
const recorders = new Set<EngineFunctionId>(["execution-recorder", "execution-failure-recorder"]);

export function loadSeedDefinition(): StateMachineDefinition {
  return JSON.parse(
    readFileSync(new URL("./seed-state-machine.asl.json", import.meta.url), "utf8"),
  ) as StateMachineDefinition;
}

class StubError extends Error {
  constructor(name: string) {
    super(`stub: ${name}`);
    this.name = name;
  }
}

/** What each seed task answers in a scenario (its output replaces or extends the state as the seed ASL says). */
const seedStubs: Record<ScenarioName, Record<string, () => unknown>> = {
  happy: { InvokeTool: () => ({ success: true, external_object_refs: [{ object_id: "1" }] }) },
  preflightRejected: {
    ValidatePreflight: () => {
      throw new StubError("KillSwitchError");
    },
  },
  compensated: {
    MapActionToTool: () => ({ compensation_strategy: "AUTOMATIC" }),
    InvokeTool: () => ({ success: false, external_object_refs: [{ object_id: "1" }] }),
  },
};

/** Runs the seed's definition on aws-local-stepfunctions with stubbed tasks: the states each scenario enters. */
export async function seedPath(scenario: ScenarioName, definition = loadSeedDefinition()): Promise<string[]> {
  const machine = new StateMachine(definition, { validationOptions: { checkArn: false, checkPaths: false } });
  const stubs = seedStubs[scenario];
  const handlers = Object.fromEntries(
    Object.keys(seedTasks).map((state) => [state, async () => (stubs[state] ?? (() => ({})))() as never]),
  );
  const execution = machine.run({ action_intent_id: "i", tenant_id: "t", account_id: "a" } as never, {
    overrides: { taskResourceLocalHandlers: handlers },
  });
  const path: string[] = [];
  const logging = (async () => {
    for await (const log of execution.eventLogs) if (log.type === "StateEntered") path.push(log.state.name);
  })();
  await execution.result.catch(() => undefined);
  await logging;
  return path;
}

/**
 * The seed shape's work on a path: its states, our functions' measured work and log lines without their
 * EMF lines, its separate recorder writes, no idempotency table, no state machine logs, no traces.
 */
export function seedWork(
  path: string[],
  roundTrips: Pick<RoundTripResult, "durationsMs" | "dynamodbRoundTripMs"> & {
    paths: Record<ScenarioName, Pick<PathResult, "perFunction">>;
  },
  observed: Pick<ObservedPath, "functionLogs">,
  scenario: ScenarioName,
): PathWork {
  const ours = roundTrips.paths[scenario].perFunction;
  const extraWriteMs = 2 * roundTrips.dynamodbRoundTripMs.write;
  const tasks = path.flatMap((state) => (seedTasks[state] ? [seedTasks[state]] : []));
  const rows = tasks.map((functionId) => {
    const row = ours.find((candidate) => candidate.functionId === functionId);
    if (!row) throw new Error(`the ${scenario} run of this design never invoked ${functionId}`);
    const idempotency = row.unitsByTable[idempotencyTable] ?? { readUnits: 0, writeUnits: 0 };
    return { functionId, row, idempotency };
  });
  const logs = (functionId: EngineFunctionId) => {
    const row = observed.functionLogs.find((candidate) => candidate.functionId === functionId);
    return row ? row.bytes - row.emfBytes : 0;
  };
  return {
    transitions: path.length,
    durationMs: 0,
    invocations: rows.map(({ functionId }) => ({
      functionId,
      ms: (roundTrips.durationsMs[functionId] ?? 0) + (recorders.has(functionId) ? extraWriteMs : 0),
    })),
    readUnits: rows.reduce((sum, { row, idempotency }) => sum + row.readUnits - idempotency.readUnits, 0),
    // Three standard writes of the same items cost half the transactional units.
    writeUnits: rows.reduce(
      (sum, { functionId, row, idempotency }) =>
        sum + (recorders.has(functionId) ? row.writeUnits / 2 : row.writeUnits - idempotency.writeUnits),
      0,
    ),
    idempotencyUnits: { readUnits: 0, writeUnits: 0 },
    s3Puts: rows.reduce((sum, { row }) => sum + row.operations.filter((op) => op === "S3.PutObject").length, 0),
    events: rows.reduce((sum, { row }) => sum + row.EventBridge, 0),
    functionLogBytes: rows.reduce((sum, { functionId }) => sum + logs(functionId), 0),
    stateMachineLogBytes: { STANDARD: 0, EXPRESS: 0 },
    traces: 0,
  };
}

/** Three sequential GetItems (attempt, outcome, intent) instead of one BatchGetItem of two items; no trace. */
export function seedStatusRead(
  roundTrips: Pick<RoundTripResult, "durationsMs" | "statusRead" | "dynamodbRoundTripMs">,
  observed: Pick<ObservedStack, "statusRead">,
): StatusReadWork {
  const ours = measuredStatusRead(roundTrips, observed, 0);
  return {
    ms: ours.ms + 2 * roundTrips.dynamodbRoundTripMs.read,
    readUnits: (ours.readUnits * 3) / 2,
    logBytes: observed.statusRead.bytes - observed.statusRead.emfBytes,
    traces: 0,
  };
}

export const workflowTypes: WorkflowType[] = ["STANDARD", "EXPRESS"];

export interface PathCosts {
  ours: Record<WorkflowType, PathCost>;
  seed: PathCost;
  /** Ours as a percentage of the seed shape's total, by workflow type. */
  percentOfSeed: Record<WorkflowType, number>;
  ourPath: string[];
  seedPath: string[];
  /** Median measured duration on the local engine, and the runs it is the median of. */
  durationMs: number;
  durationsMs: number[];
}

export interface StackCost {
  stack: string;
  memoryMb: number[];
  architectures: string[];
  /** The type the stack deploys; both are priced. */
  deployedType: WorkflowType;
  logLevel: string;
  stateMachineLogging: StackShape["stateMachine"]["logging"];
  /** The executions' sampling rule, described, and the share of executions it records. */
  tracing: { stateMachine: boolean; statusApi: boolean; samplingRule: string; sampledFraction: number };
  expressMemoryMb: number;
  /**
   * The happy path's share of the original shape at other monthly volumes: a rule's reservoir records a fixed
   * number of executions each second, so the share traced, and its cost, falls as volume grows toward the
   * rule's fixed rate (a rule without a reservoir records the same share at any volume).
   */
  happyAtVolumes: {
    executionsPerMonth: number;
    sampledFraction: number;
    percentOfSeed: Record<WorkflowType, number>;
  }[];
  /** What each further 100 ms of an Express execution adds, dollars per million executions. */
  expressPer100MsPerMillion: number;
  paths: Record<ScenarioName, PathCosts>;
}

export interface CostResult {
  pricesChecked: string;
  region: string;
  statusReadsPerExecution: number;
  executionsPerMonth: number;
  durationsSource: string;
  stacks: StackCost[];
}

export const scenarioOrder: ScenarioName[] = ["happy", "preflightRejected", "compensated"];

export async function computeCosts(
  roundTrips: RoundTripResult,
  stacks: readonly StackShape[],
  observed: readonly ObservedStack[],
  prices = loadPrices(),
): Promise<CostResult> {
  const seedPaths = Object.fromEntries(
    await Promise.all(scenarioOrder.map(async (scenario) => [scenario, await seedPath(scenario)] as const)),
  ) as Record<ScenarioName, string[]>;
  const checked = [prices.checked, prices.stepFunctions.checked, prices.cloudWatchLogs.checked, prices.xRay.checked];
  return {
    pricesChecked: [...new Set(checked)].sort().join(" to "),
    region: prices.region,
    statusReadsPerExecution: STATUS_READS_PER_EXECUTION,
    executionsPerMonth: EXECUTIONS_PER_MONTH,
    durationsSource: `median warm in-process durations over ${roundTrips.runs.happy} happy-path runs, ${roundTrips.runs.failures} of each failure path and ${roundTrips.runs.statusReads} status reads, against the local engines`,
    stacks: stacks.map((stack) => {
      const seen = observed.find((candidate) => candidate.stack === stack.stack);
      if (!seen) throw new Error(`no executions observed at stack ${stack.stack}'s logging settings`);
      return stackCost(stack, seen, roundTrips, seedPaths, prices);
    }),
  };
}

/** Monthly volumes the happy path is also priced at, beside EXECUTIONS_PER_MONTH. */
export const SENSITIVITY_VOLUMES = [10_000_000, 100_000_000];

function stackCost(
  stack: StackShape,
  observed: ObservedStack,
  roundTrips: RoundTripResult,
  seedPaths: Record<ScenarioName, string[]>,
  prices: Prices,
): StackCost {
  const roots = traceRoots(stack);
  const executionRule = executionSamplingRule(stack, prices.xRay.defaultSamplingRule);
  const statusReadRule: SamplingRate = { rule: "default", ...prices.xRay.defaultSamplingRule };
  const memoryMb = expressMemoryMb(stack.definition, prices);
  const statusRead = measuredStatusRead(roundTrips, observed, roots.statusRead);
  const seedStatus = seedStatusRead(roundTrips, observed);
  const at = (executionsPerMonth: number) => {
    const perSecond = (rootsPerExecution: number) => (executionsPerMonth * rootsPerExecution) / SECONDS_PER_MONTH;
    const [execution = 1, statusReads = 1] = sampledShares([
      { rule: executionRule, perSecond: perSecond(roots.execution) },
      { rule: statusReadRule, perSecond: perSecond(STATUS_READS_PER_EXECUTION * roots.statusRead) },
    ]).map((share) => round(share, 4));
    const billing = (workflowType: WorkflowType): Billing => ({
      workflowType,
      expressMemoryMb: memoryMb,
      sampledFraction: { execution, statusRead: statusReads },
    });
    const paths = Object.fromEntries(
      scenarioOrder.map((scenario) => {
        const seen = observed.paths[scenario];
        const work = measuredWork(roundTrips, seen, scenario, roots.execution);
        const ours = Object.fromEntries(
          workflowTypes.map((type) => [type, costPerMillion(work, statusRead, stack, prices, billing(type))]),
        ) as Record<WorkflowType, PathCost>;
        const seed = costPerMillion(
          seedWork(seedPaths[scenario], roundTrips, seen, scenario),
          seedStatus,
          stack,
          prices,
          billing("STANDARD"),
        );
        const percent = (cost: PathCost) => round((cost.perMillion.total / seed.perMillion.total) * 100, 1);
        const costs: PathCosts = {
          ours,
          seed,
          percentOfSeed: { STANDARD: percent(ours.STANDARD), EXPRESS: percent(ours.EXPRESS) },
          ourPath: roundTrips.paths[scenario].path,
          seedPath: seedPaths[scenario],
          durationMs: seen.durationMs,
          durationsMs: seen.durationsMs,
        };
        return [scenario, costs];
      }),
    ) as Record<ScenarioName, PathCosts>;
    return { fraction: execution, paths };
  };
  const { fraction, paths } = at(EXECUTIONS_PER_MONTH);
  return {
    stack: stack.stack,
    memoryMb: [...new Set(stack.functions.map((fn) => fn.memoryMb))],
    architectures: [...new Set(stack.functions.map((fn) => fn.architecture))],
    deployedType: stack.stateMachine.type,
    logLevel: observed.logLevel,
    stateMachineLogging: stack.stateMachine.logging,
    tracing: {
      stateMachine: stack.stateMachine.tracing,
      statusApi: roots.statusRead === 1,
      samplingRule: `${executionRule.rule === "default" ? "X-Ray's default" : executionRule.rule} (${executionRule.reservoirPerSecond}/s + ${round(executionRule.fixedRate * 100, 2)}%)`,
      sampledFraction: fraction,
    },
    expressMemoryMb: memoryMb,
    happyAtVolumes: SENSITIVITY_VOLUMES.map((executionsPerMonth) => {
      const other = at(executionsPerMonth);
      return {
        executionsPerMonth,
        sampledFraction: other.fraction,
        percentOfSeed: other.paths.happy.percentOfSeed,
      };
    }),
    expressPer100MsPerMillion: round(0.1 * (memoryMb / 1024) * prices.stepFunctions.expressGbSecond * million, 2),
    paths,
  };
}

/** The stack the budgets and the README's lines speak of: prod, the one whose bill matters. */
export function primaryStack(cost: CostResult): StackCost | undefined {
  return cost.stacks.find((stack) => stack.stack === "prod") ?? cost.stacks[0];
}

const scenarioLabels: Record<ScenarioName, string> = {
  happy: "happy path",
  preflightRejected: "preflight rejected",
  compensated: "compensated write",
};
const typeLabels: Record<WorkflowType, string> = { STANDARD: "Standard", EXPRESS: "Express" };

/** One line per workflow type and path: "Express happy path: $X.XX per million (Y% of the original design's shape)". */
export function costSummaryLines(stack: StackCost): string[] {
  return workflowTypes.flatMap((type) =>
    scenarioOrder.map((scenario) => {
      const path = stack.paths[scenario];
      return (
        `${typeLabels[type]} ${scenarioLabels[scenario]}: $${path.ours[type].perMillion.total.toFixed(2)} per million ` +
        `(${path.percentOfSeed[type]}% of the original design's shape, $${path.seed.perMillion.total.toFixed(2)})`
      );
    }),
  );
}
