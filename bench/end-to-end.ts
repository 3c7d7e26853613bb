// 5. End to end on the local engine (local/engine.ts: the rendered definition on aws-local-stepfunctions,
// each function from its deployable bundle in its own worker), driven as its users drive it: intents are
// stored first, then each is approved with PutEvents and timed until its execution ends. An execution
// ends after RecordOutcome wrote the terminal status, so this is PutEvents to terminal status (plus the
// last Choice and Succeed states). `concurrency` closed loops share one queue of intents.
import { randomUUID } from "node:crypto";
import { demoIntent } from "../local/demo-data.ts";
import type { PublicClient } from "../local/demo-scenarios.ts";
import type { LocalEngine } from "../local/engine.ts";
import type { ExecutionReport } from "../local/state-machine.ts";
import { percentile, round } from "./stats.ts";

export const LOAD_TENANT = "tenant-bench";
export const LOAD_ACCOUNT = "account-bench";

export interface EndToEndRow {
  concurrency: number;
  executions: number;
  seconds: number;
  executionsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Executions that did not end (succeeded) in RecordOutcome. */
  failures: number;
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

export async function measureEndToEnd(
  engine: LocalEngine,
  client: PublicClient,
  tracker: ExecutionTracker,
  options: { concurrency: number; executions: number },
): Promise<EndToEndRow> {
  const queue = await storeIntents(client, options.executions);
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
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
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  const seconds = (performance.now() - started) / 1000;
  await engine.idle();
  return {
    concurrency: options.concurrency,
    executions: latencies.length,
    seconds: round(seconds, 2),
    executionsPerSecond: round(latencies.length / seconds, 1),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    failures,
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
