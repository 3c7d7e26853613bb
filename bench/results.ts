// The shape of bench/results.json: one run, every part that ran, and where it ran.
import type { BundleSize } from "./bundles.ts";
import type { ColdImportResult } from "./cold-import.ts";
import type { CostResult } from "./cost.ts";
import type { EndToEndRow } from "./end-to-end.ts";
import type { MachineInfo } from "./machine.ts";
import type { RoundTripResult } from "./round-trips.ts";
import type { StatusLoadRow } from "./status-api-load.ts";
import type { WarmOverheadResult } from "./warm-overhead.ts";

export const benchParts = [
  "bundles",
  "cold-import",
  "warm-overhead",
  "status-api",
  "end-to-end",
  "round-trips",
  "cost",
] as const;
export type BenchPart = (typeof benchParts)[number];

export interface BenchResults {
  /** ISO date and time the run started. */
  date: string;
  machine: MachineInfo;
  seconds: number;
  parts: BenchPart[];
  bundles?: BundleSize[];
  coldImport?: ColdImportResult;
  warmOverhead?: WarmOverheadResult;
  statusApi?: StatusLoadRow[];
  endToEnd?: EndToEndRow[];
  roundTrips?: RoundTripResult;
  cost?: CostResult;
}
