// The engine's functions as Lambda runs them: each from its deployable bundle, in its own worker thread
// with its own environment, invoked one event at a time per call, failing the way Lambda reports failures.
import { once } from "node:events";
import { createInterface } from "node:readline";
import { Worker } from "node:worker_threads";
import type { LambdaFailure, WorkerData, WorkerReply, WorkerStatus } from "./function-worker.ts";

export interface FunctionWorkerSpec {
  id: string;
  bundlePath: string;
  environment: Record<string, string>;
  timeoutMs: number;
}

/** A failed invocation as Step Functions sees it: Error = errorType, Cause = the runtime's JSON report. */
export class LambdaInvocationError extends Error {
  constructor(failure: LambdaFailure) {
    super(JSON.stringify(failure));
    this.name = failure.errorType;
  }
}

interface RunningFunction {
  worker: Worker;
  initFailure?: LambdaFailure;
  pending: Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>;
}

export interface FunctionWorkers {
  invoke(id: string, event: unknown): Promise<unknown>;
  /** Replaces a function's environment, as a configuration update does: a new cold start. */
  reconfigure(id: string, environment: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

export async function startFunctionWorkers(
  specs: FunctionWorkerSpec[],
  options: { onOutput?: (functionId: string, line: string) => void } = {},
): Promise<FunctionWorkers> {
  const running = new Map<string, RunningFunction>();
  const specsById = new Map(specs.map((spec) => [spec.id, spec]));
  let nextId = 1;

  async function launch(spec: FunctionWorkerSpec): Promise<RunningFunction> {
    const worker = new Worker(new URL("./function-worker.ts", import.meta.url), {
      env: spec.environment,
      workerData: {
        functionName: spec.id,
        bundlePath: spec.bundlePath,
        timeoutMs: spec.timeoutMs,
      } satisfies WorkerData,
      stdout: true,
      stderr: true,
    });
    for (const stream of [worker.stdout, worker.stderr]) {
      createInterface({ input: stream }).on("line", (line) => options.onOutput?.(spec.id, line));
    }
    const fn: RunningFunction = { worker, pending: new Map() };
    worker.on("message", (message: WorkerReply | WorkerStatus) => {
      if ("id" in message) {
        const call = fn.pending.get(message.id);
        fn.pending.delete(message.id);
        if ("failure" in message) call?.reject(new LambdaInvocationError(message.failure));
        else call?.resolve(message.result);
      }
    });
    const [status] = (await once(worker, "message")) as [WorkerStatus];
    if ("initFailure" in status) fn.initFailure = status.initFailure;
    return fn;
  }

  const launched = await Promise.all(specs.map(async (spec) => [spec.id, await launch(spec)] as const));
  for (const [id, fn] of launched) running.set(id, fn);

  return {
    invoke(id, event) {
      const fn = running.get(id);
      const spec = specsById.get(id);
      if (!fn || !spec) return Promise.reject(new Error(`no local function ${id}`));
      if (fn.initFailure)
        return Promise.reject(new LambdaInvocationError({ ...fn.initFailure, errorType: "Runtime.InitError" }));
      const callId = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          fn.pending.delete(callId);
          reject(
            new LambdaInvocationError({
              errorType: "Sandbox.Timedout",
              errorMessage: `Task timed out after ${spec.timeoutMs / 1000} seconds`,
              trace: [],
            }),
          );
        }, spec.timeoutMs);
        fn.pending.set(callId, {
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        fn.worker.postMessage({ id: callId, event });
      });
    },
    async reconfigure(id, environment) {
      const spec = specsById.get(id);
      const previous = running.get(id);
      if (!spec || !previous) throw new Error(`no local function ${id}`);
      const updated = { ...spec, environment };
      specsById.set(id, updated);
      running.set(id, await launch(updated));
      await previous.worker.terminate();
    },
    async stop() {
      await Promise.all([...running.values()].map((fn) => fn.worker.terminate()));
    },
  };
}
