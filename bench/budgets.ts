// The benchmark's budgets, as a pure function of a run's results: each budget the results can speak to,
// with its limit, what was measured and whether it holds. Parts that did not run are not judged.
//
// A timing budget is a ratio to a baseline measured in the same run, side by side, so a slower or busier
// machine moves both and the verdict stays: cold import against the `node -e 0` floor and against the
// function's bare bundle (no pipeline), warm overhead against the bare business function's own time, end
// to end against the CPU it could use. The absolute figures stay in the report, beside each ratio.
import { primaryStack, workflowTypes } from "./cost.ts";
import type { BenchResults } from "./results.ts";

export const KB = 1024;

export const budgetLimits = {
  /** Minified ESM bundle, bytes (400 KB; the aim is 250 KB). */
  bundleBytes: 400 * KB,
  bundleAimBytes: 250 * KB,
  /** CPU of a `node` that imports the bundle, as a multiple of `node -e 0`'s. */
  coldImportToFloor: 4,
  /** CPU of the bundle's `import()` as a multiple of its bare bundle's (same code without the pipeline). */
  coldImportToBare: 1.25,
  /** Middy pipeline overhead per warm invocation, in CPU, as a fraction of the bare business function's own. */
  warmOverheadToBare: 0.3,
  /** End to end: the least share of the CPU available to it that a run uses (cpu-usage.ts cpuShare). */
  endToEndCpuShare: 0.6,
  /** DynamoDB round trips per status read. */
  statusReadRoundTrips: 1,
  /** DynamoDB write round trips per recorded outcome. */
  recordedOutcomeWrites: 1,
  /** Per million happy-path executions on the prod stack, percent of the original design's shape, by workflow type. */
  happyPathCostPercentOfSeed: { EXPRESS: 15, STANDARD: 105 },
} as const;

export interface BudgetCheck {
  budget: string;
  subject: string;
  limit: string;
  actual: string;
  ok: boolean;
}

const kb = (bytes: number) => `${(bytes / KB).toFixed(1)} KB`;

export function checkBudgets(results: BenchResults): BudgetCheck[] {
  const limits = budgetLimits;
  const checks: BudgetCheck[] = [];
  for (const bundle of results.bundles ?? []) {
    checks.push({
      budget: "bundle size",
      subject: bundle.id,
      limit: `<= ${kb(limits.bundleBytes)}`,
      actual: kb(bundle.bytes),
      ok: bundle.bytes <= limits.bundleBytes,
    });
  }
  const cold = results.coldImport;
  for (const row of cold?.functions ?? []) {
    checks.push({
      budget: "cold import x floor",
      subject: row.id,
      limit: `<= ${limits.coldImportToFloor}`,
      actual: `${row.ratio} (${row.cpuMs} ms CPU, floor ${cold?.floorCpuMs} ms; wall ${row.medianMs} ms, floor ${cold?.floorMs} ms)`,
      ok: row.ratio <= limits.coldImportToFloor,
    });
    checks.push({
      budget: "cold import x bare bundle",
      subject: row.id,
      limit: `<= ${limits.coldImportToBare}`,
      actual: `${row.ratioToBare} (import ${row.importCpuMs} ms CPU, bare ${row.bareImportCpuMs} ms)`,
      ok: row.ratioToBare <= limits.coldImportToBare,
    });
  }
  for (const row of results.warmOverhead?.rows ?? []) {
    checks.push({
      budget: "warm overhead / bare function",
      subject: row.id,
      limit: `<= ${limits.warmOverheadToBare}`,
      actual: `${row.overheadRatio} (${row.overheadCpuUs} us CPU over ${row.bareCpuUs} us; wall ${row.overheadUs} over ${row.bareUs} us)`,
      ok: row.overheadRatio <= limits.warmOverheadToBare,
    });
  }
  for (const row of results.endToEnd ?? []) {
    // Without /proc there is no CPU to judge against: the row is reported, not judged.
    if (row.cpuShare === undefined) continue;
    checks.push({
      budget: "end to end: share of available CPU used",
      subject: `concurrency ${row.concurrency}`,
      limit: `>= ${limits.endToEndCpuShare}`,
      actual:
        `${row.cpuShare} (${row.executionsPerSecond} executions/s, ` +
        `${row.nodeCpuMs} + ${row.javaCpuMs ?? "?"} ms CPU per execution)`,
      ok: row.cpuShare >= limits.endToEndCpuShare && row.failures === 0,
    });
  }
  const roundTrips = results.roundTrips;
  if (roundTrips) {
    checks.push({
      budget: "DynamoDB round trips per status read",
      subject: "status-api",
      limit: `<= ${limits.statusReadRoundTrips}`,
      actual: `${roundTrips.statusRead.DynamoDB} (${roundTrips.statusRead.operations.join(", ")})`,
      ok: roundTrips.statusRead.DynamoDB <= limits.statusReadRoundTrips,
    });
    for (const [scenario, path] of Object.entries(roundTrips.paths)) {
      for (const row of path.perFunction) {
        if (row.functionId !== "execution-recorder" && row.functionId !== "execution-failure-recorder") continue;
        checks.push({
          budget: "write round trips per recorded outcome",
          subject: `${row.functionId} (${scenario})`,
          limit: `<= ${limits.recordedOutcomeWrites}`,
          actual: String(row.dynamoWrites),
          ok: row.dynamoWrites <= limits.recordedOutcomeWrites,
        });
      }
    }
    if (roundTrips.wireMismatches.length > 0) {
      checks.push({
        budget: "round trips counted by the SDK middleware match the wire",
        subject: "all functions",
        limit: "no difference",
        actual: roundTrips.wireMismatches.join("; "),
        ok: false,
      });
    }
  }
  const costed = results.cost && primaryStack(results.cost);
  for (const type of workflowTypes) {
    if (!costed) break;
    const path = costed.paths.happy;
    const limit = limits.happyPathCostPercentOfSeed[type];
    checks.push({
      budget: "happy-path cost, % of the original design's shape",
      subject: `${type} (${costed.stack})`,
      limit: `<= ${limit}%`,
      actual: `${path.percentOfSeed[type]}% ($${path.ours[type].perMillion.total.toFixed(2)} per million)`,
      ok: path.percentOfSeed[type] <= limit,
    });
  }
  return checks;
}

export const brokenBudgets = (results: BenchResults) => checkBudgets(results).filter((check) => !check.ok);
