// The benchmark's budgets, as a pure function of a run's results: each budget the results can speak to,
// with its limit, what was measured and whether it holds. Parts that did not run are not judged.
import type { BenchResults } from "./results.ts";

export const KB = 1024;

export const budgetLimits = {
  /** Minified ESM bundle, bytes (400 KB; the aim is 250 KB). */
  bundleBytes: 400 * KB,
  bundleAimBytes: 250 * KB,
  /** Cold import over the `node -e 0` floor, milliseconds. */
  coldImportOverFloorMs: 60,
  /** Middy pipeline over the bare business function, per warm invocation, microseconds. */
  warmOverheadUs: 50,
  /** DynamoDB round trips per status read. */
  statusReadRoundTrips: 1,
  /** DynamoDB write round trips per recorded outcome. */
  recordedOutcomeWrites: 1,
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
  const checks: BudgetCheck[] = [];
  for (const bundle of results.bundles ?? []) {
    checks.push({
      budget: "bundle size",
      subject: bundle.id,
      limit: `<= ${kb(budgetLimits.bundleBytes)}`,
      actual: kb(bundle.bytes),
      ok: bundle.bytes <= budgetLimits.bundleBytes,
    });
  }
  for (const row of results.coldImport?.functions ?? []) {
    checks.push({
      budget: "cold import over floor",
      subject: row.id,
      limit: `<= ${budgetLimits.coldImportOverFloorMs} ms`,
      actual: `${row.overFloorMs} ms`,
      ok: row.overFloorMs <= budgetLimits.coldImportOverFloorMs,
    });
  }
  for (const row of results.warmOverhead?.rows ?? []) {
    checks.push({
      budget: "warm pipeline overhead",
      subject: row.id,
      limit: `<= ${budgetLimits.warmOverheadUs} us`,
      actual: `${row.overheadUs} us`,
      ok: row.overheadUs <= budgetLimits.warmOverheadUs,
    });
  }
  const roundTrips = results.roundTrips;
  if (roundTrips) {
    checks.push({
      budget: "DynamoDB round trips per status read",
      subject: "status-api",
      limit: `<= ${budgetLimits.statusReadRoundTrips}`,
      actual: `${roundTrips.statusRead.DynamoDB} (${roundTrips.statusRead.operations.join(", ")})`,
      ok: roundTrips.statusRead.DynamoDB <= budgetLimits.statusReadRoundTrips,
    });
    for (const [scenario, path] of Object.entries(roundTrips.paths)) {
      for (const row of path.perFunction) {
        if (row.functionId !== "execution-recorder" && row.functionId !== "execution-failure-recorder") continue;
        checks.push({
          budget: "write round trips per recorded outcome",
          subject: `${row.functionId} (${scenario})`,
          limit: `<= ${budgetLimits.recordedOutcomeWrites}`,
          actual: String(row.dynamoWrites),
          ok: row.dynamoWrites <= budgetLimits.recordedOutcomeWrites,
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
  return checks;
}

export const brokenBudgets = (results: BenchResults) => checkBudgets(results).filter((check) => !check.ok);
