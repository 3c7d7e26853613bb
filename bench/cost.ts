// 7. Cost per million executions, from what was measured and AWS list prices (bench/prices.json):
//   - state transitions: the states each path entered when the rendered definition ran (bench/
//     round-trips.ts); Step Functions Standard bills every state entered, retries included;
//   - Lambda: one request per Task state entered; duration = each function's measured warm duration
//     (median, in-process against the local engines, rounded up to Lambda's 1 ms) x its memory, priced
//     by its architecture, both from the synthesized stack;
//   - DynamoDB: the request units DynamoDB reported for those calls (ReturnConsumedCapacity), S3 PUTs
//     and EventBridge events as counted;
//   - one status read per execution (API Gateway HTTP API request, the status function, its reads).
// Not included: Lambda INIT on cold starts, CloudWatch logs and metrics, X-Ray traces, storage, data
// transfer, the gateway's and tools' own costs, free tiers.
//
// The seed design's shape is computed the same way: its reference state machine (bench/seed-state-
// machine.asl.json: six Lambda tasks on the main line, no Choice after recording, no Succeed/Fail
// states) run through the same interpreter with stubbed tasks for the same scenarios; the same
// functions with the same measured durations and I/O, except that its recorders make three separate
// writes where ours make one transaction (the same items, standard instead of transactional units, two
// more sequential round trips) and its status read makes three GetItems where ours makes one BatchGetItem.
import { readFileSync } from "node:fs";
import { StateMachine, type StateMachineDefinition } from "aws-local-stepfunctions";
import type { EngineFunctionId } from "../infra/catalog.ts";
import type { ScenarioName } from "./executions.ts";
import type { RoundTripResult } from "./round-trips.ts";
import type { StackShape } from "./stack.ts";
import { round } from "./stats.ts";

export interface Prices {
  checked: string;
  region: string;
  lambda: { requestPerMillion: number; gbSecond: Record<string, number> };
  stepFunctions: { standardTransitionPerThousand: number };
  dynamodb: { onDemandWriteRequestUnitPerMillion: number; onDemandReadRequestUnitPerMillion: number };
  s3: { putPerThousand: number };
  eventBridge: { customEventPerMillion: number };
  apiGateway: { httpApiRequestPerMillion: number };
}

export function loadPrices(): Prices {
  return JSON.parse(readFileSync(new URL("./prices.json", import.meta.url), "utf8")) as Prices;
}

/** Status reads assumed per execution, for both designs: a caller checks the outcome once. */
export const STATUS_READS_PER_EXECUTION = 1;

/** The work one path does, per execution. */
export interface PathWork {
  transitions: number;
  invocations: { functionId: EngineFunctionId; ms: number }[];
  readUnits: number;
  writeUnits: number;
  s3Puts: number;
  events: number;
}

export interface StatusReadWork {
  ms: number;
  readUnits: number;
}

export interface CostLines {
  stepFunctions: number;
  lambdaRequests: number;
  lambdaDuration: number;
  dynamodbReads: number;
  dynamodbWrites: number;
  s3: number;
  eventBridge: number;
  statusReads: number;
  total: number;
}

export interface PathCost {
  transitions: number;
  lambdaInvocations: number;
  gbSeconds: number;
  readUnits: number;
  writeUnits: number;
  /** US dollars per million executions. */
  perMillion: CostLines;
}

export function costPerMillion(
  work: PathWork,
  statusRead: StatusReadWork,
  stack: StackShape,
  prices: Prices,
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
  const million = 1_000_000;
  const durations = work.invocations.map((invocation) => durationOf(invocation.functionId, invocation.ms));
  const statusDuration = durationOf("status-api", statusRead.ms);
  const perRead =
    prices.apiGateway.httpApiRequestPerMillion / million +
    prices.lambda.requestPerMillion / million +
    statusDuration.dollars +
    (statusRead.readUnits * prices.dynamodb.onDemandReadRequestUnitPerMillion) / million;
  const perExecution = {
    stepFunctions: (work.transitions * prices.stepFunctions.standardTransitionPerThousand) / 1000,
    lambdaRequests: (work.invocations.length * prices.lambda.requestPerMillion) / million,
    lambdaDuration: durations.reduce((sum, duration) => sum + duration.dollars, 0),
    dynamodbReads: (work.readUnits * prices.dynamodb.onDemandReadRequestUnitPerMillion) / million,
    dynamodbWrites: (work.writeUnits * prices.dynamodb.onDemandWriteRequestUnitPerMillion) / million,
    s3: (work.s3Puts * prices.s3.putPerThousand) / 1000,
    eventBridge: (work.events * prices.eventBridge.customEventPerMillion) / million,
    statusReads: STATUS_READS_PER_EXECUTION * perRead,
  };
  const perMillion = Object.fromEntries(
    Object.entries(perExecution).map(([line, dollars]) => [line, round(dollars * million, 2)]),
  ) as Omit<CostLines, "total">;
  return {
    transitions: work.transitions,
    lambdaInvocations: work.invocations.length,
    gbSeconds: round(
      durations.reduce((sum, duration) => sum + duration.gbSeconds, 0),
      4,
    ),
    readUnits: work.readUnits,
    writeUnits: work.writeUnits,
    perMillion: {
      ...perMillion,
      total: round(Object.values(perExecution).reduce((sum, dollars) => sum + dollars, 0) * million, 2),
    },
  };
}

/** Our design's work per path, from the measured runs. */
export function measuredWork(roundTrips: RoundTripResult, scenario: ScenarioName): PathWork {
  const path = roundTrips.paths[scenario];
  return {
    transitions: path.transitions,
    invocations: path.perFunction.map((row) => ({
      functionId: row.functionId as EngineFunctionId,
      ms: roundTrips.durationsMs[row.functionId as EngineFunctionId] ?? 0,
    })),
    readUnits: path.total.readUnits,
    writeUnits: path.total.writeUnits,
    s3Puts: path.total.operations.filter((operation) => operation === "S3.PutObject").length,
    events: path.total.EventBridge,
  };
}

export function measuredStatusRead(roundTrips: RoundTripResult): StatusReadWork {
  return { ms: roundTrips.durationsMs["status-api"] ?? 0, readUnits: roundTrips.statusRead.readUnits };
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

/** The seed shape's work on a path: its states, our functions' measured work, its separate recorder writes. */
export function seedWork(path: string[], roundTrips: RoundTripResult, scenario: ScenarioName): PathWork {
  const ours = roundTrips.paths[scenario].perFunction;
  const extraWriteMs = 2 * roundTrips.dynamodbRoundTripMs.write;
  const tasks = path.flatMap((state) => (seedTasks[state] ? [seedTasks[state]] : []));
  const rows = tasks.map((functionId) => {
    const row = ours.find((candidate) => candidate.functionId === functionId);
    if (!row) throw new Error(`the ${scenario} run of this design never invoked ${functionId}`);
    return { functionId, row };
  });
  return {
    transitions: path.length,
    invocations: rows.map(({ functionId }) => ({
      functionId,
      ms: (roundTrips.durationsMs[functionId] ?? 0) + (recorders.has(functionId) ? extraWriteMs : 0),
    })),
    readUnits: rows.reduce((sum, { row }) => sum + row.readUnits, 0),
    // Three standard writes of the same items cost half the transactional units.
    writeUnits: rows.reduce(
      (sum, { functionId, row }) => sum + (recorders.has(functionId) ? row.writeUnits / 2 : row.writeUnits),
      0,
    ),
    s3Puts: rows.reduce((sum, { row }) => sum + row.operations.filter((op) => op === "S3.PutObject").length, 0),
    events: rows.reduce((sum, { row }) => sum + row.EventBridge, 0),
  };
}

/** Three sequential GetItems (attempt, outcome, intent) instead of one BatchGetItem of two items. */
export function seedStatusRead(roundTrips: RoundTripResult): StatusReadWork {
  const ours = measuredStatusRead(roundTrips);
  return { ms: ours.ms + 2 * roundTrips.dynamodbRoundTripMs.read, readUnits: (ours.readUnits * 3) / 2 };
}

export interface CostResult {
  pricesChecked: string;
  region: string;
  statusReadsPerExecution: number;
  durationsSource: string;
  stacks: {
    stack: string;
    memoryMb: number[];
    architectures: string[];
    paths: Record<ScenarioName, { ours: PathCost; seed: PathCost; seedPath: string[]; ourPath: string[] }>;
  }[];
}

export async function computeCosts(
  roundTrips: RoundTripResult,
  stacks: readonly StackShape[],
  prices = loadPrices(),
): Promise<CostResult> {
  const scenarios: ScenarioName[] = ["happy", "preflightRejected", "compensated"];
  const seedPaths = Object.fromEntries(
    await Promise.all(scenarios.map(async (scenario) => [scenario, await seedPath(scenario)] as const)),
  ) as Record<ScenarioName, string[]>;
  return {
    pricesChecked: prices.checked,
    region: prices.region,
    statusReadsPerExecution: STATUS_READS_PER_EXECUTION,
    durationsSource: `median warm in-process durations over ${roundTrips.runs.happy} happy-path runs, ${roundTrips.runs.failures} of each failure path and ${roundTrips.runs.statusReads} status reads, against the local engines`,
    stacks: stacks.map((stack) => ({
      stack: stack.stack,
      memoryMb: [...new Set(stack.functions.map((fn) => fn.memoryMb))],
      architectures: [...new Set(stack.functions.map((fn) => fn.architecture))],
      paths: Object.fromEntries(
        scenarios.map((scenario) => [
          scenario,
          {
            ours: costPerMillion(measuredWork(roundTrips, scenario), measuredStatusRead(roundTrips), stack, prices),
            seed: costPerMillion(
              seedWork(seedPaths[scenario], roundTrips, scenario),
              seedStatusRead(roundTrips),
              stack,
              prices,
            ),
            seedPath: seedPaths[scenario],
            ourPath: roundTrips.paths[scenario].path,
          },
        ]),
      ) as CostResult["stacks"][number]["paths"],
    })),
  };
}
