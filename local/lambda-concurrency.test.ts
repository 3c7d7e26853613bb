// Lambda's concurrency limits in the local function host (function-workers.ts), with real worker threads:
// each invocation here holds its instance until the test opens its gate, so which invocations are in
// flight together is decided by the test, not by timing.
import { mkdtempSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type FunctionWorkers, startFunctionWorkers } from "./function-workers.ts";
import type { ConcurrencyLimits } from "./lambda-concurrency.ts";

// Counts itself in on `started`, waits for `gate`, and answers the thread (instance) it ran on.
const heldFunction = `
import { threadId } from "node:worker_threads";
export const handler = async (event) => {
  Atomics.add(new Int32Array(event.started), 0, 1);
  const gate = new Int32Array(event.gate);
  while (Atomics.load(gate, 0) === 0) await new Promise((resolve) => setTimeout(resolve, 2));
  return threadId;
};`;
const bundlePath = join(mkdtempSync(join(tmpdir(), "engine-concurrency-")), "index.mjs");
writeFileSync(bundlePath, heldFunction);

let workers: FunctionWorkers | undefined;
afterEach(() => workers?.stop());

async function start(ids: string[], options: { limits?: ConcurrencyLimits; maxInstances?: number } = {}) {
  workers = await startFunctionWorkers(
    ids.map((id) => ({ id, bundlePath, environment: {}, timeoutMs: 10_000 })),
    options,
  );
  const gate = new SharedArrayBuffer(4);
  const started = new SharedArrayBuffer(4);
  const running = workers;
  return {
    invoke: (id: string) => running.invoke(id, { gate, started }) as Promise<number>,
    started: () => Atomics.load(new Int32Array(started), 0),
    open: () => Atomics.store(new Int32Array(gate), 0, 1),
  };
}

describe("reserved concurrency and the account limit", () => {
  it("throttles an invocation over a function's reserved concurrency, and admits the next once one ends", async () => {
    const host = await start(["held"], { limits: { accountLimit: 1000, reserved: { held: 1 } } });

    const first = host.invoke("held");
    const second = host.invoke("held");

    await expect(second).rejects.toMatchObject({
      name: "Lambda.TooManyRequestsException",
      failure: { errorMessage: expect.stringContaining("ReservedFunctionConcurrentInvocationLimitExceeded") },
    });
    host.open();
    await first;
    await expect(host.invoke("held")).resolves.toEqual(expect.any(Number));
  });

  it("lets the functions without a reservation share what the account has left, and a reserved one keep its own", async () => {
    const host = await start(["a", "b", "reserved"], { limits: { accountLimit: 3, reserved: { reserved: 1 } } });

    const admitted = [host.invoke("a"), host.invoke("b")];
    const overAccount = host.invoke("a");
    const reserved = host.invoke("reserved");

    await expect(overAccount).rejects.toMatchObject({
      name: "Lambda.TooManyRequestsException",
      failure: { errorMessage: expect.stringContaining("ConcurrentInvocationLimitExceeded") },
    });
    host.open();
    await expect(Promise.all([...admitted, reserved])).resolves.toHaveLength(3);
  });

  it("throttles every invocation of a function reserved at 0, before it runs", async () => {
    const host = await start(["stopped"], { limits: { accountLimit: 1000, reserved: { stopped: 0 } } });

    await expect(host.invoke("stopped")).rejects.toMatchObject({ name: "Lambda.TooManyRequestsException" });
    expect(host.started()).toBe(0);
  });
});

describe("the machine's instance cap", () => {
  it("makes invocations under Lambda's limits wait for an instance instead of failing", async () => {
    const host = await start(["fn"], { maxInstances: 1 });

    const invocations = [host.invoke("fn"), host.invoke("fn"), host.invoke("fn")];
    await vi.waitFor(() => expect(host.started()).toBe(1));
    host.open();

    const threads = await Promise.all(invocations);
    expect(new Set(threads).size).toBe(1);
  });

  it("runs as many instances of a function at once as the machine has cores, and at least 2, by default", async () => {
    const cap = Math.max(2, availableParallelism());
    const host = await start(["fn"]);

    const invocations = Array.from({ length: cap + 1 }, () => host.invoke("fn"));
    await vi.waitFor(() => expect(host.started()).toBe(cap), { timeout: 15_000 });
    host.open();

    const threads = await Promise.all(invocations);
    expect(new Set(threads).size).toBe(cap);
  });
});
