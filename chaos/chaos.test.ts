// The engine under faults, on one local engine whose gateway does not honour idempotency keys (a second tool
// call would be a second object): a fixed-seed chaos batch over every demo action type, then each defect a
// chaos run found, played again on purpose, and the operator's faults commands.
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, inject, it } from "vitest";
import { runCli } from "../cli/run.ts";
import { idempotencyKeyFor } from "../functions/kernel/idempotency.ts";
import { Metric } from "../functions/kernel/metric-names.ts";
import { demoIntent, demoRegistry } from "../local/demo-data.ts";
import { publicClient } from "../local/demo-scenarios.ts";
import { startLocalEngine } from "../local/engine.ts";
import type { FaultProfile } from "../local/faults/index.ts";
import { readFaultProfile } from "../local/faults/profile.ts";
import { faultTargets } from "../local/faults/targets.ts";
import type { ActionIntent } from "../schemas/records.ts";
import { executionOf, itemsOf } from "../tests/support/engine-records.ts";
import { chaosBatch, chaosEngineOptions } from "./chaos-run.ts";

const profileFile = fileURLToPath(new URL("./profiles/npm-test.yaml", import.meta.url));
const testProfile = readFaultProfile(profileFile, faultTargets(demoRegistry));
const stateDirectory = mkdtempSync(join(tmpdir(), "engine-chaos-test-"));
const options = chaosEngineOptions(testProfile, stateDirectory);
const engine = await startLocalEngine({
  ...options,
  dynamodbEndpoint: inject("dynamodbEndpoint"),
  tablePrefix: `chaos-${randomUUID().slice(0, 8)}`,
  retryIntervalMs: 10,
  // A batch of 30 trips the failure alarm at the stack's semantics with a threshold it can reach.
  configOverrides: { ...options.configOverrides, alarmFailedExecutionsThreshold: "3" },
});
afterAll(() => engine.stop());
afterEach(() => {
  engine.faults.clear();
});
const client = publicClient(engine);

describe("a fixed-seed chaos batch", () => {
  it("loses nothing, doubles nothing and leaves nothing behind under faults in every service", async () => {
    const { figures, findings } = await chaosBatch(engine, {
      profile: testProfile,
      profileName: "chaos/profiles/npm-test.yaml",
      seed: 7,
      executions: 30,
      concurrency: 4,
    });

    expect(findings).toEqual([]);
    const servicesHit = Object.entries(figures.faultsInjected)
      .filter(([, count]) => count > 0)
      .map(([kind]) => kind.split(" ")[0]);
    expect(new Set(servicesHit)).toEqual(
      new Set(["lambda", "dynamodb", "s3", "secretsmanager", "eventbridge", "gateway"]),
    );
    expect(figures.outcomes.SUCCEEDED).toBeGreaterThan(0);
    expect(figures.compensations.COMPLETED).toBeGreaterThan(0);
  }, 180_000);
});

/** Runs one intent under `profile` and reads back what it left. */
async function runUnder(profile: FaultProfile, fields: Partial<ActionIntent> = {}) {
  const intent = demoIntent({
    action_intent_id: `intent-${randomUUID().slice(0, 8)}`,
    tenant_id: "tenant-faults",
    account_id: "account-faults",
    action_type: "CREATE_CRM_TASK",
    parameters: { title: "Under a fault" },
    ...fields,
  });
  const counted = () =>
    engine.telemetry.datapoints.filter(
      (point) =>
        point.namespace === engine.config.metricsNamespace && point.metricName === Metric.ExecutionSucceeded.name,
    ).length;
  const countedBefore = counted();
  engine.faults.apply(profile);
  await client.storeAndApprove(intent);
  await engine.idle();
  const injected = engine.faults.state().injected.reduce((sum, fault) => sum + fault.injected, 0);
  engine.faults.clear();
  const key = idempotencyKeyFor(intent.tenant_id, intent.action_intent_id);
  return {
    run: executionOf(engine, intent.action_intent_id),
    status: (await client.status(intent)).body,
    objects: engine.gateway.objects().filter((object) => object.idempotency_key === key),
    signalsOnBus: engine.bus.events.filter(
      (event) =>
        event.source === engine.config.signalSource &&
        (event.detail as { action_intent_id?: string }).action_intent_id === intent.action_intent_id,
    ),
    ledger: await itemsOf(client, client.tables.ledger, intent.tenant_id, intent.action_intent_id),
    succeededCounted: counted() - countedBefore,
    injected,
  };
}

describe("faults a chaos run found, played on purpose", () => {
  it("retries a tool invoker whose sandbox died after the tool wrote, and replays the call: one object, SUCCEEDED", async () => {
    const seen = await runUnder({
      faults: [{ service: "lambda", kind: "crash", at: "after", target: "tool-invoker", rate: 1, limit: 1 }],
    });

    expect(seen.injected).toBe(1);
    expect(seen.run?.transitions).toContainEqual(expect.objectContaining({ state: "InvokeTool", event: "retried" }));
    expect(seen.run?.status).toBe("SUCCEEDED");
    expect(seen.status).toMatchObject({ status: "SUCCEEDED" });
    expect(seen.objects).toHaveLength(1);
    expect(seen.objects[0]?.deleted).toBe(false);
  });

  it("answers the tool's result when its idempotency record cannot be completed: one object, SUCCEEDED", async () => {
    // Every UpdateItem the invoker sends to the idempotency table is throttled past the SDK's retries.
    const seen = await runUnder({
      faults: [
        {
          service: "dynamodb",
          kind: "throttle",
          target: "idempotency",
          operation: "UpdateItem",
          function: "tool-invoker",
          rate: 1,
        },
      ],
    });

    expect(seen.injected).toBeGreaterThan(0);
    expect(seen.run?.status).toBe("SUCCEEDED");
    expect(seen.status).toMatchObject({ status: "SUCCEEDED" });
    expect(seen.objects).toHaveLength(1);
  });

  it("succeeds at RecordFailure when RecordOutcome committed SUCCEEDED but could not publish, and RecordFailure published it", async () => {
    const seen = await runUnder({
      faults: [{ service: "eventbridge", kind: "server-error", function: "execution-recorder", rate: 1 }],
    });

    expect(seen.run?.path.at(-1)).toBe("RecordFailure");
    expect(seen.run?.status).toBe("SUCCEEDED");
    expect(seen.status).toMatchObject({ status: "SUCCEEDED" });
    expect(seen.signalsOnBus).toHaveLength(1);
    expect(seen.succeededCounted).toBe(1);
  });

  it("counts an outcome once when every PutEvents after its transaction fails, and fails the execution to say so", async () => {
    const seen = await runUnder({ faults: [{ service: "eventbridge", kind: "server-error", rate: 1 }] });

    expect(seen.status).toMatchObject({ status: "SUCCEEDED" });
    expect(seen.ledger).toHaveLength(1);
    expect(seen.signalsOnBus).toHaveLength(0);
    expect(seen.succeededCounted).toBe(1);
    // Nothing published: the execution fails, which the state-machine-failures alarm reports.
    expect(seen.run?.status).toBe("FAILED");
    expect(engine.evaluateAlarms().find((alarm) => alarm.id === "state-machine-failures")?.state).toBe("ALARM");
  });

  it("records the writes that stand and a FAILED compensation when RecordOutcome cannot record the tool's result", async () => {
    // Every outcome transaction of the recorder is cancelled: RecordOutcome gives up, RecordFailure records.
    const seen = await runUnder({
      faults: [{ service: "dynamodb", kind: "transaction-conflict", function: "execution-recorder", rate: 1 }],
    });

    expect(seen.run?.path).toEqual(expect.arrayContaining(["RecordOutcome", "OutcomeNotRecorded", "RecordFailure"]));
    expect(seen.run?.status).toBe("FAILED");
    expect(seen.objects).toHaveLength(1);
    expect(seen.status).toMatchObject({
      status: "FAILED",
      external_object_refs: [expect.objectContaining({ object_id: seen.objects[0]?.object_id })],
      compensation_status: "FAILED",
    });
  });

  it("records the compensation FAILED, the outcome unknown, when the invoker's sandbox dies after the tool wrote on every attempt", async () => {
    const seen = await runUnder({
      faults: [{ service: "lambda", kind: "crash", at: "after", target: "tool-invoker", rate: 1 }],
    });

    expect(seen.run?.path).toEqual(expect.arrayContaining(["InvokeTool", "ToolOutcomeUnknown", "RecordFailure"]));
    // The replays answered the first call's result: one object, however many attempts.
    expect(seen.objects).toHaveLength(1);
    expect(seen.status).toMatchObject({ status: "FAILED", compensation_status: "FAILED" });
  });

  it("retries an invocation Lambda throttled and counts it as AWS/Lambda Throttles", async () => {
    const throttles = () =>
      engine.telemetry.datapoints.filter(
        (point) =>
          point.metricName === "Throttles" && point.dimensions.FunctionName === "engine-local-execution-validator",
      ).length;
    const before = throttles();

    const seen = await runUnder({
      faults: [{ service: "lambda", kind: "throttle", target: "execution-validator", rate: 1, limit: 1 }],
    });

    expect(seen.run?.transitions).toContainEqual(
      expect.objectContaining({ state: "ValidatePreflight", event: "retried" }),
    );
    expect(seen.run?.status).toBe("SUCCEEDED");
    expect(throttles() - before).toBe(1);
  });
});

describe("npm run engine -- faults", () => {
  const scratch = mkdtempSync(join(tmpdir(), "engine-chaos-cli-"));
  async function cli(argv: string[]) {
    let stdout = "";
    let stderr = "";
    const code = await runCli([...argv, "--dir", stateDirectory], {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
      readStdin: async () => "",
      env: {},
      cwd: scratch,
    });
    return { code, stdout, stderr };
  }

  it("sets a profile on the running engine, shows what it injects, refuses a profile naming what is not there, and clears", async () => {
    writeFileSync(join(scratch, "slow.yaml"), "faults:\n  - { service: s3, kind: latency, latency_ms: 5, rate: 1 }\n");
    writeFileSync(
      join(scratch, "wrong.yaml"),
      "faults:\n  - { service: dynamodb, kind: throttle, target: ledgers, rate: 1 }\n",
    );

    const set = await cli(["faults", "set", "slow.yaml"]);
    const shown = await cli(["faults", "show", "--json"]);
    const refused = await cli(["faults", "set", "wrong.yaml"]);
    const stillSet = engine.faults.state().profile;
    const cleared = await cli(["faults", "clear"]);

    expect(set).toMatchObject({ code: 0 });
    expect(set.stdout).toContain("1 fault(s)");
    expect(JSON.parse(shown.stdout)).toMatchObject({ profile: { faults: [{ service: "s3", kind: "latency" }] } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('names dynamodb target "ledgers", which the engine does not have');
    expect(stillSet?.faults[0]).toMatchObject({ service: "s3" });
    expect(cleared.stdout).toContain("No faults are injected.");
    expect(engine.faults.state().profile).toBeUndefined();
  });
});
