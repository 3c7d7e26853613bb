// The figures of a chaos run, as a table: what was approved, what faults were injected, how the engine
// answered (retries, outcomes, duplicates caught, compensations) and what was lost or doubled.
import type { FaultPlanState } from "../local/faults/index.ts";
import type { BatchIntent } from "./batch.ts";
import type { Finding, Observation } from "./checks.ts";

export interface ChaosFigures {
  seed: number;
  profile: string;
  intents: number;
  executions: number;
  duplicateApprovals: number;
  faultsInjected: Record<string, number>;
  retries: number;
  outcomes: Record<string, number>;
  duplicatesCaught: number;
  compensations: Record<string, number>;
  signalsPublished: number;
  signalRecords: number;
  metrics: { succeeded: number; failed: number };
  alarmsTripped: string[];
  losses: number;
  doubleEffects: number;
  otherFindings: number;
  seconds: number;
}

const tally = (values: string[]) => {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
};

export function chaosFigures(input: {
  seed: number;
  profile: string;
  batch: BatchIntent[];
  faults: FaultPlanState;
  seen: Observation;
  findings: Finding[];
  seconds: number;
}): ChaosFigures {
  const { batch, seen, findings } = input;
  const records = [...seen.records.values()];
  const faultsInjected: Record<string, number> = {};
  for (const fault of input.faults.injected) {
    const kind = `${fault.service} ${fault.kind}`;
    faultsInjected[kind] = (faultsInjected[kind] ?? 0) + fault.injected;
  }
  const owners = new Set(records.map((record) => record.execution_id));
  return {
    seed: input.seed,
    profile: input.profile,
    intents: batch.length,
    executions: seen.reports.length,
    duplicateApprovals: batch.reduce((sum, entry) => sum + entry.approvals - 1, 0),
    faultsInjected,
    retries: seen.reports.reduce(
      (sum, report) => sum + report.transitions.filter((transition) => transition.event === "retried").length,
      0,
    ),
    outcomes: tally(
      records.map((record) =>
        record.status === "FAILED" ? `FAILED ${record.error_class ?? "UNKNOWN"}` : String(record.status),
      ),
    ),
    duplicatesCaught: seen.reports.filter((report) => !owners.has(report.executionArn)).length,
    compensations: tally(
      records.map((record) => record.compensation_status ?? "NONE").filter((status) => status !== "NONE"),
    ),
    signalsPublished: [...seen.published.values()].reduce((sum, count) => sum + count, 0),
    signalRecords: [...seen.signalRecords.values()].reduce((sum, count) => sum + count, 0),
    metrics: seen.metricSums,
    alarmsTripped: [...seen.alarmsTripped].filter(([, tripped]) => tripped).map(([id]) => id),
    losses: findings.filter((finding) => finding.kind === "loss" || finding.kind === "left running").length,
    doubleEffects: findings.filter((finding) => finding.kind === "double effect").length,
    otherFindings: findings.filter((finding) => !["loss", "left running", "double effect"].includes(finding.kind))
      .length,
    seconds: input.seconds,
  };
}

const list = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, count]) => `${name} ${count}`)
    .join(", ") || "none";

export function renderFigures(figures: ChaosFigures): string {
  const rows: [string, string][] = [
    ["profile", `${figures.profile} (seed ${figures.seed})`],
    ["intents approved", `${figures.intents} (+${figures.duplicateApprovals} duplicate approvals)`],
    ["executions", String(figures.executions)],
    ["faults injected", list(figures.faultsInjected)],
    ["state retries", String(figures.retries)],
    ["outcomes", list(figures.outcomes)],
    ["duplicates caught", String(figures.duplicatesCaught)],
    ["compensations", list(figures.compensations)],
    ["signals", `${figures.signalRecords} recorded, ${figures.signalsPublished} published`],
    ["outcome metrics", `${figures.metrics.succeeded} succeeded + ${figures.metrics.failed} failed`],
    ["alarms in ALARM", figures.alarmsTripped.join(", ") || "none"],
    ["losses", String(figures.losses)],
    ["double effects", String(figures.doubleEffects)],
    ["other findings", String(figures.otherFindings)],
    ["wall time", `${figures.seconds.toFixed(1)} s`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join("\n");
}
