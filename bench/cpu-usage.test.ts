// The end-to-end figures split a Node process's CPU by thread, from /proc: a function worker's CPU must
// land with the functions, not the main thread's.
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { startCpuWindow } from "./cpu-usage.ts";

describe("a CPU window", () => {
  it("counts a worker thread's CPU as the functions', apart from the main thread's", async () => {
    const end = startCpuWindow();
    // Spins for 300 ms of wall time, then stays alive (idle) so that its counters can be read.
    const worker = new Worker(
      `const { parentPort } = require("node:worker_threads");
       const until = Date.now() + 300;
       while (Date.now() < until);
       parentPort.postMessage("spun");
       setInterval(() => {}, 1000);`,
      { eval: true },
    );
    try {
      await once(worker, "message");
      const window = end();

      expect(window.helperThreadsMs?.functions).toBeGreaterThanOrEqual(100);
      expect(window.mainThreadMs).toBeLessThan(window.helperThreadsMs?.functions ?? 0);
    } finally {
      await worker.terminate();
    }
  });
});
