// How `npm start` stops (local/shutdown.ts) when waiting is not enough: the wait for executions in flight
// is bounded, a second Ctrl-C stops at once, and the duplicate of one Ctrl-C that npm forwards is not a
// second one. On the real engine, with an execution of the demo gateway's slow tool in flight.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, inject, it } from "vitest";
import { demoIntent } from "../../local/demo-data.ts";
import { publicClient } from "../../local/demo-scenarios.ts";
import { type LocalEngine, startLocalEngine } from "../../local/engine.ts";
import { createShutdown } from "../../local/shutdown.ts";

const engineOn = (tablePrefix: string) =>
  startLocalEngine({
    dynamodbEndpoint: inject("dynamodbEndpoint"),
    tablePrefix,
    stateDirectory: mkdtempSync(join(tmpdir(), `engine-${tablePrefix}-`)),
  });
// Each test stops its engine; both start here, outside the tests' time limit.
const bounded = await engineOn("shutdown-bounded");
const interrupted = await engineOn("shutdown-twice");

/** Starts one execution of `demo.slow` and resolves once it runs. */
async function startSlowExecution(engine: LocalEngine): Promise<void> {
  const client = publicClient(engine);
  const intent = demoIntent({
    action_intent_id: `intent-slow-${Date.now()}`,
    tenant_id: "tenant-shutdown",
    account_id: "account-shutdown",
    action_type: "DEMO_SLOW",
    parameters: { delay_ms: 4000 },
  });
  await client.storeIntent(intent);
  await client.approve(intent);
  while (engine.executionsInFlight() === 0) await sleep(20);
}

function shutdownOf(engine: LocalEngine, drainTimeoutMs: number) {
  const lines: string[] = [];
  const exits: number[] = [];
  const shutdown = createShutdown({
    drainTimeoutMs,
    say: (line) => lines.push(line.trim()),
    exit: (code) => exits.push(code),
  });
  shutdown.attach(engine);
  return { shutdown, lines, exits };
}

describe("stopping with executions in flight", () => {
  it("waits a bounded time, then says it stops anyway and stops", async () => {
    // Prepare
    const engine = bounded;
    await startSlowExecution(engine);
    const { shutdown, lines, exits } = shutdownOf(engine, 300);

    // Act
    shutdown.onSignal();
    // npm forwards the terminal's Ctrl-C to node that already got it: the same press, a moment later.
    shutdown.onSignal();
    await shutdown.stopped();

    // Assess
    expect(lines).toEqual([
      "Waiting for 1 execution in flight to finish (at most 0.3 s; Ctrl-C again stops at once)...",
      "1 execution still running after 0.3 s: stopping anyway, leaving them unfinished.",
      "Stopping...",
    ]);
    expect(exits).toEqual([0]);
    expect(engine.executionsInFlight()).toBe(1);
  });

  it("stops at once on a second Ctrl-C", async () => {
    // Prepare
    const engine = interrupted;
    await startSlowExecution(engine);
    const { shutdown, lines, exits } = shutdownOf(engine, 30_000);
    const started = Date.now();

    // Act
    shutdown.onSignal();
    await sleep(500);
    shutdown.onSignal();
    await shutdown.stopped();

    // Assess
    expect(lines).toEqual([
      "Waiting for 1 execution in flight to finish (at most 30 s; Ctrl-C again stops at once)...",
      "Stopping at once, leaving 1 execution unfinished.",
      "Stopping...",
    ]);
    expect(exits).toEqual([0]);
    expect(Date.now() - started).toBeLessThan(4000);
  });
});
