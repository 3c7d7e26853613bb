// The engine's functions as Lambda runs them: each from its deployable bundle, in worker threads with the
// function's own environment. Like Lambda, an instance handles one invocation at a time; a busy function
// gets another instance (a cold start). Lambda's concurrency limits throttle what goes over them
// (lambda-concurrency.ts); under them, what this machine cannot run at once waits for an instance: past
// as many instances per function as it has cores, another only costs a cold start and runs no sooner.
import { once } from "node:events";
import { availableParallelism } from "node:os";
import { createInterface } from "node:readline";
import { Worker } from "node:worker_threads";
import type { HostFault } from "./faults/lambda-faults.ts";
import {
  invocationEndMarker,
  type LambdaFailure,
  type WorkerData,
  type WorkerReply,
  type WorkerRequest,
  type WorkerStatus,
} from "./function-protocol.ts";
import { type ConcurrencyLimits, createConcurrencyLimiter } from "./lambda-concurrency.ts";

export interface FunctionWorkerSpec {
  id: string;
  bundlePath: string;
  environment: Record<string, string>;
  timeoutMs: number;
}

/** A failed invocation as Step Functions sees it: Error = errorType, Cause = the runtime's JSON report. */
export class LambdaInvocationError extends Error {
  readonly failure: LambdaFailure;
  constructor(failure: LambdaFailure) {
    super(JSON.stringify(failure));
    this.name = failure.errorType;
    this.failure = failure;
  }
}

interface Instance {
  worker: Worker;
  initFailure?: LambdaFailure;
  busy: boolean;
  /** The sandbox died or timed out: Lambda never gives it another invocation. */
  discarded?: boolean;
  /** A timed-out invocation still running: the sandbox ends once it has, so none of its output is lost. */
  abandoned?: Promise<void>;
  /** Invocations whose end-of-output line has not been read yet. */
  flushed: Map<number, () => void>;
}

const markerPrefix = invocationEndMarker(0).slice(0, -1);

interface Pool {
  spec: FunctionWorkerSpec;
  instances: Instance[];
  waiting: ((instance: Instance) => void)[];
  launching: number;
}

export interface FunctionWorkers {
  /** `fault`: a fault of the Lambda service to play around this invocation (local/faults/). */
  invoke(id: string, event: unknown, options?: { traceHeader?: string; fault?: HostFault }): Promise<unknown>;
  /** Replaces a function's environment, as a configuration update does: its instances start cold. */
  reconfigure(id: string, environment: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

export async function startFunctionWorkers(
  specs: FunctionWorkerSpec[],
  options: {
    onOutput?: (functionId: string, line: string) => void;
    /** Instances (worker threads) per function at most; by default as many as the machine has cores, and 2. */
    maxInstances?: number;
    /** Lambda's limits; none by default. */
    limits?: ConcurrencyLimits;
  } = {},
): Promise<FunctionWorkers> {
  const maxInstances = options.maxInstances ?? Math.max(2, availableParallelism());
  const limiter = createConcurrencyLimiter(options.limits ?? { accountLimit: Number.POSITIVE_INFINITY, reserved: {} });
  const pools = new Map<string, Pool>(
    specs.map((spec) => [spec.id, { spec, instances: [], waiting: [], launching: 0 }]),
  );
  let nextId = 1;
  /** Sandboxes taken out of service and not ended yet. */
  const retired = new Set<Instance>();

  async function launch(spec: FunctionWorkerSpec): Promise<Instance> {
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
    const instance: Instance = { worker, busy: false, flushed: new Map() };
    createInterface({ input: worker.stdout }).on("line", (line) => {
      if (line.startsWith(markerPrefix)) {
        const id = Number(line.slice(markerPrefix.length));
        instance.flushed.get(id)?.();
        instance.flushed.delete(id);
      } else {
        options.onOutput?.(spec.id, line);
      }
    });
    createInterface({ input: worker.stderr }).on("line", (line) => options.onOutput?.(spec.id, line));
    const [status] = (await once(worker, "message")) as [WorkerStatus];
    if ("initFailure" in status) instance.initFailure = status.initFailure;
    return instance;
  }

  async function acquire(pool: Pool): Promise<Instance> {
    const overLimit = limiter.admit(pool.spec.id);
    if (overLimit) throw new LambdaInvocationError(overLimit);
    const idle = pool.instances.find((instance) => !instance.busy);
    if (idle) {
      idle.busy = true;
      return idle;
    }
    if (pool.instances.length + pool.launching < maxInstances) {
      pool.launching++;
      try {
        const instance = await launch(pool.spec);
        instance.busy = true;
        pool.instances.push(instance);
        return instance;
      } catch (error) {
        limiter.release(pool.spec.id);
        throw error;
      } finally {
        pool.launching--;
      }
    }
    return new Promise((resolve) => pool.waiting.push(resolve));
  }

  function release(pool: Pool, instance: Instance): void {
    limiter.release(pool.spec.id);
    const next = pool.waiting.shift();
    if (instance.discarded) discard(pool, instance, next);
    else if (next) next(instance);
    else instance.busy = false;
  }

  /** Ends a sandbox that died or timed out; an invocation waiting for one gets a new (cold) one. */
  function discard(pool: Pool, instance: Instance, next: ((instance: Instance) => void) | undefined): void {
    const position = pool.instances.indexOf(instance);
    if (position >= 0) pool.instances.splice(position, 1);
    retired.add(instance);
    void (instance.abandoned ?? Promise.resolve()).then(async () => {
      await instance.worker.terminate();
      retired.delete(instance);
    });
    if (!next) return;
    pool.launching++;
    void launch(pool.spec)
      .then((fresh) => {
        fresh.busy = true;
        pool.instances.push(fresh);
        next(fresh);
      })
      .finally(() => pool.launching--);
  }

  function call(
    instance: Instance,
    spec: FunctionWorkerSpec,
    event: unknown,
    traceHeader?: string,
    fault?: HostFault,
  ): Promise<unknown> {
    if (instance.initFailure) {
      return Promise.reject(new LambdaInvocationError({ ...instance.initFailure, errorType: "Runtime.InitError" }));
    }
    if (fault?.at === "before") {
      instance.discarded = true;
      return Promise.reject(new LambdaInvocationError(fault.failure));
    }
    const id = nextId++;
    const outputFlushed = new Promise<void>((resolve) => instance.flushed.set(id, resolve));
    return new Promise((resolve, reject) => {
      const onMessage = (message: WorkerReply | WorkerStatus) => {
        if (!("id" in message) || message.id !== id) return;
        settle();
        void outputFlushed.then(() => {
          if (fault) {
            // The handler ran to its end; the sandbox dies before its result is reported.
            instance.discarded = true;
            reject(new LambdaInvocationError(fault.failure));
          } else if ("failure" in message) reject(new LambdaInvocationError(message.failure));
          else resolve(message.result);
        });
      };
      const timer = setTimeout(() => {
        settle();
        // Lambda stops a timed-out sandbox: it must not take the next invocation while this one still runs.
        instance.discarded = true;
        instance.abandoned = outputFlushed;
        reject(
          new LambdaInvocationError({
            errorType: "Sandbox.Timedout",
            errorMessage: `Task timed out after ${spec.timeoutMs / 1000} seconds`,
            trace: [],
          }),
        );
      }, spec.timeoutMs);
      const settle = () => {
        clearTimeout(timer);
        instance.worker.off("message", onMessage);
      };
      instance.worker.on("message", onMessage);
      instance.worker.postMessage({ id, event, traceHeader } satisfies WorkerRequest);
    });
  }

  // One warm instance per function from the start, so the first execution does not pay every cold start.
  await Promise.all([...pools.values()].map(async (pool) => pool.instances.push(await launch(pool.spec))));

  return {
    async invoke(id, event, invocation = {}) {
      const pool = pools.get(id);
      if (!pool) throw new Error(`no local function ${id}`);
      // A throttled invocation never reaches a sandbox.
      if (invocation.fault?.kind === "throttle") throw new LambdaInvocationError(invocation.fault.failure);
      const instance = await acquire(pool);
      try {
        return await call(instance, pool.spec, event, invocation.traceHeader, invocation.fault);
      } finally {
        release(pool, instance);
      }
    },
    async reconfigure(id, environment) {
      const pool = pools.get(id);
      if (!pool) throw new Error(`no local function ${id}`);
      pool.spec = { ...pool.spec, environment };
      const previous = pool.instances.splice(0);
      pool.instances.push(await launch(pool.spec));
      await Promise.all(previous.map((instance) => instance.worker.terminate()));
    },
    async stop() {
      await Promise.all(
        [...pools.values(), { instances: [...retired] }].flatMap((pool) =>
          pool.instances.map((instance) => instance.worker.terminate()),
        ),
      );
    },
  };
}
