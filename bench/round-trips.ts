// 6. Round trips: DynamoDB, S3, EventBridge and HTTP calls per happy-path execution and per status read,
// counted on the functions' own SDK clients (bench/call-log.ts) while the rendered state machine runs
// the handlers in this process (bench/executions.ts). The first execution in a fresh process is reported
// apart: it also fetches the gateway's OAuth token, its client secret and opens the MCP session, which
// warm containers reuse. The same runs give each function's warm duration for the cost model.
import type { EngineFunctionId } from "../infra/catalog.ts";
import type { ExecutionReport } from "../local/state-machine.ts";
import {
  addRoundTrips,
  type CallLog,
  dynamoWriteOperations,
  type RoundTrips,
  roundTripsOf,
  type SdkCall,
  startCallLog,
  type WireCall,
  type WireTarget,
  wireMismatches,
} from "./call-log.ts";
import { childMain } from "./child-process.ts";
import { createExecutionRunner, type ExecutionRun, roundTripsPerInvocation, type ScenarioName } from "./executions.ts";
import {
  type EngineFunctions,
  type FunctionHost,
  hostFunctions,
  loadEngineFunctions,
  type ServicesDescriptor,
} from "./function-host.ts";
import { median, round } from "./stats.ts";

export interface PathResult {
  status: ExecutionReport["status"];
  path: string[];
  /** States entered: what Step Functions bills as state transitions (retries would add more). */
  transitions: number;
  lambdaInvocations: number;
  perFunction: (RoundTrips & { state: string; functionId: string })[];
  total: RoundTrips;
}

export interface RoundTripResult {
  /** The first happy-path execution in a fresh process (token, secret and MCP session included). */
  happyCold: PathResult;
  /** Warm executions: the last run of each scenario. */
  paths: Record<ScenarioName, PathResult>;
  /** Problems: warm runs of a scenario that did not all make the same calls. */
  inconsistentRuns: string[];
  statusRead: RoundTrips;
  listRead: RoundTrips & { items: number };
  /** SDK-counted versus wire-counted round trips, per AWS service; empty when they agree. */
  wireMismatches: string[];
  runs: { happy: number; failures: number; statusReads: number };
  /** Median warm wall time per invocation, per function, in this process against the local engines. */
  durationsMs: Partial<Record<EngineFunctionId, number>>;
  /** Median DynamoDB round trip on the local engine, by kind. */
  dynamodbRoundTripMs: { read: number; write: number };
}

export interface RoundTripPlan {
  /** Unreported happy-path runs after the first, so durations are not those of a cold JIT and JVM. */
  warmupRuns: number;
  happyRuns: number;
  failureRuns: number;
  statusReads: number;
}

function pathResult(run: ExecutionRun): PathResult {
  const perFunction = roundTripsPerInvocation(run);
  return {
    status: run.status,
    path: run.path,
    transitions: run.path.length,
    lambdaInvocations: run.invocations.length,
    perFunction,
    total: addRoundTrips(perFunction),
  };
}

/** Calls a function sends in parallel (the validator's intent and controls reads) are logged as they end, in either order. */
const signature = (result: PathResult) =>
  JSON.stringify({
    path: result.path,
    calls: result.perFunction.map((row) => [row.functionId, [...row.operations].sort()]),
  });

export async function measureRoundTrips(
  host: FunctionHost,
  functions: EngineFunctions,
  log: CallLog,
  plan: RoundTripPlan,
  progress: (message: string) => void = () => {},
): Promise<RoundTripResult> {
  const runner = createExecutionRunner(host, functions, log);
  const durations = new Map<EngineFunctionId, number[]>();
  const inconsistentRuns: string[] = [];
  // Only what the functions sent: the runner's own seeding writes go to the same DynamoDB endpoint.
  const attributed: { sdk: SdkCall[]; wire: WireCall[] } = { sdk: [], wire: [] };
  const attribute = (calls: { sdk: SdkCall[]; wire: WireCall[] }) => {
    attributed.sdk.push(...calls.sdk);
    attributed.wire.push(...calls.wire);
  };
  const collect = (run: ExecutionRun) => {
    for (const invocation of run.invocations) {
      attribute(invocation.calls);
      durations.set(invocation.functionId, [...(durations.get(invocation.functionId) ?? []), invocation.ms]);
    }
  };

  const cold = await runner.run("happy");
  if (cold.run.status !== "SUCCEEDED") throw new Error(`the happy path ended ${cold.run.path.at(-1)}`);
  for (const invocation of cold.run.invocations) attribute(invocation.calls);
  for (let index = 0; index < plan.warmupRuns; index++) await runner.run("happy");
  progress(`round trips: cold run and ${plan.warmupRuns} warm-up runs`);
  const paths = {} as Record<ScenarioName, PathResult>;
  const plans: [ScenarioName, number][] = [
    ["happy", plan.happyRuns],
    ["preflightRejected", plan.failureRuns],
    ["compensated", plan.failureRuns],
  ];
  let lastHappy = cold.intent;
  for (const [scenario, runs] of plans) {
    let first: string | undefined;
    for (let index = 0; index < Math.max(1, runs); index++) {
      const { intent, run } = await runner.run(scenario);
      collect(run);
      const result = pathResult(run);
      first ??= signature(result);
      if (signature(result) !== first) inconsistentRuns.push(`${scenario} run ${index + 1} differs from run 1`);
      paths[scenario] = result;
      if (scenario === "happy") lastHappy = intent;
    }
    progress(`round trips: ${scenario} x${Math.max(1, runs)}`);
  }

  const statusReads: { ms: number; calls: ReturnType<CallLog["since"]> }[] = [];
  for (let index = 0; index < Math.max(1, plan.statusReads); index++)
    statusReads.push(await runner.statusRead(lastHappy));
  durations.set(
    "status-api",
    statusReads.map((read) => read.ms),
  );
  await runner.seedListAccount();
  const list = await runner.listRead();
  const last = statusReads.at(-1) as (typeof statusReads)[number];
  for (const read of [...statusReads, list]) attribute(read.calls);

  const dynamo = attributed.sdk.filter((call) => call.service === "DynamoDB");
  const writes = dynamo.filter((call) => dynamoWriteOperations.has(call.operation));
  const reads = dynamo.filter((call) => !dynamoWriteOperations.has(call.operation));
  return {
    happyCold: pathResult(cold.run),
    paths,
    inconsistentRuns,
    statusRead: roundTripsOf(last.calls),
    listRead: { ...roundTripsOf(list.calls), items: (list.body.executions as unknown[] | undefined)?.length ?? 0 },
    wireMismatches: wireMismatches(attributed),
    runs: {
      happy: Math.max(1, plan.happyRuns),
      failures: Math.max(1, plan.failureRuns),
      statusReads: statusReads.length,
    },
    durationsMs: Object.fromEntries(
      [...durations].map(([id, samples]) => [id, round(median(samples), 2)]),
    ) as RoundTripResult["durationsMs"],
    dynamodbRoundTripMs: {
      read: round(median(reads.map((call) => call.ms)), 2),
      write: round(median(writes.map((call) => call.ms)), 2),
    },
  };
}

/** Names each local engine by its origin, for the wire count. */
export function wireClassifier(services: ServicesDescriptor): (origin: string) => WireTarget {
  const { endpoints } = services;
  const targets = new Map<string, WireTarget>([
    [new URL(endpoints.dynamodb).origin, "DynamoDB"],
    [new URL(endpoints.s3).origin, "S3"],
    [new URL(endpoints.eventBridge).origin, "EventBridge"],
    [new URL(endpoints.secretsManager).origin, "SecretsManager"],
    [new URL(endpoints.gateway).origin, "Gateway"],
  ]);
  return (origin) => {
    try {
      return targets.get(new URL(origin).origin) ?? "other";
    } catch {
      return "other";
    }
  };
}

/** Names each physical table by the data layout's name for it (`idempotency`, `executions`, ...). */
export function tableNamer(services: ServicesDescriptor): (physical: string) => string {
  const names = new Map(Object.entries(services.tables).map(([table, physical]) => [physical, table]));
  return (physical) => names.get(physical) ?? physical;
}

/**
 * Hosts the functions in this process against running local engines, measures, and lets go of the
 * environment. The handler modules stay loaded: one measurement per process.
 */
export async function measureRoundTripsHosted(
  options: { services: ServicesDescriptor } & RoundTripPlan,
  progress?: (message: string) => void,
): Promise<RoundTripResult> {
  const host = hostFunctions(options.services);
  try {
    const functions = await loadEngineFunctions();
    const log = startCallLog(functions.clients, wireClassifier(options.services), tableNamer(options.services));
    try {
      return await measureRoundTrips(host, functions, log, options, progress);
    } finally {
      log.stop();
    }
  } finally {
    host.release();
  }
}

if (import.meta.main) {
  await childMain(measureRoundTripsHosted);
}
