// 2. Cold import: the wall time of a fresh Node process that imports one deployable bundle and exits,
// against two baselines measured in the same run and interleaved with the bundles, so drift on the machine
// hits all alike: the floor, `node -e 0`, and the function's bare bundle (bench/bare-bundles.ts: the same
// business function and clients without the Middy/Powertools pipeline), whose `import()` time is what the
// pipeline's is judged against. Each bundle gets the environment a deploy gives it (synthesized stack)
// plus what the Lambda runtime sets at init, so its import-time configuration reads succeed and the
// Powertools tracer initializes as it does in Lambda.
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
  /** Median time of the `import()` alone, measured inside the process. */
  importMs: number;
  /** medianMs minus the floor's median. */
  overFloorMs: number;
  /** medianMs divided by the floor's median. */
  ratio: number;
  /** Median wall time of `node` importing the bare bundle and exiting. */
  bareMedianMs: number;
  /** Median time of the bare bundle's `import()` alone. */
  bareImportMs: number;
  /** importMs divided by bareImportMs: what the pipeline multiplies the import by. */
  ratioToBare: number;
}

export interface ColdImportResult {
  runs: number;
  floorMs: number;
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

const importScript =
  "const t=performance.now();await import(process.argv[1]);" +
  "process.stdout.write(String(performance.now()-t));process.exit(0)";

export interface ColdImportSample {
  wallMs: number;
  importMs?: number;
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
  const importMs = result.stdout ? Number(result.stdout) : undefined;
  return { wallMs, importMs };
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
    { id: "floor", args: ["-e", "0"], env: baseEnvironment },
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
  const wall = (samples: readonly Sample[]) => median(samples.map((sample) => sample.wallMs));
  const imported = (samples: readonly Sample[]) => median(samples.map((sample) => sample.importMs ?? Number.NaN));
  const floorMs = wall(floor);
  return {
    runs,
    floorMs: round(floorMs),
    functions: functions.map(({ id, bundle, bare }) => {
      const medianMs = wall(bundle);
      const importMs = imported(bundle);
      const bareImportMs = imported(bare);
      return {
        id,
        medianMs: round(medianMs),
        importMs: round(importMs),
        overFloorMs: round(medianMs - floorMs),
        ratio: round(medianMs / floorMs, 2),
        bareMedianMs: round(wall(bare)),
        bareImportMs: round(bareImportMs),
        ratioToBare: round(importMs / bareImportMs, 2),
      };
    }),
  };
}
