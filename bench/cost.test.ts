// The benchmark's pure parts: the seed shape's paths, the cost arithmetic of both workflow types, the logs
// and X-Ray model, log lines as the deployed stack writes them, and the cost budgets' verdicts.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { engineFunctions } from "../infra/catalog.ts";
import { type AslDefinition, loadTemplate, renderDefinition, validateTemplate } from "../infra/workflow/definition.ts";
import { checkBudgets } from "./budgets.ts";
import type { RoundTrips } from "./call-log.ts";
import {
  type Billing,
  type CostResult,
  costPerMillion,
  costSummaryLines,
  executionSamplingRule,
  expressMemoryMb,
  loadPrices,
  type PathCost,
  type PathWork,
  type Prices,
  type StackCost,
  sampledFraction,
  sampledShares,
  seedPath,
  seedWork,
  traceRoots,
} from "./cost.ts";
import { deployedNamer, executionArnAs, logVolume } from "./log-volume.ts";
import type { BenchResults } from "./results.ts";
import type { PathResult } from "./round-trips.ts";
import { type DeployedSamplingRule, readSynthOutput, type StackShape } from "./stack.ts";
import { round } from "./stats.ts";

const prices: Prices = {
  checked: "2026-11-23",
  region: "us-east-1",
  lambda: { requestPerMillion: 0.2, gbSecond: { arm64: 0.0000133334 } },
  stepFunctions: {
    standardTransitionPerThousand: 0.025,
    expressRequestPerMillion: 1,
    expressGbSecond: 0.0000166667,
    expressBilling: { durationIncrementMs: 100, memoryIncrementMb: 64, baseMemoryMb: 50 },
    checked: "2026-12-01",
  },
  dynamodb: { onDemandWriteRequestUnitPerMillion: 0.625, onDemandReadRequestUnitPerMillion: 0.125 },
  s3: { putPerThousand: 0.005 },
  eventBridge: { customEventPerMillion: 1 },
  apiGateway: { httpApiRequestPerMillion: 1 },
  cloudWatchLogs: { ingestionPerGb: 0.5, bytesPerGb: 1e9, checked: "2026-12-01" },
  xRay: {
    traceRecordedPerMillion: 5,
    traceRetrievedOrScannedPerMillion: 0.5,
    defaultSamplingRule: { reservoirPerSecond: 1, fixedRate: 0.05 },
    checked: "2026-12-01",
  },
};

const placeholders = Object.fromEntries(
  engineFunctions.flatMap((fn) =>
    "placeholder" in fn ? [[fn.placeholder, `arn:aws:lambda:us-east-1:123456789012:function:prod-${fn.id}`]] : [],
  ),
);
const definition: AslDefinition = renderDefinition(validateTemplate(loadTemplate()), placeholders);

const stack = {
  stack: "test",
  definition,
  functions: (["execution-starter", "status-api"] as const).map((id) => ({
    id,
    name: `prod-${id}`,
    memoryMb: 1024,
    architecture: "arm64",
    runtime: "nodejs24.x",
    timeoutSeconds: 10,
    environment: {},
    tracingMode: "Active" as const,
  })),
  stateMachine: {
    name: "prod",
    type: "EXPRESS" as const,
    roleArn: "arn:aws:iam::123456789012:role/workflow-role",
    logging: { level: "ALL" as const, includeExecutionData: false },
    tracing: true,
  },
  samplingRules: [],
} satisfies StackShape;

const work: PathWork = {
  transitions: 10,
  durationMs: 240,
  invocations: [{ functionId: "execution-starter", ms: 9.2 }],
  readUnits: 2,
  writeUnits: 4,
  idempotencyUnits: { readUnits: 0, writeUnits: 2 },
  s3Puts: 1,
  events: 1,
  functionLogBytes: 1500,
  stateMachineLogBytes: { STANDARD: 400, EXPRESS: 500 },
  traces: 1,
};
const statusRead = { ms: 0.5, readUnits: 2, logBytes: 0, traces: 1 };
const billing = (workflowType: Billing["workflowType"], fraction = 1, statusReadFraction = fraction): Billing => ({
  workflowType,
  expressMemoryMb: 64,
  sampledFraction: { execution: fraction, statusRead: statusReadFraction },
});

/** A sampling rule matching the prod state machine, as the synthesized stack reads it. */
const samplingRule = (fields: Partial<DeployedSamplingRule>): DeployedSamplingRule => ({
  name: "engine-prod",
  priority: 1000,
  reservoirSize: 0,
  fixedRate: 0.05,
  serviceName: "prod",
  serviceType: "AWS::StepFunctions::StateMachine",
  resourceArn: "*",
  host: "*",
  httpMethod: "*",
  urlPath: "*",
  attributes: {},
  ...fields,
});

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
  it("prices Standard by states entered, and the rest of the path alike for both types", () => {
    const cost = costPerMillion(work, statusRead, stack, prices, billing("STANDARD"));

    expect(cost.perMillion).toEqual({
      stepFunctions: 250,
      lambdaRequests: 0.2,
      // 10 ms billed (rounded up) x 1 GB
      lambdaDuration: 0.13,
      dynamodbReads: 0.25,
      dynamodbWrites: 2.5,
      s3: 5,
      eventBridge: 1,
      // (1500 + 400) bytes at $0.50 per 10^9
      logs: 0.95,
      // one trace recorded ($5) and scanned once ($0.50)
      xRay: 5.5,
      // API Gateway 1 + request 0.2 + 1 ms x 1 GB 0.0133 + 2 RRU 0.25 + its trace 5.5
      statusReads: 6.96,
      total: 272.5,
    });
    expect(cost.gbSeconds).toBe(0.01);
    expect(cost.idempotencyWriteUnits).toBe(2);
  });

  it("prices Express by request and by duration in 100 ms steps of 64 MB: 240 ms bills 300", () => {
    const express = costPerMillion(work, statusRead, stack, prices, billing("EXPRESS"));
    const standard = costPerMillion(work, statusRead, stack, prices, billing("STANDARD"));

    // $1 per million requests + 0.3 s x 1/16 GB x $0.0000166667 x 1e6
    expect(express.perMillion.stepFunctions).toBe(1.31);
    expect([express.billedMs, express.billedMemoryMb]).toEqual([300, 64]);
    // The Express ARNs in the state machine's log events are longer.
    expect(express.perMillion.logs).toBe(1);
    expect(express.perMillion.total - express.perMillion.stepFunctions - express.perMillion.logs).toBeCloseTo(
      standard.perMillion.total - standard.perMillion.stepFunctions - standard.perMillion.logs,
      2,
    );
    expect(costPerMillion({ ...work, durationMs: 3 }, statusRead, stack, prices, billing("EXPRESS")).billedMs).toBe(
      100,
    );
  });

  it("records traces at the sampled share: a twentieth of the X-Ray cost at 5%", () => {
    const cost = costPerMillion(work, statusRead, stack, prices, billing("EXPRESS", 0.05));

    expect(cost.perMillion.xRay).toBe(0.28);
    expect(cost.tracesRecorded).toBe(0.05);
  });

  it("prices a status read's trace at its own share, and none when the status function starts no trace", () => {
    const sampledRead = costPerMillion(work, statusRead, stack, prices, billing("EXPRESS", 0.05, 1));
    const untracedRead = costPerMillion(work, { ...statusRead, traces: 0 }, stack, prices, billing("EXPRESS", 0.05, 1));

    // API Gateway 1 + request 0.2 + 1 ms x 1 GB 0.0133 + 2 RRU 0.25, then its trace 5.5
    expect([sampledRead.perMillion.statusReads, untracedRead.perMillion.statusReads]).toEqual([6.96, 1.46]);
    expect(untracedRead.perMillion.xRay).toBe(0.28);
  });

  it("reads every price it needs from bench/prices.json", () => {
    const listed = loadPrices();

    expect(listed.lambda.gbSecond.arm64).toBeGreaterThan(0);
    expect(listed.stepFunctions.standardTransitionPerThousand).toBeGreaterThan(0);
    expect(listed.stepFunctions.expressRequestPerMillion).toBeGreaterThan(0);
    expect(listed.stepFunctions.expressBilling).toEqual({
      durationIncrementMs: 100,
      memoryIncrementMb: 64,
      baseMemoryMb: 50,
    });
    expect(listed.dynamodb.onDemandReadRequestUnitPerMillion).toBeGreaterThan(0);
    expect(listed.apiGateway.httpApiRequestPerMillion).toBeGreaterThan(0);
    expect(listed.cloudWatchLogs.ingestionPerGb).toBeGreaterThan(0);
    expect(listed.xRay.traceRecordedPerMillion).toBeGreaterThan(0);
  });
});

describe("Express memory (AWS's formula: 50 MB + definition + data x Parallel or Map steps, 64 MB chunks)", () => {
  it("bills the engine's definition one 64 MB chunk, even at the 256 KB payload limit", () => {
    expect(expressMemoryMb(definition, prices)).toBe(64);
  });

  it("counts each Parallel state's copy of the data and refuses a Map state, whose iterations it cannot know", () => {
    const parallels = Object.fromEntries(
      Array.from({ length: 60 }, (_, index) => [`P${index}`, { Type: "Parallel", Branches: [], End: true }]),
    );

    expect(expressMemoryMb({ StartAt: "P0", States: parallels }, prices)).toBe(128);
    expect(() => expressMemoryMb({ StartAt: "M", States: { M: { Type: "Map", End: true } } }, prices)).toThrow(/Map/);
  });
});

describe("X-Ray at the stack's sampling", () => {
  it("the default rule records every request under one a second, then 5% of the rest", () => {
    const rule = prices.xRay.defaultSamplingRule;

    // A million executions and as many status reads a month: 0.77 a second.
    expect(sampledFraction((2 * 1_000_000) / (30 * 86_400), rule)).toBe(1);
    expect(sampledFraction(10, rule)).toBeCloseTo(0.145, 3);
  });

  it("one trace root per execution when the state machine traces, one per status read only when the status function is Active", () => {
    expect(traceRoots(stack)).toEqual({ execution: 1, statusRead: 1 });
    // PassThrough: an HTTP API starts no traces, so no status read arrives sampled.
    expect(
      traceRoots({
        ...stack,
        functions: stack.functions.map((fn) =>
          fn.id === "status-api" ? { ...fn, tracingMode: "PassThrough" as const } : fn,
        ),
      }),
    ).toEqual({ execution: 1, statusRead: 0 });
  });

  const executionRule = (samplingRules: DeployedSamplingRule[]) =>
    executionSamplingRule({ ...stack, samplingRules }, prices.xRay.defaultSamplingRule);

  it("prices executions at the stack's rule for its state machine, by name and Step Functions' origin, else the default", () => {
    expect(executionRule([])).toEqual({ rule: "default", reservoirPerSecond: 1, fixedRate: 0.05 });
    expect(executionRule([samplingRule({})])).toEqual({ rule: "engine-prod", reservoirPerSecond: 0, fixedRate: 0.05 });
    // Another state machine's rule, or one for another kind of service, leaves the default in force.
    expect(
      executionRule([samplingRule({ serviceName: "dev" }), samplingRule({ serviceType: "AWS::Lambda::Function" })])
        .rule,
    ).toBe("default");
    // X-Ray's wildcards, and the first matching rule by priority.
    expect(
      executionRule([
        samplingRule({ name: "all", serviceName: "*", serviceType: "*", priority: 5000, fixedRate: 1 }),
        samplingRule({ name: "prod-ish", serviceName: "pr?d", priority: 10 }),
      ]).rule,
    ).toBe("prod-ish");
  });

  it("refuses a rule that narrows the request too: which executions it matches is not known here", () => {
    expect(() => executionRule([samplingRule({ host: "example.com" })])).toThrow(/request fields/);
    expect(() => executionRule([samplingRule({ attributes: { tenant: "a" } })])).toThrow(/request fields/);
  });

  it("records a rule's reservoir each second and its rate of the rest, roots under one rule sharing its reservoir", () => {
    const defaultRule = { rule: "default", reservoirPerSecond: 1, fixedRate: 0.05 };
    const noReservoir = { rule: "engine-prod", reservoirPerSecond: 0, fixedRate: 0.05 };
    const monthly = (executions: number) => executions / (30 * 86_400);

    // A million executions and as many Active status reads a month: 0.77 a second under the default rule.
    expect(
      sampledShares([
        { rule: defaultRule, perSecond: monthly(1_000_000) },
        { rule: defaultRule, perSecond: monthly(1_000_000) },
      ]),
    ).toEqual([1, 1]);
    // 5% with no reservoir, at any volume; the status reads under the default rule apart.
    expect(
      sampledShares([
        { rule: noReservoir, perSecond: monthly(1_000_000) },
        { rule: defaultRule, perSecond: 10 },
      ]).map((share) => round(share, 4)),
    ).toEqual([0.05, 0.145]);
    expect(sampledShares([{ rule: noReservoir, perSecond: monthly(100_000_000) }])).toEqual([0.05]);
  });
});

const row = (
  functionId: string,
  fields: Partial<RoundTrips> = {},
): RoundTrips & { state: string; functionId: string } => ({
  state: functionId,
  functionId,
  DynamoDB: 1,
  S3: 0,
  EventBridge: 0,
  HTTP: 0,
  SecretsManager: 0,
  dynamoWrites: 0,
  readUnits: 1,
  writeUnits: 0,
  unitsByTable: {},
  operations: [],
  ...fields,
});

describe("the original design's shape", () => {
  it("has no idempotency table, writes its outcome in three standard writes, and logs its functions' lines without EMF", async () => {
    const perFunction = [
      row("execution-starter", { writeUnits: 2 }),
      row("execution-validator"),
      row("tool-mapper"),
      row("tool-invoker", {
        writeUnits: 4,
        readUnits: 0,
        unitsByTable: { idempotency: { readUnits: 0, writeUnits: 4 } },
        operations: ["S3.PutObject"],
      }),
      row("execution-recorder", { writeUnits: 6, EventBridge: 1 }),
    ];
    const path: Pick<PathResult, "perFunction"> = { perFunction };
    const roundTrips = {
      paths: { happy: path, preflightRejected: path, compensated: path },
      durationsMs: { "execution-recorder": 10 },
      dynamodbRoundTripMs: { read: 1, write: 2 },
    };
    const observed = {
      functionLogs: [
        { functionId: "tool-invoker", events: 2, bytes: 700, emfEvents: 1, emfBytes: 300 },
        { functionId: "execution-recorder", events: 1, bytes: 300, emfEvents: 1, emfBytes: 300 },
      ],
    };

    const seed = seedWork(await seedPath("happy"), roundTrips, observed, "happy");

    expect(seed.writeUnits).toBe(2 + 0 + 3);
    expect(seed.functionLogBytes).toBe(400);
    expect([seed.stateMachineLogBytes, seed.traces]).toEqual([{ STANDARD: 0, EXPRESS: 0 }, 0]);
    // Two more sequential writes in the recorder.
    expect(seed.invocations.find((invocation) => invocation.functionId === "execution-recorder")?.ms).toBe(14);
  });
});

describe("log lines as the deployed stack writes them", () => {
  it("names a state machine's executions as each workflow type does", () => {
    const standard = "arn:aws:states:us-east-1:123456789012:execution:prod:5f0c";
    const express = "arn:aws:states:us-east-1:123456789012:express:prod:5f0c:9a1b";

    expect(executionArnAs(standard, "EXPRESS")).toBe("arn:aws:states:us-east-1:123456789012:express:prod:5f0c:5f0c");
    expect(executionArnAs(express, "STANDARD")).toBe(standard);
    expect(executionArnAs(express, "EXPRESS")).toBe(express);
  });

  it("renames the local functions, state machine, its role and the account to the stack's, and counts EMF lines apart", () => {
    const namer = deployedNamer({
      ...stack,
      functions: stack.functions.map((fn) => ({ ...fn, name: `action-execution-engine-prod-${fn.id}` })),
    });
    const line = namer(
      '{"function_name":"engine-local-execution-starter","function_arn":"arn:aws:lambda:us-east-1:000000000000:function:engine-local-execution-starter"}',
    );

    expect(line).toBe(
      '{"function_name":"action-execution-engine-prod-execution-starter","function_arn":"arn:aws:lambda:us-east-1:123456789012:function:action-execution-engine-prod-execution-starter"}',
    );
    expect(
      namer(
        '{"roleArn":"arn:aws:iam::000000000000:role/engine-local-workflow","execution_arn":"arn:aws:states:us-east-1:000000000000:express:engine-local:a:b"}',
      ),
    ).toBe(
      '{"roleArn":"arn:aws:iam::123456789012:role/workflow-role","execution_arn":"arn:aws:states:us-east-1:123456789012:express:prod:a:b"}',
    );
    expect(logVolume(["ab", '{"_aws":{"CloudWatchMetrics":[]}}', "é"])).toEqual({
      events: 3,
      bytes: 2 + 33 + 2,
      emfEvents: 1,
      emfBytes: 33,
    });
  });
});

describe("the stack as synthesized", () => {
  it("reads the state machine's type, logging and tracing, each function's tracing mode and any sampling rule", () => {
    const directory = mkdtempSync(join(tmpdir(), "synth-"));
    try {
      const functions = engineFunctions.map((fn) => ({
        type: "aws:lambda/function:Function",
        name: fn.id,
        inputs: {
          name: `prod-${fn.id}`,
          memorySize: 1024,
          architectures: ["arm64"],
          runtime: "nodejs24.x",
          timeout: 5,
          environment: { variables: { POWERTOOLS_SERVICE_NAME: fn.id } },
          ...(fn.id === "status-api" ? {} : { tracingConfig: { mode: "Active" } }),
        },
      }));
      const machine = {
        type: "aws:sfn/stateMachine:StateMachine",
        name: "workflow",
        inputs: {
          name: "prod",
          type: "EXPRESS",
          roleArn: "arn:aws:iam::123456789012:role/workflow-role",
          loggingConfiguration: { level: "ERROR", includeExecutionData: false },
          tracingConfiguration: { enabled: true },
        },
      };
      const rule = {
        type: "aws:xray/samplingRule:SamplingRule",
        name: "workflow-sampling",
        inputs: {
          ruleName: "engine",
          priority: 100,
          reservoirSize: 0,
          fixedRate: 0.05,
          serviceName: "prod",
          serviceType: "AWS::StepFunctions::StateMachine",
          resourceArn: "*",
          host: "*",
          httpMethod: "*",
          urlPath: "*",
          version: 1,
        },
      };
      writeFileSync(join(directory, "resources.json"), JSON.stringify([...functions, machine, rule]));
      writeFileSync(join(directory, "state-machine.asl.json"), JSON.stringify(definition));

      const shape = readSynthOutput("prod", directory);

      expect(shape.stateMachine).toEqual({
        name: "prod",
        type: "EXPRESS",
        roleArn: machine.inputs.roleArn,
        logging: { level: "ERROR", includeExecutionData: false },
        tracing: true,
      });
      expect(shape.functions.find((fn) => fn.id === "status-api")?.tracingMode).toBe("PassThrough");
      expect(shape.functions.find((fn) => fn.id === "tool-invoker")?.tracingMode).toBe("Active");
      expect(shape.samplingRules).toEqual([samplingRule({ name: "engine", priority: 100 })]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe("cost verdicts and lines", () => {
  const pathCost = (total: number): PathCost => ({ perMillion: { total } }) as PathCost;
  const stackCost = (stackName: string, express: number, standard: number): StackCost => {
    const path = {
      ours: { STANDARD: pathCost(standard), EXPRESS: pathCost(express) },
      seed: pathCost(100),
      percentOfSeed: { STANDARD: standard, EXPRESS: express },
    };
    return {
      stack: stackName,
      paths: { happy: path, preflightRejected: path, compensated: path },
    } as unknown as StackCost;
  };
  const results = (cost: Pick<CostResult, "stacks">) =>
    ({
      date: "2026-12-01T00:00:00.000Z",
      machine: { cpuModel: "x", cores: 2, memoryGiB: 4, node: "v24", os: "linux" },
      seconds: 1,
      parts: ["cost"],
      cost,
    }) as BenchResults;

  it("judges the prod stack's happy path: Express at most 15% of the original shape, Standard at most 105%", () => {
    const verdicts = (express: number, standard: number) =>
      checkBudgets(results({ stacks: [stackCost("dev", 90, 190), stackCost("prod", express, standard)] })).map(
        (check) => [check.subject, check.ok],
      );

    expect(verdicts(15, 105)).toEqual([
      ["STANDARD (prod)", true],
      ["EXPRESS (prod)", true],
    ]);
    expect(verdicts(15.1, 105.1)).toEqual([
      ["STANDARD (prod)", false],
      ["EXPRESS (prod)", false],
    ]);
  });

  it("prints one line per workflow type and path, naming both, with the share of the original shape", () => {
    const lines = costSummaryLines(stackCost("prod", 12.5, 101));

    expect(lines).toHaveLength(6);
    expect(lines[0]).toBe("Standard happy path: $101.00 per million (101% of the original design's shape, $100.00)");
    expect(lines[3]).toBe("Express happy path: $12.50 per million (12.5% of the original design's shape, $100.00)");
  });
});
