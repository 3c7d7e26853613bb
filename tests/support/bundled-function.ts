// One function bundle run the way the local engine runs it (local/function-workers.ts): built by the deploy's
// bundler (through the engine's content-verified cache, which serves the same bytes), cold-started in a worker with exactly the environment given, its output collected line by line.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleFunction } from "../../infra/bundle.ts";
import { startFunctionWorkers } from "../../local/function-workers.ts";

export interface BundledFunction {
  invoke(event: unknown, traceHeader?: string): Promise<unknown>;
  /** Every line the function wrote to stdout or stderr so far. */
  output: string[];
  stop(): Promise<void>;
}

export async function startBundledFunction(
  entry: string,
  environment: Record<string, string>,
): Promise<BundledFunction> {
  const bundlePath = join(mkdtempSync(join(tmpdir(), "engine-bundle-")), "index.mjs");
  writeFileSync(bundlePath, (await bundleFunction(entry, { cached: true })).code);
  const output: string[] = [];
  const workers = await startFunctionWorkers([{ id: "function", bundlePath, environment, timeoutMs: 10_000 }], {
    onOutput: (_id, line) => output.push(line),
  });
  return {
    invoke: (event, traceHeader) => workers.invoke("function", event, { traceHeader }),
    output,
    stop: () => workers.stop(),
  };
}
