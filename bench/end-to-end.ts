// 5. End to end on the local engine (local/engine.ts: the rendered definition on aws-local-stepfunctions,
// each function from its deployable bundle in its own worker), driven as its users drive it: intents are
// stored first, then each is approved with PutEvents and timed until its execution ends, which is after
// RecordOutcome wrote the terminal status. `concurrency` closed loops share one queue of intents. Beside the rate
// and latency, the CPU each execution cost (this process and the JVM, from the kernel's accounting) and the
// share of the available CPU the run used, which says what bounds the figure.
import { randomUUID } from "node:crypto";
import { demoIntent } from "../local/demo-data.ts";
import type { PublicClient } from "../local/demo-scenarios.ts";
import type { LocalEngine } from "../local/engine.ts";
import type { ExecutionReport } from "../local/state-machine.ts";
import { cpuShare, startCpuWindow } from "./cpu-usage.ts";
import { percentile, round } from "./stats.ts";

export const LOAD_TENANT = "tenant-bench";
export const LOAD_ACCOUNT = "account-bench";

export interface EndToEndRow {
  concurrency: number;
  /**
   * Executions run at this concurrency before the measured ones, in batches until the CPU per execution
   * stopped falling: the instances this concurrency needs have cold-started, and each worker's V8 and the
   * JVM have compiled their hot paths.
   */
  warmupExecutions: number;
  executions: number;
  seconds: number;
  executionsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Executions that did not end (succeeded) in RecordOutcome. */
  failures: number;
  /** CPU per measured execution of this Node process: the engine, its functions' workers, the driver. */
  nodeCpuMs: number;
  /** The part of it on the main thread, which every engine but the functions shares, when /proc tells. */
  mainThreadCpuMs?: number;
  /** The part of it in the functions' worker threads (their handlers, SDK clients, Powertools), when /proc tells. */
  functionsCpuMs?: number;
  /** The part of it in V8's helper threads (compiling and collecting for every isolate), when /proc tells. */
  v8HelpersCpuMs?: number;
  /** The same of DynamoDB Local's JVM, when /proc tells. */
  javaCpuMs?: number;
  /** Cores kept busy on average: (node + Java CPU) / wall time. */
  busyCores?: number;
  /** Of the CPU the run could have used (cpu-usage.ts cpuShare), the share it used; near 1 means CPU-bound. */
  cpuShare?: number;
}

/** Resolves a waiter when the engine reports an execution of that intent ended. Pass `onExecutionEnd` to the engine. */
export function createExecutionTracker() {
  const waiters = new Map<string, (report: ExecutionReport) => void>();
  return {
    onExecutionEnd(report: ExecutionReport) {
      const id = (report.input as { action_intent_id?: string }).action_intent_id ?? "";
      waiters.get(id)?.(report);
      waiters.delete(id);
    },
    ended(actionIntentId: string): Promise<ExecutionReport> {
      return new Promise((resolve) => waiters.set(actionIntentId, resolve));
    },
  };
}

export type ExecutionTracker = ReturnType<typeof createExecutionTracker>;

async function storeIntents(client: PublicClient, count: number) {
  const intents = Array.from({ length: count }, () =>
    demoIntent({
      action_intent_id: `intent-${randomUUID().slice(0, 12)}`,
      tenant_id: LOAD_TENANT,
      account_id: LOAD_ACCOUNT,
      action_type: "CREATE_CRM_TASK",
      parameters: { title: "Call back about the renewal" },
    }),
  );
  for (const intent of intents) await client.storeIntent(intent);
  return intents;
}

type StoredIntent = Awaited<ReturnType<typeof storeIntents>>[number];

/** `concurrency` closed loops over one queue of stored intents: approve one, wait for its execution to end. */
async function runClosedLoops(
  client: PublicClient,
  tracker: ExecutionTracker,
  queue: StoredIntent[],
  concurrency: number,
): Promise<{ latencies: number[]; failures: number }> {
  const latencies: number[] = [];
  let failures = 0;
  const loop = async () => {
    for (let intent = queue.shift(); intent; intent = queue.shift()) {
      const ended = tracker.ended(intent.action_intent_id);
      const sent = performance.now();
      await client.approve({
        action_intent_id: intent.action_intent_id,
        tenant_id: intent.tenant_id,
        account_id: intent.account_id,
      });
      const report = await ended;
      latencies.push(performance.now() - sent);
      if (report.path.at(-1) !== "RecordOutcome") failures++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return { latencies, failures };
}

/** Warm-up batches: at least `minBatches`, then until a batch costs no less CPU than the one before, at most `maxBatches`. */
export interface WarmupPlan {
  batch: number;
  minBatches: number;
  maxBatches: number;
}

/** A batch within this share of the one before has stopped getting cheaper; the rest is the machine's noise. */
const SETTLED = 0.95;

/** Whether the warm-up is over, given the CPU per execution of each batch run so far, oldest first. */
export function warmupSettled(cpuPerBatch: readonly number[], plan: WarmupPlan): boolean {
  const batches = cpuPerBatch.length;
  if (batches >= plan.maxBatches) return true;
  if (batches < plan.minBatches) return false;
  const [previous = Number.POSITIVE_INFINITY, last = 0] = cpuPerBatch.slice(-2);
  return last >= previous * SETTLED;
}

/**
 * Warm-up at the measured concurrency, in batches, until the CPU per execution stops falling: every worker
 * is its own V8 isolate compiling the same code, and the first hundreds of executions are measurably dearer
 * than the rest. Answers how many executions it ran.
 */
async function warmUp(
  engine: LocalEngine,
  client: PublicClient,
  tracker: ExecutionTracker,
  options: { concurrency: number; warmup: WarmupPlan; javaPid?: number },
): Promise<number> {
  const cpuPerBatch: number[] = [];
  let ran = 0;
  while (!warmupSettled(cpuPerBatch, options.warmup)) {
    const intents = await storeIntents(client, options.warmup.batch);
    const endWindow = startCpuWindow(options.javaPid);
    // The loops take the intents off the queue as they go.
    const { latencies } = await runClosedLoops(client, tracker, intents, options.concurrency);
    await engine.idle();
    const window = endWindow();
    ran += latencies.length;
    cpuPerBatch.push((window.nodeMs + (window.otherMs ?? 0)) / latencies.length);
  }
  return ran;
}

/**
 * One row: warm-up at the measured concurrency first (warmUp), then the measured executions, with the CPU
 * this process and DynamoDB Local's JVM (`javaPid`) used over exactly that window.
 */
export async function measureEndToEnd(
  engine: LocalEngine,
  client: PublicClient,
  tracker: ExecutionTracker,
  options: { concurrency: number; executions: number; warmup?: WarmupPlan; javaPid?: number },
): Promise<EndToEndRow> {
  const warmupExecutions = options.warmup
    ? await warmUp(engine, client, tracker, { ...options, warmup: options.warmup })
    : 0;
  const queue = await storeIntents(client, options.executions);
  const endWindow = startCpuWindow(options.javaPid);
  const { latencies, failures } = await runClosedLoops(client, tracker, queue, options.concurrency);
  await engine.idle();
  const window = endWindow();
  const perExecution = (ms: number) => round(ms / latencies.length);
  const share = cpuShare(window, options.concurrency);
  return {
    concurrency: options.concurrency,
    warmupExecutions,
    executions: latencies.length,
    seconds: round(window.wallMs / 1000, 2),
    executionsPerSecond: round((latencies.length * 1000) / window.wallMs, 1),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    failures,
    nodeCpuMs: perExecution(window.nodeMs),
    ...(window.mainThreadMs === undefined ? {} : { mainThreadCpuMs: perExecution(window.mainThreadMs) }),
    ...(window.helperThreadsMs === undefined
      ? {}
      : {
          functionsCpuMs: perExecution(window.helperThreadsMs.functions),
          v8HelpersCpuMs: perExecution(window.helperThreadsMs.v8),
        }),
    ...(window.otherMs === undefined
      ? {}
      : {
          javaCpuMs: perExecution(window.otherMs),
          busyCores: round((window.nodeMs + window.otherMs) / window.wallMs, 2),
        }),
    ...(share === undefined ? {} : { cpuShare: round(share, 2) }),
  };
}

/** A few executions first: workers' cold starts, the gateway's token and session. Answers the last intent. */
export async function warmUpEngine(client: PublicClient, tracker: ExecutionTracker, count = 3) {
  const intents = await storeIntents(client, count);
  for (const intent of intents) {
    const ended = tracker.ended(intent.action_intent_id);
    await client.approve({
      action_intent_id: intent.action_intent_id,
      tenant_id: intent.tenant_id,
      account_id: intent.account_id,
    });
    const report = await ended;
    if (report.path.at(-1) !== "RecordOutcome") {
      throw new Error(`warm-up execution ended in ${report.path.at(-1)}: ${report.cause ?? report.error ?? ""}`);
    }
  }
  return intents.at(-1) as (typeof intents)[number];
}

/** What bounds a row's rate, in a sentence for the report: the CPU it cost, or waiting. */
export function describeBound(row: EndToEndRow, cores: number): string {
  if (row.cpuShare === undefined || row.javaCpuMs === undefined || row.busyCores === undefined) {
    return `concurrency ${row.concurrency}: ${row.nodeCpuMs} ms of node CPU per execution (no /proc: Java CPU and the bound unknown).`;
  }
  const cpuMs = round(row.nodeCpuMs + row.javaCpuMs);
  const parallelism = Math.min(row.concurrency, cores);
  const mainBusy = row.mainThreadCpuMs === undefined ? 0 : (row.mainThreadCpuMs * row.executionsPerSecond) / 1000;
  const cost =
    `${cpuMs} ms of CPU per execution (node ${row.nodeCpuMs}, of which main thread ${row.mainThreadCpuMs ?? "?"}, ` +
    `functions ${row.functionsCpuMs ?? "?"}, V8 helpers ${row.v8HelpersCpuMs ?? "?"}; Java ${row.javaCpuMs})`;
  if (mainBusy >= 0.8) {
    return (
      `concurrency ${row.concurrency}: bound by the engine's main thread, busy ${round(mainBusy * 100, 0)}% of the time ` +
      `at ${row.mainThreadCpuMs} ms per execution: at most about ${round(1000 / (row.mainThreadCpuMs ?? 1), 0)} executions/s; ${cost}.`
    );
  }
  const ceiling = round((parallelism * 1000) / cpuMs, 0);
  const what =
    row.cpuShare >= 0.8
      ? `bound by CPU: it used ${row.cpuShare} of the CPU it could (${row.busyCores} cores busy of ${parallelism} usable)`
      : `bound by waiting, not CPU: it used only ${row.cpuShare} of the CPU it could (${row.busyCores} cores busy of ${parallelism} usable)`;
  return (
    `concurrency ${row.concurrency}: ${what}; ${cost}: ${parallelism > 1 ? `${parallelism} cores allow` : "one core allows"} ` +
    `at most about ${ceiling} executions/s.`
  );
}
