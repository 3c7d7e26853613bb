// Lambda's faults as the local function host plays them, with real worker threads: a throttled invocation
// never runs; a sandbox that crashed or timed out is never given another invocation (the next one starts
// cold), and what it wrote before the end still reaches the logs, as CloudWatch would have it.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type FunctionWorkers, LambdaInvocationError, startFunctionWorkers } from "../function-workers.ts";
import { type HostFault, hostFailure } from "./lambda-faults.ts";

// Says which thread (sandbox) it runs on, then waits for `gate` when given one.
const sandboxFunction = `
import { threadId } from "node:worker_threads";
export const handler = async (event) => {
  console.log("running on " + threadId);
  if (event.gate) {
    const gate = new Int32Array(event.gate);
    while (Atomics.load(gate, 0) === 0) await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return threadId;
};`;
const bundlePath = join(mkdtempSync(join(tmpdir(), "engine-host-faults-")), "index.mjs");
writeFileSync(bundlePath, sandboxFunction);

let workers: FunctionWorkers | undefined;
afterEach(() => workers?.stop());

async function start(timeoutMs = 10_000) {
  const output: string[] = [];
  workers = await startFunctionWorkers([{ id: "fn", bundlePath, environment: {}, timeoutMs }], {
    onOutput: (_id, line) => output.push(line),
    maxInstances: 1,
  });
  return { workers, output };
}

const fault = (kind: HostFault["kind"], at: HostFault["at"]): HostFault => ({
  kind,
  at,
  failure: hostFailure(kind, 10_000),
});

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe("Lambda faults in the function host", () => {
  it("throttles an invocation before it reaches a sandbox", async () => {
    const { workers, output } = await start();

    const error = await errorOf(workers.invoke("fn", {}, { fault: fault("throttle", "before") }));

    expect(error).toBeInstanceOf(LambdaInvocationError);
    expect((error as Error).name).toBe("Lambda.TooManyRequestsException");
    expect(output).toEqual([]);
  });

  it("reports a sandbox that died after its handler ran as Lambda.Unknown, and starts the next one cold", async () => {
    const { workers, output } = await start();
    const first = Number(await workers.invoke("fn", {}));

    const error = await errorOf(workers.invoke("fn", {}, { fault: fault("crash", "after") }));
    const next = Number(await workers.invoke("fn", {}));

    expect((error as Error).name).toBe("Lambda.Unknown");
    expect((error as LambdaInvocationError).failure.errorMessage).toContain(
      "Runtime exited with error: signal: killed",
    );
    // The crashed invocation ran on the warm sandbox, then the sandbox was gone.
    expect(output).toEqual([`running on ${first}`, `running on ${first}`, `running on ${next}`]);
    expect(next).not.toBe(first);
  });

  it("never gives a timed-out sandbox the next invocation while its handler still runs, and keeps what it wrote", async () => {
    const { workers, output } = await start(300);
    const gate = new SharedArrayBuffer(4);

    const error = await errorOf(workers.invoke("fn", { gate }));
    const next = Number(await workers.invoke("fn", {}));
    Atomics.store(new Int32Array(gate), 0, 1);

    expect((error as Error).name).toBe("Sandbox.Timedout");
    const [timedOut] = output;
    expect(timedOut).toMatch(/^running on \d+$/);
    expect(timedOut).not.toBe(`running on ${next}`);
  });
});
