// One chaos run: a local engine, a fault profile applied as the batch starts, the batch, and the checks.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { publicClient } from "../local/demo-scenarios.ts";
import { type LocalEngine, type LocalEngineOptions, startLocalEngine } from "../local/engine.ts";
import type { FaultPlanState, FaultProfile } from "../local/faults/index.ts";
import { drawBatch, runBatch } from "./batch.ts";
import { type Finding, findings as findingsOf, observe } from "./checks.ts";
import { type ChaosFigures, chaosFigures } from "./figures.ts";

export interface ChaosOptions {
  profile: FaultProfile;
  /** For the figures: the profile's file or name. */
  profileName: string;
  /** Draws the batch; replaces the profile's own seed when given. */
  seed?: number;
  executions: number;
  concurrency: number;
  /** Milliseconds between state-machine retries (the deployed backoff is seconds). */
  retryIntervalMs?: number;
  onProgress?: (message: string) => void;
}

export interface ChaosResult {
  figures: ChaosFigures;
  findings: Finding[];
}

/** Tool calls time out sooner than the stack's default, so latency past the timeout costs a run seconds, not minutes. */
export const CHAOS_TOOL_TIMEOUT_MS = 2000;

/** The engine a chaos run needs: a demo gateway that honours idempotency keys only if the profile says so. */
export function chaosEngineOptions(profile: FaultProfile, stateDirectory: string): LocalEngineOptions {
  return {
    stateDirectory,
    retryIntervalMs: 20,
    gateway: { mode: "stateful", response: "sse", deduplicate: profile.chaos?.gateway_deduplicates ?? false },
    configOverrides: { toolTimeoutMs: String(CHAOS_TOOL_TIMEOUT_MS) },
  };
}

export interface BatchRun {
  profile: FaultProfile;
  profileName: string;
  seed: number;
  executions: number;
  concurrency: number;
  /** When the run began, for its wall time. */
  started?: number;
  onProgress?: (message: string) => void;
}

/** Applies the profile, runs the batch, clears the profile, then reads back and checks with no fault in force. */
export async function chaosBatch(engine: LocalEngine, run: BatchRun): Promise<ChaosResult> {
  const started = run.started ?? performance.now();
  const profile: FaultProfile = { ...run.profile, seed: run.seed };
  const client = publicClient(engine);
  const batch = drawBatch({ seed: run.seed, executions: run.executions, concurrency: run.concurrency });
  const from = Date.now();
  engine.faults.apply(profile);
  let faults: FaultPlanState;
  try {
    await runBatch(engine, client, batch, run.concurrency, (approved) => {
      if (approved % 50 === 0) run.onProgress?.(`${approved} of ${batch.length} intents approved`);
    });
  } finally {
    faults = engine.faults.state();
    // The checks read what the faults left behind, with no new fault in their way.
    engine.faults.clear();
  }
  const to = Date.now();
  const seen = await observe(engine, client, batch, { from, to });
  const found = findingsOf(batch, seen, profile.chaos?.expect_alarms ?? []);
  const figures = chaosFigures({
    seed: run.seed,
    profile: run.profileName,
    batch,
    faults,
    seen,
    findings: found,
    seconds: (performance.now() - started) / 1000,
  });
  return { figures, findings: found };
}

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const seed = options.seed ?? options.profile.seed ?? 1;
  const started = performance.now();
  const stateDirectory = mkdtempSync(join(tmpdir(), "engine-chaos-"));
  const engine = await startLocalEngine({
    ...chaosEngineOptions(options.profile, stateDirectory),
    ...(options.retryIntervalMs === undefined ? {} : { retryIntervalMs: options.retryIntervalMs }),
  });
  const stopOnSignal = () => {
    void engine.stop({ waitForExecutions: false }).finally(() => process.exit(130));
  };
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);
  try {
    options.onProgress?.(`engine up in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return await chaosBatch(engine, { ...options, seed, started });
  } finally {
    process.off("SIGINT", stopOnSignal);
    process.off("SIGTERM", stopOnSignal);
    await engine.stop();
    rmSync(stateDirectory, { recursive: true, force: true });
  }
}
