// Decides, request by request, whether a fault of the active profile hits it. A decision is a function of
// the seed, the fault, the request's subject (what it is about: the item keys, the tool call's idempotency
// key, the intent an invocation serves) and how many times that subject was seen before, never of the order
// in which concurrent requests arrive: the same seed and the same requests give the same faults.
import { createHash } from "node:crypto";
import type { FaultService } from "../../schemas/fault-profile.ts";
import { type FaultProfile, type FaultSpec, faultLabel } from "./profile.ts";

/** A request as the plan judges it; the injectors describe each one (requests.ts, lambda-faults.ts). */
export interface FaultRequest {
  service: FaultService;
  operation?: string;
  /** The logical targets the request touches: tables, a bucket, a tool, a function. */
  targets: string[];
  /** The engine function that made the request, when known. */
  caller?: string;
  /** What the request is about, without anything that changes from run to run (ids of executions, times). */
  subject: string;
}

export interface FaultDecision {
  /** The fault's position in the profile. */
  index: number;
  fault: FaultSpec;
  at: "before" | "after";
  /** For `latency`, the delay; for other kinds, a delay before the failure (0 when none). */
  delayMs: number;
}

export interface InjectedCount {
  label: string;
  service: FaultService;
  kind: string;
  injected: number;
}

export interface FaultPlanState {
  profile?: FaultProfile;
  /** When the profile was applied (ms since the epoch); windows count from here. */
  appliedAt?: number;
  seed: number;
  /** Per fault of the profile, how often it was injected. */
  injected: InjectedCount[];
}

export interface FaultPlan {
  decide(request: FaultRequest): FaultDecision | undefined;
  apply(profile: FaultProfile): void;
  clear(): void;
  state(): FaultPlanState;
}

/** A roll in [0, 1), fixed by its inputs. */
export function roll(seed: number, index: number, subject: string, occurrence: number): number {
  const digest = createHash("sha256").update(`${seed}\u0000${index}\u0000${subject}\u0000${occurrence}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** A subject without the random ids a run mints (execution names, trace ids), so another run sees the same. */
export const stableSubject = (text: string) => text.replace(UUID, "<id>");

function matches(fault: FaultSpec, request: FaultRequest): boolean {
  if (fault.service !== request.service) return false;
  if (fault.target !== undefined && !request.targets.includes(fault.target)) return false;
  if (fault.function !== undefined && fault.function !== request.caller) return false;
  if (fault.operation !== undefined && fault.operation !== request.operation) return false;
  // A conflict cancels a transaction; no other request can be cancelled that way.
  if (fault.kind === "transaction-conflict" && request.operation !== "TransactWriteItems") return false;
  return true;
}

export const DEFAULT_SEED = 1;

export function createFaultPlan(now: () => number = Date.now): FaultPlan {
  let profile: FaultProfile | undefined;
  let appliedAt: number | undefined;
  let injected: number[] = [];
  let occurrences = new Map<string, number>();

  const inWindow = (fault: FaultSpec, at: number) => {
    const elapsed = at - (appliedAt ?? at);
    const start = fault.window?.start_ms ?? 0;
    const duration = fault.window?.duration_ms;
    return elapsed >= start && (duration === undefined || elapsed < start + duration);
  };

  return {
    decide(request) {
      if (!profile) return undefined;
      const seed = profile.seed ?? DEFAULT_SEED;
      const at = now();
      for (const [index, fault] of profile.faults.entries()) {
        if (!matches(fault, request) || !inWindow(fault, at)) continue;
        if (fault.limit !== undefined && (injected[index] ?? 0) >= fault.limit) continue;
        const key = `${index}\u0000${request.subject}`;
        const occurrence = occurrences.get(key) ?? 0;
        occurrences.set(key, occurrence + 1);
        if (roll(seed, index, request.subject, occurrence) >= fault.rate) continue;
        injected[index] = (injected[index] ?? 0) + 1;
        return { index, fault, at: fault.at ?? "before", delayMs: fault.latency_ms ?? 0 };
      }
      return undefined;
    },
    apply(next) {
      profile = next;
      appliedAt = now();
      injected = next.faults.map(() => 0);
      occurrences = new Map();
    },
    clear() {
      profile = undefined;
      appliedAt = undefined;
      injected = [];
      occurrences = new Map();
    },
    state() {
      return {
        ...(profile ? { profile, appliedAt } : {}),
        seed: profile?.seed ?? DEFAULT_SEED,
        injected: (profile?.faults ?? []).map((fault, index) => ({
          label: faultLabel(fault, index),
          service: fault.service,
          kind: fault.kind,
          injected: injected[index] ?? 0,
        })),
      };
    },
  };
}
