// `npm run bench`: measures the engine (bundles, cold import, warm pipeline overhead, status API under load,
// end to end, round trips, cost per million executions), writes bench/results.json and bench/results.md,
// and with --check exits 1 listing every budget that is broken.
//
//   npm run bench                        everything, writes both files
//   npm run bench -- --check             the same, then judges the budgets
//   npm run bench -- --only bundles,round-trips [--write] [--check]
//                                        some parts; prints the table, writes the files only with --write
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { EngineFunctionId } from "../infra/catalog.ts";
import { publicClient } from "../local/demo-scenarios.ts";
import { startDynamoDbLocal } from "../local/dynamodb-local.ts";
import { startLocalEngine } from "../local/engine.ts";
import { buildBareBundles } from "./bare-bundles.ts";
import { brokenBudgets } from "./budgets.ts";
import { buildBundles, sizesOf, writeBundles } from "./bundles.ts";
import { runInChild } from "./child-process.ts";
import { measureColdImport } from "./cold-import.ts";
import { computeCosts, costSummaryLines, primaryStack } from "./cost.ts";
import { createExecutionTracker, LOAD_ACCOUNT, LOAD_TENANT, measureEndToEnd, warmUpEngine } from "./end-to-end.ts";
import { startBenchServices } from "./function-host.ts";
import { machineInfo } from "./machine.ts";
import { type ObservedStack, observeExecutions } from "./observed-executions.ts";
import { renderMarkdown } from "./report.ts";
import { type BenchPart, type BenchResults, benchParts } from "./results.ts";
import type { RoundTripResult } from "./round-trips.ts";
import { type StackShape, synthesizeStack } from "./stack.ts";
import { runAutocannon, warmUp } from "./status-api-load.ts";
import type { WarmOverheadResult } from "./warm-overhead.ts";

const here = fileURLToPath(new URL(".", import.meta.url));

const { values } = parseArgs({
  options: {
    check: { type: "boolean", default: false },
    only: { type: "string" },
    write: { type: "boolean", default: false },
  },
});
const only = values.only?.split(",").map((part) => part.trim());
const unknown = only?.filter((part) => !benchParts.includes(part as BenchPart)) ?? [];
if (unknown.length) {
  console.error(`unknown part ${unknown.join(", ")}; parts: ${benchParts.join(", ")}`);
  process.exit(2);
}
const parts = new Set<BenchPart>((only as BenchPart[] | undefined) ?? benchParts);
const writeFiles = !only || values.write;

const started = performance.now();
const progress = (message: string) =>
  console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}`);

const results: BenchResults = {
  date: new Date().toISOString(),
  machine: machineInfo(),
  seconds: 0,
  parts: benchParts.filter((part) => parts.has(part)),
};
const scratch = mkdtempSync(join(tmpdir(), "engine-bench-"));
const stoppers: (() => Promise<void>)[] = [];

try {
  const needsSynth = parts.has("cold-import") || parts.has("cost");
  const needsBundles = parts.has("bundles") || parts.has("cold-import");
  const needsDynamo = ["warm-overhead", "status-api", "end-to-end", "round-trips", "cost"].some((part) =>
    parts.has(part as BenchPart),
  );
  progress(`parts: ${results.parts.join(", ")}`);
  const [stacks, bundles, dynamodb] = await Promise.all([
    needsSynth ? Promise.all([synthesizeStack("prod"), synthesizeStack("dev")]) : Promise.resolve([] as StackShape[]),
    needsBundles ? buildBundles() : Promise.resolve([]),
    needsDynamo ? startDynamoDbLocal() : Promise.resolve(undefined),
  ]);
  if (dynamodb) stoppers.push(dynamodb.stop);
  const prod = stacks.find((stack) => stack.stack === "prod");
  progress(
    `ready: ${needsSynth ? "stacks synthesized (prod, dev), " : ""}${needsBundles ? `${bundles.length} bundles built, ` : ""}${dynamodb ? "DynamoDB Local up" : ""}`,
  );

  if (parts.has("bundles")) results.bundles = sizesOf(bundles);

  if (parts.has("cold-import") && prod) {
    const files = writeBundles(bundles, join(scratch, "bundles"));
    const bareFiles = writeBundles(await buildBareBundles(), join(scratch, "bare"));
    results.coldImport = measureColdImport(
      prod.functions.map((fn) => ({
        fn,
        file: files.get(fn.id) as string,
        bareFile: bareFiles.get(fn.id) as string,
      })),
      { runs: 15, onProgress: (message) => /run (5|10|15)\//.test(message) && progress(message) },
    );
    // Catalog order reads better than synth order.
    const order = bundles.map((bundle) => bundle.id as EngineFunctionId);
    results.coldImport.functions.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
    progress(`cold import: floor ${results.coldImport.floorMs} ms`);
  }

  if ((parts.has("round-trips") || parts.has("cost") || parts.has("warm-overhead")) && dynamodb) {
    const services = await startBenchServices({ dynamodbEndpoint: dynamodb.endpoint, tablePrefix: "bench-inproc" });
    try {
      if (parts.has("round-trips") || parts.has("cost")) {
        results.roundTrips = await runInChild<RoundTripResult>(
          join(here, "round-trips.ts"),
          { services: services.descriptor, warmupRuns: 10, happyRuns: 20, failureRuns: 5, statusReads: 30 },
          { onProgress: progress },
        );
      }
      if (parts.has("warm-overhead")) {
        results.warmOverhead = await runInChild<WarmOverheadResult>(
          join(here, "warm-overhead.ts"),
          { services: services.descriptor, targetMsPerFunction: 5000 },
          { onProgress: progress },
        );
      }
    } finally {
      await services.stop();
    }
  }

  if ((parts.has("end-to-end") || parts.has("status-api")) && dynamodb) {
    const tracker = createExecutionTracker();
    const engine = await startLocalEngine({
      dynamodbEndpoint: dynamodb.endpoint,
      tablePrefix: "bench-engine",
      stateDirectory: join(scratch, "engine"),
      logLevel: "INFO",
      onExecutionEnd: tracker.onExecutionEnd,
    });
    try {
      const client = publicClient(engine);
      progress("local engine up");
      const lastWarm = await warmUpEngine(client, tracker);
      if (parts.has("end-to-end")) {
        results.endToEnd = [];
        for (const [concurrency, executions, batch] of [
          [1, 60, 40],
          [16, 240, 64],
        ] as const) {
          const row = await measureEndToEnd(engine, client, tracker, {
            concurrency,
            executions,
            warmup: { batch, minBatches: 4, maxBatches: 6 },
            javaPid: dynamodb.pid,
          });
          results.endToEnd.push(row);
          progress(
            `end to end: concurrency ${concurrency}, ${row.executionsPerSecond} executions/s, ` +
              `CPU per execution ${row.nodeCpuMs} ms node + ${row.javaCpuMs ?? "?"} ms Java`,
          );
        }
      } else {
        // The list read needs 100 executions of the account.
        await measureEndToEnd(engine, client, tracker, { concurrency: 16, executions: 100 });
      }
      if (parts.has("status-api")) {
        const token = await client.token(LOAD_TENANT);
        const api = engine.endpoints.httpApi.url;
        const reads = [
          ["status read", `${api}/executions/${lastWarm.action_intent_id}/status?account_id=${LOAD_ACCOUNT}`],
          ["list of 100", `${api}/accounts/${LOAD_ACCOUNT}/executions?limit=100`],
        ] as const;
        results.statusApi = [];
        for (const [name, url] of reads) {
          await warmUp(url, token);
          const row = await runAutocannon(name, url, token, { connections: 10, seconds: 5 });
          results.statusApi.push(row);
          progress(`status API: ${name}, ${row.requestsPerSecond} req/s`);
        }
      }
    } finally {
      await engine.stop();
    }
  }

  if (parts.has("cost") && results.roundTrips && dynamodb) {
    // Each stack's logging settings on the local engine, one engine at a time.
    const observed: ObservedStack[] = [];
    for (const stack of stacks) {
      observed.push(
        await observeExecutions(stack, {
          dynamodbEndpoint: dynamodb.endpoint,
          tablePrefix: `bench-cost-${stack.stack}`,
          stateDirectory: join(scratch, `cost-${stack.stack}`),
          runs: 5,
          onProgress: progress,
        }),
      );
    }
    results.cost = await computeCosts(results.roundTrips, stacks, observed);
    const primary = primaryStack(results.cost);
    if (primary) for (const line of costSummaryLines(primary)) progress(`${primary.stack}: ${line}`);
    if (!parts.has("round-trips")) delete results.roundTrips;
  }
} finally {
  for (const stop of stoppers.reverse()) await stop();
  rmSync(scratch, { recursive: true, force: true });
}

results.seconds = Math.round((performance.now() - started) / 1000);
const markdown = renderMarkdown(results);
if (writeFiles) {
  writeFileSync(join(here, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(here, "results.md"), markdown);
  // So `npm run lint` stays clean whatever JSON.stringify's layout.
  spawnSync(join(here, "../node_modules/.bin/biome"), ["format", "--write", join(here, "results.json")], {
    stdio: "ignore",
  });
  progress("wrote bench/results.json and bench/results.md");
} else {
  console.log(`\n${markdown}`);
}

if (values.check) {
  const broken = brokenBudgets(results);
  if (broken.length) {
    console.error(`\n${broken.length} budget(s) broken:`);
    for (const check of broken) {
      console.error(`  ${check.budget}: ${check.subject} is ${check.actual} (limit ${check.limit})`);
    }
    process.exit(1);
  }
  console.log("every budget holds");
}
process.exit(0);
