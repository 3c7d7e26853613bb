// 3. Warm overhead: what each function's Middy pipeline (Powertools Tracer, Logger and Metrics middlewares,
// contract errors, input and output validation, correlation; for the status API the router, CORS and the
// HTTP error handler) adds per invocation, against the bare business function called with the same input
// and the same clients, in one process with both warm.
//
// Inputs are the ones the state machine gave each function in a real execution (captured by running the
// rendered definition first), so every call takes a representative successful path. A call repeats
// without piling up side effects because each function is idempotent by design: the starter finds its own
// claim (a retried StartExecution), the recorders answer the stored outcome (a replayed recording), the
// invoker and compensation get the gateway's replay for the same idempotency key. Those are the paths a
// retry takes; the table says which path each row measured.
//
// Both sides make the same calls through the same clients. Against the local engines each call waits
// milliseconds, with jitter far above the microseconds measured here, so after a warm-up that records the
// engines' real answers, both sides get those answers replayed in-process (bench/replay-transport.ts):
// all the work of the functions and the SDK still runs, only the network wait is gone. They are timed in
// alternating batches (handler, bare, bare, handler, ...); the overhead is the median over rounds of
// (handler batch - bare batch) per call, in wall time, with the same from process CPU time beside it.
import type { EngineFunctionId } from "../infra/catalog.ts";
import { httpApiEvent, tenantClaims } from "../local/http-api-event.ts";
import { lambdaContext } from "../local/lambda-context.ts";
import { childMain } from "./child-process.ts";
import { BENCH_TENANT, createExecutionRunner, type ExecutionRun, type ScenarioName } from "./executions.ts";
import { type EngineFunctions, hostFunctions, loadEngineFunctions, type ServicesDescriptor } from "./function-host.ts";
import { installReplayTransport, type ReplayTransport } from "./replay-transport.ts";
import { median, round } from "./stats.ts";

export interface WarmOverheadRow {
  id: EngineFunctionId;
  /** Which path the repeated call takes. */
  path: string;
  /** Median per-call wall time of the handler (pipeline + business function), replayed I/O, microseconds. */
  handlerUs: number;
  /** Median per-call wall time of the bare business function, replayed I/O, microseconds. */
  bareUs: number;
  /** Median over rounds of (handler - bare) wall time per call, microseconds. */
  overheadUs: number;
  /** The same from process CPU time, microseconds. */
  overheadCpuUs: number;
  /** Median per-call CPU time of the bare business function, microseconds. */
  bareCpuUs: number;
  /** overheadCpuUs divided by bareCpuUs: what the pipeline adds, per unit of the business function's own CPU. */
  overheadRatio: number;
  /** Spread of the per-round wall differences: half the interquartile range, microseconds. */
  spreadUs: number;
  /** The same for the CPU differences. */
  cpuSpreadUs: number;
  rounds: number;
  callsPerBatch: number;
}

export interface WarmOverheadResult {
  rows: WarmOverheadRow[];
  /** Powertools log level the functions ran with (from the stack config). */
  logLevel: string;
  tracerActive: boolean;
}

interface Case {
  id: EngineFunctionId;
  path: string;
  handler: () => Promise<unknown>;
  bare: () => Promise<unknown>;
}

const quartile = (values: number[], q: number) => {
  const ordered = [...values].sort((a, b) => a - b);
  return ordered[Math.min(ordered.length - 1, Math.floor(q * (ordered.length - 1)))] as number;
};

async function timeBatch(call: () => Promise<unknown>, count: number): Promise<TimedBatch> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let index = 0; index < count; index++) await call();
  const wallUs = ((performance.now() - started) * 1000) / count;
  const used = process.cpuUsage(cpu);
  return { wallUs, cpuUs: (used.user + used.system) / count };
}

async function measureCase(testCase: Case, transport: ReplayTransport, targetMs: number): Promise<WarmOverheadRow> {
  // Real calls first (token and session caches, Powertools' cold-start metric), recording the answers...
  transport.mode = "record";
  for (let index = 0; index < 5; index++) {
    await testCase.handler();
    await testCase.bare();
  }
  // ...then the JIT warms up on replayed answers.
  transport.mode = "replay";
  const warmupStarted = performance.now();
  for (let index = 0; index < 200; index++) {
    await testCase.handler();
    await testCase.bare();
  }
  const perCallMs = (performance.now() - warmupStarted) / 400;
  const rounds = 100;
  const callsPerBatch = Math.max(4, Math.min(500, Math.round(targetMs / (2 * rounds * perCallMs))));
  const handler: TimedBatch[] = [];
  const bare: TimedBatch[] = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      handler.push(await timeBatch(testCase.handler, callsPerBatch));
      bare.push(await timeBatch(testCase.bare, callsPerBatch));
    } else {
      bare.push(await timeBatch(testCase.bare, callsPerBatch));
      handler.push(await timeBatch(testCase.handler, callsPerBatch));
    }
  }
  return { id: testCase.id, path: testCase.path, ...summarizeWarmOverhead(handler, bare, callsPerBatch) };
}

export interface TimedBatch {
  /** Per call, microseconds. */
  wallUs: number;
  cpuUs: number;
}

/** A row's figures from its alternating batches: round i timed handler[i] and bare[i] side by side. */
export function summarizeWarmOverhead(
  handler: readonly TimedBatch[],
  bare: readonly TimedBatch[],
  callsPerBatch: number,
): Omit<WarmOverheadRow, "id" | "path"> {
  const wallDifferences = handler.map((batch, index) => batch.wallUs - (bare[index]?.wallUs ?? 0));
  const cpuDifferences = handler.map((batch, index) => batch.cpuUs - (bare[index]?.cpuUs ?? 0));
  const bareCpuUs = median(bare.map((batch) => batch.cpuUs));
  return {
    handlerUs: round(median(handler.map((batch) => batch.wallUs))),
    bareUs: round(median(bare.map((batch) => batch.wallUs))),
    overheadUs: round(median(wallDifferences)),
    overheadCpuUs: round(median(cpuDifferences)),
    bareCpuUs: round(bareCpuUs),
    overheadRatio: round(median(cpuDifferences) / bareCpuUs, 3),
    spreadUs: round((quartile(wallDifferences, 0.75) - quartile(wallDifferences, 0.25)) / 2),
    cpuSpreadUs: round((quartile(cpuDifferences, 0.75) - quartile(cpuDifferences, 0.25)) / 2),
    rounds: handler.length,
    callsPerBatch,
  };
}

function firstInput(runs: ExecutionRun[], id: EngineFunctionId): unknown {
  for (const run of runs) {
    const invocation = run.invocations.find((candidate) => candidate.functionId === id);
    if (invocation) return invocation.input;
  }
  throw new Error(`no execution invoked ${id}`);
}

function casesFor(functions: EngineFunctions, runs: Record<ScenarioName, ExecutionRun>, statusEvent: unknown): Case[] {
  const { business, handlers, clients, objectStore } = functions;
  const all = Object.values(runs);
  // One context per function, made before timing (the runtime makes it before the handler runs), with a
  // deadline far enough away for the whole measurement: Middy arms a timeout from it on every call.
  const contexts = new Map(Object.keys(handlers).map((id) => [id, lambdaContext(id, 3_600_000)]));
  const contextFor = (id: EngineFunctionId) => contexts.get(id) as ReturnType<typeof lambdaContext>;
  const db = clients.DynamoDB;
  const recording = { db, eventBridge: clients.EventBridge, config: functions.readRecordingConfig() };
  const table = functions.tableNameFromEnv;
  const withInput = (
    id: EngineFunctionId,
    path: string,
    bare: (input: never) => Promise<unknown>,
    input = firstInput(all, id),
  ): Case => ({
    id,
    path,
    handler: () => handlers[id](input, contextFor(id)),
    bare: () => bare(input as never),
  });
  // The failure recorder ends a FAILED outcome by throwing OutcomeFailedError after recording (the state
  // machine's Catch routes it into Fail): that throw is its normal answer, timed like any other.
  const endsWith = (errorName: string, testCase: Case): Case => ({
    ...testCase,
    handler: () =>
      testCase.handler().catch((error: Error) => {
        if (error.name !== errorName) throw error;
        return error;
      }),
  });
  const invokerGateway = functions.connectGateway(functions.readGatewayConfig(), "tool-invoker");
  const compensationGateway = functions.connectGateway(functions.readGatewayConfig(), "compensation");
  const artifactsBucket = process.env.ARTIFACTS_BUCKET as string;
  const invokeTool = business.createToolInvoker({
    gateway: invokerGateway,
    artifacts: objectStore,
    artifactsBucket,
    idempotencyTable: table("idempotency"),
  });
  return [
    withInput("execution-starter", "retried start: finds its own claim", (input) =>
      business.startExecution(input, db, { intentsTable: table("intents"), executionsTable: table("executions") }),
    ),
    withInput("execution-validator", "preflight passes", (input) =>
      business.validatePreflight(input, db, {
        intentsTable: table("intents"),
        controlsTable: table("controls"),
        globalKillSwitch: false,
      }),
    ),
    withInput("tool-mapper", "maps CREATE_CRM_TASK", (input) =>
      business.mapActionToTool(input, db, { intentsTable: table("intents"), registryTable: table("registry") }),
    ),
    withInput(
      "tool-invoker",
      "tools/call replayed from its idempotency record",
      (input) => invokeTool(input),
      firstInput([runs.happy], "tool-invoker"),
    ),
    withInput("compensation", "undo one object (gateway replays the key)", (input) =>
      business.compensate(input, compensationGateway),
    ),
    withInput(
      "execution-recorder",
      "replayed recording: answers the stored outcome, republishes",
      (input) => business.recordOutcome(input, recording),
      firstInput([runs.happy], "execution-recorder"),
    ),
    endsWith(
      "OutcomeFailedError",
      withInput("execution-failure-recorder", "replayed failure recording", (input) =>
        business.recordFailure(input, recording),
      ),
    ),
    {
      id: "status-api",
      path: "GET /executions/{id}/status, found",
      handler: () => handlers["status-api"](statusEvent, contextFor("status-api")),
      bare: () => business.executionStatus(statusEvent as never),
    },
  ];
}

export async function measureWarmOverheadHosted(
  options: { services: ServicesDescriptor; targetMsPerFunction: number },
  progress: (message: string) => void = () => {},
): Promise<WarmOverheadResult> {
  const host = hostFunctions(options.services);
  try {
    const functions = await loadEngineFunctions();
    const runner = createExecutionRunner(host, functions);
    const runs = {} as Record<ScenarioName, ExecutionRun>;
    let happyIntent: { action_intent_id: string; account_id: string } | undefined;
    for (const scenario of ["happy", "compensated", "preflightRejected"] as const) {
      const { intent, run } = await runner.run(scenario);
      runs[scenario] = run;
      if (scenario === "happy") happyIntent = intent;
    }
    if (runs.happy.status !== "SUCCEEDED" || !happyIntent) throw new Error("the happy path did not succeed");
    const statusEvent = httpApiEvent({
      path: `/executions/${happyIntent.action_intent_id}/status`,
      query: { account_id: happyIntent.account_id },
      claims: tenantClaims(BENCH_TENANT, options.services.tenantClaim),
    });
    const rows: WarmOverheadRow[] = [];
    const transport = installReplayTransport(Object.values(functions.clients));
    try {
      for (const testCase of casesFor(functions, runs, statusEvent)) {
        rows.push(await measureCase(testCase, transport, options.targetMsPerFunction));
        progress(`warm overhead: ${testCase.id}`);
      }
    } finally {
      transport.restore();
    }
    return {
      rows,
      logLevel: options.services.environment.POWERTOOLS_LOG_LEVEL ?? "unset",
      tracerActive: Boolean(process.env.AWS_EXECUTION_ENV),
    };
  } finally {
    host.release();
  }
}

if (import.meta.main) {
  await childMain(measureWarmOverheadHosted);
}
