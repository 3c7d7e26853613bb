// The batch a chaos run approves: intents over every action type of the demo registry (compensated ones
// included), some approved twice, drawn from the seed so a run can be repeated. Approvals go through the
// bus as the decision layer sends them, at most `concurrency` executions in flight.
import { demoIntent, demoRegistry } from "../local/demo-data.ts";
import type { PublicClient } from "../local/demo-scenarios.ts";
import type { LocalEngine } from "../local/engine.ts";
import type { ActionIntent } from "../schemas/records.ts";

export interface BatchOptions {
  seed: number;
  executions: number;
  concurrency: number;
  /** The share of intents approved a second time, as a retried producer would. */
  duplicateShare?: number;
}

export interface BatchIntent {
  intent: ActionIntent;
  approvals: number;
}

/** mulberry32: a small seeded generator, so the same seed draws the same batch. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Parameters each action type's mapping reads; types not listed take none. */
const parametersFor: Record<string, (random: () => number, n: number) => Record<string, unknown>> = {
  CREATE_CRM_TASK: (_random, n) => ({ title: `Chaos task ${n}` }),
  CREATE_CALENDAR_EVENT: (_random, n) => ({ title: `Chaos event ${n}`, start: "2027-01-15T10:00:00Z" }),
  CREATE_INTERNAL_NOTE: (_random, n) => ({ text: `Chaos note ${n}` }),
  // Fails once, then succeeds on the state machine's retry.
  DEMO_FLAKY: () => ({ fail_times: 1 }),
  DEMO_SLOW: (random) => ({ delay_ms: 50 + Math.floor(random() * 250) }),
};

/** Tenants the batch spreads over, so tenant-keyed partitions hold more than one tenant's work. */
export const CHAOS_TENANTS = ["tenant-chaos-a", "tenant-chaos-b", "tenant-chaos-c"] as const;

export function drawBatch(options: BatchOptions): BatchIntent[] {
  const random = seededRandom(options.seed);
  const actionTypes = demoRegistry.map((entry) => entry.action_type);
  const duplicateShare = options.duplicateShare ?? 0.1;
  return Array.from({ length: options.executions }, (_, n) => {
    // Every action type at least once, then drawn at random.
    const actionType = actionTypes[n < actionTypes.length ? n : Math.floor(random() * actionTypes.length)] as string;
    const tenant = CHAOS_TENANTS[Math.floor(random() * CHAOS_TENANTS.length)] as string;
    const intent = demoIntent({
      action_intent_id: `chaos-${options.seed}-${String(n).padStart(4, "0")}`,
      tenant_id: tenant,
      account_id: `account-${1 + Math.floor(random() * 4)}`,
      action_type: actionType,
      parameters: parametersFor[actionType]?.(random, n) ?? {},
    });
    return { intent, approvals: random() < duplicateShare ? 2 : 1 };
  });
}

/** Stores and approves every intent, never more than `concurrency` executions in flight; resolves once all ended. */
export async function runBatch(
  engine: LocalEngine,
  client: PublicClient,
  batch: BatchIntent[],
  concurrency: number,
  onProgress?: (approved: number) => void,
): Promise<void> {
  let approved = 0;
  for (const { intent, approvals } of batch) {
    while (engine.executionsInFlight() > 0 && engine.executionsInFlight() + approvals > concurrency) {
      await settle(engine);
    }
    await client.storeIntent(intent);
    const { action_intent_id, tenant_id, account_id } = intent;
    for (let copy = 0; copy < approvals; copy++) await client.approve({ action_intent_id, tenant_id, account_id });
    onProgress?.(++approved);
  }
  await engine.idle();
}

/** Until an execution ends (the engine keeps one report per ended execution). */
async function settle(engine: LocalEngine): Promise<void> {
  const ended = engine.executions.length;
  while (engine.executions.length === ended) await new Promise((resolve) => setTimeout(resolve, 10));
}
