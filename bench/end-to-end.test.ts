// The end-to-end rows are measured once warm: the warm-up runs batches until one costs no less CPU per
// execution than the one before, within its least and most batches.
import { describe, expect, it } from "vitest";
import { warmupSettled } from "./end-to-end.ts";

const plan = { batch: 64, minBatches: 4, maxBatches: 6 };

describe("the end-to-end warm-up", () => {
  it("runs its least batches even when the CPU per execution has stopped falling", () => {
    expect(warmupSettled([], plan)).toBe(false);
    expect(warmupSettled([90, 90, 90], plan)).toBe(false);
  });

  it("goes on while a batch is more than 5% cheaper than the one before, and stops when it is not", () => {
    expect(warmupSettled([140, 110, 95, 85], plan)).toBe(false);
    expect(warmupSettled([140, 110, 95, 92], plan)).toBe(true);
    expect(warmupSettled([140, 110, 95, 99], plan)).toBe(true);
  });

  it("stops at its most batches, still falling or not", () => {
    expect(warmupSettled([140, 120, 100, 85, 72], plan)).toBe(false);
    expect(warmupSettled([140, 120, 100, 85, 72, 61], plan)).toBe(true);
  });
});
