// The deterministic budgets of `npm run bench`, checked by the test command: each function's bundle size,
// built exactly as a deploy builds it, and the round trips counted on the functions' own clients while
// the rendered state machine runs them. Timings are never measured here: the timing budgets' verdicts are
// checked on synthetic measurements, a quiet machine against a slow, busy one and against planted
// regressions, through the same summaries and checks `npm run bench -- --check` uses.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type EngineFunctionId, engineFunctions } from "../infra/catalog.ts";
import { brokenBudgets, budgetLimits, KB } from "./budgets.ts";
import { buildBundles } from "./bundles.ts";
import { type ColdImportSample, summarizeColdImport } from "./cold-import.ts";
import { type CpuWindow, cpuShare } from "./cpu-usage.ts";
import type { EndToEndRow } from "./end-to-end.ts";
import { type BenchServices, startBenchServices } from "./function-host.ts";
import type { BenchResults } from "./results.ts";
import { measureRoundTripsHosted, type RoundTripResult } from "./round-trips.ts";
import { summarizeWarmOverhead, type TimedBatch } from "./warm-overhead.ts";

describe("bundle size budget", () => {
  it(`keeps every function's minified bundle within ${budgetLimits.bundleBytes / KB} KB`, async () => {
    const bundles = await buildBundles();

    expect(bundles.map((bundle) => bundle.id)).toEqual(engineFunctions.map((fn) => fn.id));
    for (const bundle of bundles) {
      expect(bundle.bytes, `${bundle.id}: ${(bundle.bytes / KB).toFixed(1)} KB`).toBeLessThanOrEqual(
        budgetLimits.bundleBytes,
      );
    }
  }, 60_000);
});

describe("round-trip budgets", () => {
  let services: BenchServices;
  let result: RoundTripResult;
  beforeAll(async () => {
    services = await startBenchServices({
      dynamodbEndpoint: inject("dynamodbEndpoint"),
      tablePrefix: `bench-${randomUUID().slice(0, 8)}`,
    });
    result = await measureRoundTripsHosted({
      services: services.descriptor,
      warmupRuns: 0,
      happyRuns: 1,
      failureRuns: 1,
      statusReads: 1,
    });
  });
  afterAll(() => services?.stop());

  it("a status read is one DynamoDB round trip", () => {
    expect(result.statusRead.DynamoDB).toBe(budgetLimits.statusReadRoundTrips);
    expect(result.statusRead.operations).toEqual(["DynamoDB.BatchGetItem"]);
  });

  it("preflight reads the intent, and the tenant's and the global controls together, in two DynamoDB round trips", () => {
    const validator = result.paths.happy.perFunction.find((row) => row.functionId === "execution-validator");

    expect([...(validator?.operations ?? [])].sort()).toEqual(["DynamoDB.BatchGetItem", "DynamoDB.GetItem"]);
    // One strongly consistent unit for the intent and one per controls key, though neither controls item exists.
    expect(validator?.readUnits).toBe(3);
  });

  it("every recorded outcome is at most one DynamoDB write round trip", () => {
    const recordings = Object.entries(result.paths).flatMap(([scenario, path]) =>
      path.perFunction
        .filter((row) => row.functionId === "execution-recorder" || row.functionId === "execution-failure-recorder")
        .map((row) => ({ scenario, functionId: row.functionId, writes: row.dynamoWrites })),
    );

    expect(recordings.map((recording) => recording.scenario).sort()).toEqual([
      "compensated",
      "happy",
      "preflightRejected",
    ]);
    for (const recording of recordings) {
      expect(recording.writes, `${recording.functionId} on ${recording.scenario}`).toBeLessThanOrEqual(
        budgetLimits.recordedOutcomeWrites,
      );
    }
  });

  it("the SDK middleware saw every AWS request that left the process", () => {
    expect(result.wireMismatches).toEqual([]);
    expect(result.paths.happy.total.DynamoDB).toBeGreaterThan(0);
  });

  it("counts the tool call's idempotency record on its own table, for the cost model: its claim and its result", () => {
    const invoker = result.paths.happy.perFunction.find((row) => row.functionId === "tool-invoker");

    expect(invoker?.operations.filter((operation) => operation.startsWith("DynamoDB."))).toEqual([
      "DynamoDB.PutItem",
      "DynamoDB.UpdateItem",
    ]);
    expect(invoker?.unitsByTable).toEqual({ idempotency: { readUnits: 0, writeUnits: 2 } });
  });
});

/**
 * A machine as the timing parts see it. `startup` scales the CPU `node -e 0` costs, `compute` the CPU of
 * running JavaScript (on a busy 2-core machine the floor's CPU grew 2.2x and imports' 2x), `contention` the
 * wall time every process spends waiting for a core, and `busyCores` is the CPU other processes take during
 * the end-to-end run (a `yes` on one core of two takes about one).
 */
interface Machine {
  startup: number;
  compute: number;
  contention: number;
  busyCores: number;
}
const quiet: Machine = { startup: 1, compute: 1, contention: 1, busyCores: 0 };
const slowAndBusy: Machine = { startup: 2.2, compute: 2, contention: 1.6, busyCores: 1 };
const fasterMachine: Machine = { startup: 0.5, compute: 0.6, contention: 1, busyCores: 0 };

/** What the code costs on the quiet machine, in CPU: the figures of real runs. */
interface Code {
  /** Per function, the import()'s ms: its bundle without the pipeline, the pipeline, any work planted at import. */
  coldImport: Record<EngineFunctionId, { pipelineMs: number; businessMs: number; busyLoopMs?: number }>;
  /** Per function, per warm call: the bare business function's us, and what the pipeline adds. */
  warm: Record<EngineFunctionId, { bareUs: number; pipelineUs: number }>;
  /** Per execution: node CPU ms (of it on the main thread), Java CPU ms, and ms it waits on a timer. */
  endToEnd: { nodeCpuMs: number; mainThreadCpuMs: number; javaCpuMs: number; waitMs: number };
}

const ids = engineFunctions.map((fn) => fn.id);
const shipped: Code = {
  coldImport: Object.fromEntries(
    ids.map((id) => [id, { pipelineMs: 3, businessMs: id === "tool-invoker" ? 75 : 53 }]),
  ) as Code["coldImport"],
  warm: {
    "execution-starter": { bareUs: 890, pipelineUs: 67 },
    "execution-validator": { bareUs: 450, pipelineUs: 44 },
    "tool-mapper": { bareUs: 565, pipelineUs: 46 },
    "tool-invoker": { bareUs: 663, pipelineUs: 39 },
    compensation: { bareUs: 99, pipelineUs: 18 },
    "execution-recorder": { bareUs: 1030, pipelineUs: 54 },
    "execution-failure-recorder": { bareUs: 852, pipelineUs: 40 },
    "status-api": { bareUs: 359, pipelineUs: 32 },
  },
  endToEnd: { nodeCpuMs: 50, mainThreadCpuMs: 25, javaCpuMs: 25, waitMs: 0 },
};

/** Deterministic jitter: the nth of a fixed sequence in [-1, 1]. */
const jitter = (n: number) => Math.sin(n * 12.9898) % 1;
/** CPU of `node -e 0` on the quiet machine; its wall time is a little more. */
const FLOOR_CPU_MS = 38;

function coldImportOf(code: Code, machine: Machine) {
  const runs = 15;
  const floorCpu = (run: number) => FLOOR_CPU_MS * machine.startup * (1 + 0.05 * jitter(run));
  const floor: ColdImportSample[] = Array.from({ length: runs }, (_, run) => ({
    cpuMs: floorCpu(run),
    wallMs: (floorCpu(run) + 4) * machine.contention,
  }));
  return summarizeColdImport(
    runs,
    floor,
    ids.map((id, index) => {
      const { pipelineMs, businessMs, busyLoopMs = 0 } = code.coldImport[id];
      // Work planted at import runs in the handler's module, so in both bundles.
      const bareImport = (run: number) =>
        (businessMs * (1 + 0.05 * jitter(run + index)) + busyLoopMs) * machine.compute;
      const fullImport = (run: number) => bareImport(run) + pipelineMs * machine.compute;
      // A process that imports is the floor's start-up, the import, and a little more work to exit.
      const sample = (run: number, importCpuMs: number): ColdImportSample => {
        const cpuMs = floorCpu(run) + importCpuMs + 3 * machine.compute;
        return {
          cpuMs,
          importCpuMs,
          wallMs: (cpuMs + 4) * machine.contention,
          importMs: importCpuMs * machine.contention,
        };
      };
      return {
        id,
        bundle: Array.from({ length: runs }, (_, run) => sample(run, fullImport(run))),
        bare: Array.from({ length: runs }, (_, run) => sample(run, bareImport(run))),
      };
    }),
  );
}

function warmOverheadOf(code: Code, machine: Machine) {
  const rounds = 100;
  return ids.map((id, index) => {
    const { bareUs, pipelineUs } = code.warm[id];
    const batch = (us: number, round: number): TimedBatch => {
      const cpuUs = us * machine.compute * (1 + 0.04 * jitter(round * 7 + index));
      return { cpuUs, wallUs: cpuUs * machine.contention };
    };
    const handler = Array.from({ length: rounds }, (_, round) => batch(bareUs + pipelineUs, round));
    const bare = Array.from({ length: rounds }, (_, round) => batch(bareUs, round + 1));
    return { id, path: "synthetic", ...summarizeWarmOverhead(handler, bare, 50) };
  });
}

function endToEndOf(code: Code, machine: Machine, cores: number): EndToEndRow[] {
  return [1, 16].map((concurrency) => {
    const executions = concurrency === 1 ? 60 : 240;
    const nodeMs = code.endToEnd.nodeCpuMs * machine.compute * executions;
    const mainThreadMs = code.endToEnd.mainThreadCpuMs * machine.compute * executions;
    const javaMs = code.endToEnd.javaCpuMs * machine.compute * executions;
    const cpuPerExecution = (nodeMs + javaMs) / executions;
    // One execution in flight is a chain: its CPU, then its wait. More in flight share what cores are left,
    // and the main thread, where the engines run, is one core at most.
    const usableCores = Math.min(concurrency, cores - machine.busyCores);
    const perExecutionMs = Math.max(
      (cpuPerExecution + code.endToEnd.waitMs) / concurrency,
      cpuPerExecution / usableCores / 0.95,
      mainThreadMs / executions / 0.97,
    );
    const wallMs = perExecutionMs * executions;
    const window: CpuWindow = {
      wallMs,
      nodeMs,
      mainThreadMs,
      otherMs: javaMs,
      idleMs: Math.max(0, (cores - machine.busyCores) * wallMs - nodeMs - javaMs),
    };
    return {
      concurrency,
      warmupExecutions: 60,
      executions,
      seconds: wallMs / 1000,
      executionsPerSecond: (executions * 1000) / wallMs,
      p50Ms: perExecutionMs * concurrency,
      p99Ms: perExecutionMs * concurrency * 1.5,
      failures: 0,
      nodeCpuMs: nodeMs / executions,
      mainThreadCpuMs: mainThreadMs / executions,
      javaCpuMs: javaMs / executions,
      busyCores: (nodeMs + javaMs) / wallMs,
      cpuShare: cpuShare(window, concurrency, cores),
    };
  });
}

function runOf(code: Code, machine: Machine, cores = 2): BenchResults {
  return {
    date: "2026-11-23T00:00:00.000Z",
    machine: { cpuModel: "synthetic", cores, memoryGiB: 8, node: "v24", os: "linux" },
    seconds: 1,
    parts: ["cold-import", "warm-overhead", "end-to-end"],
    coldImport: coldImportOf(code, machine),
    warmOverhead: { rows: warmOverheadOf(code, machine), logLevel: "INFO", tracerActive: true },
    endToEnd: endToEndOf(code, machine, cores),
  };
}

const broken = (code: Code, machine: Machine, cores = 2) =>
  brokenBudgets(runOf(code, machine, cores)).map((check) => `${check.budget}: ${check.subject}`);

describe("timing budgets, as ratios to baselines measured in the same run", () => {
  it("hold for the shipped code on a quiet machine, a slow and busy one, and a faster one", () => {
    expect(broken(shipped, quiet)).toEqual([]);
    expect(broken(shipped, slowAndBusy)).toEqual([]);
    expect(broken(shipped, fasterMachine)).toEqual([]);
  });

  it("break for a busy loop in one handler's cold path, on any of the machines", () => {
    // 150 ms of CPU spent at import, as `while (process.cpuUsage(start).user < 150_000);` spends it.
    const planted: Code = {
      ...shipped,
      coldImport: { ...shipped.coldImport, "tool-mapper": { pipelineMs: 3, businessMs: 53, busyLoopMs: 150 } },
    };

    for (const machine of [quiet, slowAndBusy, fasterMachine]) {
      expect(broken(planted, machine)).toEqual(["cold import x floor: tool-mapper"]);
    }
  });

  it("break for a pipeline that adds a fifth and more to the import of every function", () => {
    const heavier: Code = {
      ...shipped,
      coldImport: Object.fromEntries(
        ids.map((id) => [id, { ...shipped.coldImport[id], pipelineMs: 25 }]),
      ) as Code["coldImport"],
    };

    expect(broken(heavier, slowAndBusy)).toEqual(ids.map((id) => `cold import x bare bundle: ${id}`));
  });

  it("break for a middleware that adds half a millisecond to every warm invocation of one function", () => {
    const slowMiddleware: Code = {
      ...shipped,
      warm: { ...shipped.warm, "execution-recorder": { bareUs: 1030, pipelineUs: 554 } },
    };

    expect(broken(slowMiddleware, quiet)).toEqual(["warm overhead / bare function: execution-recorder"]);
    expect(broken(slowMiddleware, slowAndBusy)).toEqual(["warm overhead / bare function: execution-recorder"]);
  });

  it("break for an execution that waits on a timer instead of working, where no concurrency hides the wait", () => {
    const waiting: Code = { ...shipped, endToEnd: { ...shipped.endToEnd, waitMs: 500 } };

    // Sixteen in flight cover a 500 ms wait with work on two cores: that rate is still the CPU's.
    for (const machine of [quiet, slowAndBusy]) {
      expect(broken(waiting, machine)).toEqual(["end to end: share of available CPU used: concurrency 1"]);
    }
  });

  it("count a run bound by the engine's main thread as CPU-bound on a machine with many cores", () => {
    const manyCores = 16;
    const run = runOf(shipped, quiet, manyCores);
    const atSixteen = run.endToEnd?.find((row) => row.concurrency === 16);

    // Two of sixteen cores busy: the main thread, not the machine, is what the rate is bound by.
    expect(atSixteen?.busyCores).toBeLessThan(4);
    expect(broken(shipped, quiet, manyCores)).toEqual([]);
    expect(broken({ ...shipped, endToEnd: { ...shipped.endToEnd, waitMs: 500 } }, quiet, manyCores)).toEqual([
      "end to end: share of available CPU used: concurrency 1",
    ]);
  });

  it("are not judged by CPU share where /proc cannot tell the CPU available", () => {
    const run = runOf(shipped, quiet);
    const rows = (run.endToEnd ?? []).map(({ cpuShare: _unknown, ...row }) => row);

    expect(brokenBudgets({ ...run, endToEnd: rows })).toEqual([]);
  });
});
