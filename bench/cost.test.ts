// The benchmark's pure parts: the seed shape's paths, the cost arithmetic, and the budget verdicts.
import { describe, expect, it } from "vitest";
import { costPerMillion, loadPrices, type Prices, seedPath } from "./cost.ts";
import type { StackShape } from "./stack.ts";

const prices: Prices = {
  checked: "2026-11-23",
  region: "us-east-1",
  lambda: { requestPerMillion: 0.2, gbSecond: { arm64: 0.0000133334 } },
  stepFunctions: { standardTransitionPerThousand: 0.025 },
  dynamodb: { onDemandWriteRequestUnitPerMillion: 0.625, onDemandReadRequestUnitPerMillion: 0.125 },
  s3: { putPerThousand: 0.005 },
  eventBridge: { customEventPerMillion: 1 },
  apiGateway: { httpApiRequestPerMillion: 1 },
};

const stack = {
  stack: "test",
  definition: { StartAt: "A", States: {} },
  functions: (["execution-starter", "status-api"] as const).map((id) => ({
    id,
    name: id,
    memoryMb: 1024,
    architecture: "arm64",
    runtime: "nodejs24.x",
    timeoutSeconds: 10,
    environment: {},
  })),
} satisfies StackShape;

describe("the seed design's paths", () => {
  it("enters six states on the happy path, three when preflight rejects, seven when it compensates", async () => {
    expect(await seedPath("happy")).toEqual([
      "StartExecution",
      "ValidatePreflight",
      "MapActionToTool",
      "InvokeTool",
      "CheckCompensation",
      "RecordOutcome",
    ]);
    expect(await seedPath("preflightRejected")).toEqual(["StartExecution", "ValidatePreflight", "RecordFailure"]);
    expect(await seedPath("compensated")).toHaveLength(7);
  });
});

describe("cost per million executions", () => {
  it("prices transitions, requests, billed milliseconds, request units, PUTs, events and status reads", () => {
    const cost = costPerMillion(
      {
        transitions: 10,
        invocations: [{ functionId: "execution-starter", ms: 9.2 }],
        readUnits: 2,
        writeUnits: 4,
        s3Puts: 1,
        events: 1,
      },
      { ms: 0.5, readUnits: 2 },
      stack,
      prices,
    );

    expect(cost.perMillion).toEqual({
      stepFunctions: 250,
      lambdaRequests: 0.2,
      // 10 ms billed (rounded up) x 1 GB
      lambdaDuration: 0.13,
      dynamodbReads: 0.25,
      dynamodbWrites: 2.5,
      s3: 5,
      eventBridge: 1,
      // API Gateway 1 + request 0.2 + 1 ms x 1 GB 0.0133 + 2 RRU 0.25
      statusReads: 1.46,
      total: 260.55,
    });
    expect(cost.gbSeconds).toBe(0.01);
  });

  it("reads every price it needs from bench/prices.json", () => {
    const listed = loadPrices();

    expect(listed.lambda.gbSecond.arm64).toBeGreaterThan(0);
    expect(listed.stepFunctions.standardTransitionPerThousand).toBeGreaterThan(0);
    expect(listed.dynamodb.onDemandReadRequestUnitPerMillion).toBeGreaterThan(0);
    expect(listed.apiGateway.httpApiRequestPerMillion).toBeGreaterThan(0);
  });
});
