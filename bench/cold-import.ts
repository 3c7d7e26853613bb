// 2. Cold import: a fresh Node process that imports one deployable bundle and exits, against two baselines
// measured in the same run and interleaved with the bundles, so drift on the machine hits all alike: the
// floor, `node -e 0` (a process that does nothing), and the function's bare bundle (bench/bare-bundles.ts:
// the same business function and clients without the Middy/Powertools pipeline), whose `import()` is what
// the pipeline's is judged against. Each bundle gets the environment a deploy gives it (synthesized stack)
// plus what the Lambda runtime sets at init, so its import-time configuration reads succeed and the
// Powertools tracer initializes as it does in Lambda.
//
// Each process reports the CPU it used (all its threads), in all and for the `import()`, beside the wall
// times. The ratios the budgets judge are of CPU: on a busy machine a process waits for a core for any
// length of time, which lands in its wall time and not in its CPU time.
import { spawnSync } from "node:child_process";
import { dirname } from "node:path";
import { pathToFileURL } from "node:url";
import type { EngineFunctionId } from "../infra/catalog.ts";
import type { DeployedFunction } from "./stack.ts";
import { median, round } from "./stats.ts";

export interface ColdImportTarget {
  fn: DeployedFunction;
  /** The bundle, as `<task root>/index.mjs`. */
  file: string;
  /** The function's bare bundle (no pipeline), in a task root of its own. */
  bareFile: string;
}

export interface ColdImportRow {
  id: EngineFunctionId;
  /** Median wall time of `node` importing the bundle and exiting. */
  medianMs: number;
  /** Median wall time of the `import()` alone, measured inside the process. */
  importMs: number;
  /** Median CPU time of the whole process. */
  cpuMs: number;
  /** Median CPU time of the `import()` alone. */
  importCpuMs: number;
  /** cpuMs divided by the floor's: what starting with this bundle costs, in floors. */
  ratio: number;
  /** Median wall time of `node` importing the bare bundle and exiting. */
  bareMedianMs: number;
  /** Median CPU time of the bare bundle's `import()`. */
  bareImportCpuMs: number;
  /** importCpuMs divided by bareImportCpuMs: what the pipeline multiplies the import by. */
  ratioToBare: number;
}

export interface ColdImportResult {
  runs: number;
  /** Median wall time of the floor. */
  floorMs: number;
  /** Median CPU time of the floor. */
  floorCpuMs: number;
  functions: ColdImportRow[];
}

/** What the Lambda runtime sets before it loads a function's code (no per-invocation trace id yet). */
export function lambdaInitEnvironment(fn: DeployedFunction, taskRoot: string, region = "us-east-1") {
  return {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: "bench",
    AWS_SECRET_ACCESS_KEY: "bench",
    AWS_SESSION_TOKEN: "bench",
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: "bench",
    AWS_LAMBDA_RUNTIME_API: "127.0.0.1:9001",
    AWS_XRAY_DAEMON_ADDRESS: "127.0.0.1:2000",
    AWS_XRAY_CONTEXT_MISSING: "LOG_ERROR",
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: "/var/runtime",
    _HANDLER: "index.handler",
    TZ: ":UTC",
    ...fn.environment,
  };
}

/** Prints, as JSON, the process's CPU so far: what `node -e 0` costs, measured as it ends. */
const floorScript = "const c=process.cpuUsage();process.stdout.write(JSON.stringify({cpuMs:(c.user+c.system)/1000}))";

const importScript =
  "const t=performance.now(),c=process.cpuUsage();await import(process.argv[1]);" +
  "const i=process.cpuUsage(c),a=process.cpuUsage();process.stdout.write(JSON.stringify({" +
  "importMs:performance.now()-t,importCpuMs:(i.user+i.system)/1000,cpuMs:(a.user+a.system)/1000}));process.exit(0)";

export interface ColdImportSample {
  wallMs: number;
  /** CPU of the whole process, as it ended. */
  cpuMs: number;
  importMs?: number;
  importCpuMs?: number;
}
type Sample = ColdImportSample;

function runOnce(args: string[], env: Record<string, string>): Sample {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const wallMs = performance.now() - started;
  if (result.status !== 0) {
    throw new Error(
      `node ${args.join(" ").slice(0, 80)} exited with ${result.status}: ${result.stderr.slice(0, 2000)}`,
    );
  }
  return { wallMs, ...(JSON.parse(result.stdout) as Omit<Sample, "wallMs">) };
}

export function measureColdImport(
  targets: readonly ColdImportTarget[],
  options: { runs?: number; warmups?: number; onProgress?: (message: string) => void } = {},
): ColdImportResult {
  const runs = Math.max(11, options.runs ?? 15);
  const baseEnvironment = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
  const importJob = (id: string, fn: DeployedFunction, file: string) => ({
    id,
    args: ["--input-type=module", "-e", importScript, pathToFileURL(file).href],
    env: { ...baseEnvironment, ...lambdaInitEnvironment(fn, dirname(file)) },
  });
  const jobs = [
    { id: "floor", args: ["-e", floorScript], env: baseEnvironment },
    ...targets.flatMap(({ fn, file, bareFile }) => [
      importJob(fn.id, fn, file),
      importJob(`bare:${fn.id}`, fn, bareFile),
    ]),
  ];
  const samples = new Map<string, Sample[]>(jobs.map((job) => [job.id, []]));
  // Warm-ups fill the file cache and fail fast on a bundle that cannot initialize.
  for (let warmup = 0; warmup < (options.warmups ?? 2); warmup++) {
    for (const job of jobs) runOnce(job.args, job.env);
  }
  for (let run = 0; run < runs; run++) {
    // Rotating the order spreads any periodic noise over every job.
    for (let index = 0; index < jobs.length; index++) {
      const job = jobs[(index + run) % jobs.length] as (typeof jobs)[number];
      samples.get(job.id)?.push(runOnce(job.args, job.env));
    }
    options.onProgress?.(`cold import: run ${run + 1}/${runs}`);
  }
  return summarizeColdImport(
    runs,
    samples.get("floor") ?? [],
    targets.map(({ fn }) => ({
      id: fn.id,
      bundle: samples.get(fn.id) ?? [],
      bare: samples.get(`bare:${fn.id}`) ?? [],
    })),
  );
}

/** The result from the samples: medians, and each bundle's ratios to the floor and to its bare bundle. */
export function summarizeColdImport(
  runs: number,
  floor: readonly Sample[],
  functions: readonly { id: EngineFunctionId; bundle: readonly Sample[]; bare: readonly Sample[] }[],
): ColdImportResult {
  const medianOf = (samples: readonly Sample[], pick: (sample: Sample) => number | undefined) =>
    median(samples.map((sample) => pick(sample) ?? Number.NaN));
  const floorCpuMs = medianOf(floor, (sample) => sample.cpuMs);
  return {
    runs,
    floorMs: round(medianOf(floor, (sample) => sample.wallMs)),
    floorCpuMs: round(floorCpuMs),
    functions: functions.map(({ id, bundle, bare }) => {
      const cpuMs = medianOf(bundle, (sample) => sample.cpuMs);
      const importCpuMs = medianOf(bundle, (sample) => sample.importCpuMs);
      const bareImportCpuMs = medianOf(bare, (sample) => sample.importCpuMs);
      return {
        id,
        medianMs: round(medianOf(bundle, (sample) => sample.wallMs)),
        importMs: round(medianOf(bundle, (sample) => sample.importMs)),
        cpuMs: round(cpuMs),
        importCpuMs: round(importCpuMs),
        ratio: round(cpuMs / floorCpuMs, 2),
        bareMedianMs: round(medianOf(bare, (sample) => sample.wallMs)),
        bareImportCpuMs: round(bareImportCpuMs),
        ratioToBare: round(importCpuMs / bareImportCpuMs, 2),
      };
    }),
  };
}
