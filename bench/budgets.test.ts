// The deterministic budgets of `npm run bench`, checked by the test command: each function's bundle size,
// built exactly as a deploy builds it, and the round trips counted on the functions' own clients while
// the rendered state machine runs them. Timings are reported by the benchmark, never asserted here.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { engineFunctions } from "../infra/catalog.ts";
import { budgetLimits, KB } from "./budgets.ts";
import { buildBundles } from "./bundles.ts";
import { type BenchServices, startBenchServices } from "./function-host.ts";
import { measureRoundTripsHosted, type RoundTripResult } from "./round-trips.ts";

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
});
