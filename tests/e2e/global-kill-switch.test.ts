// The global kill switch as an operator uses it in an incident: one item written to the controls table
// while the engine runs. The next approval must stop, with no redeploy, no restart and no reconfigured
// function, and turning the item off must let the one after run again.
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, describe, expect, inject, it } from "vitest";
import { keys } from "../../functions/kernel/data-layout.ts";
import { demoIntent } from "../../local/demo-data.ts";
import { publicClient } from "../../local/demo-scenarios.ts";
import { startLocalEngine } from "../../local/engine.ts";
import type { GlobalControls } from "../../schemas/records.ts";
import { executionOf } from "../support/engine-records.ts";

// Tables of its own: the global item stops every execution of the engine that reads it.
const engine = await startLocalEngine({
  dynamodbEndpoint: inject("dynamodbEndpoint"),
  tablePrefix: `e2e-kill-${randomUUID().slice(0, 8)}`,
  stateDirectory: mkdtempSync(join(tmpdir(), "engine-kill-switch-")),
  retryIntervalMs: 10,
});
afterAll(() => engine.stop());
const client = publicClient(engine);
const tenantId = "tenant-incident";

/** Writes the global controls as an operator does: straight to the controls table. */
const setGlobalControls = (controls: GlobalControls) =>
  client.db.send(
    new PutCommand({ TableName: client.tables.controls, Item: { ...keys.globalControls(), ...controls } }),
  );

/** Stores an intent, approves it once, waits for its execution to end; how it ended and what the API says. */
async function approveOne(title: string) {
  const intent = demoIntent({
    action_intent_id: `intent-${randomUUID().slice(0, 8)}`,
    tenant_id: tenantId,
    account_id: "account-1",
    action_type: "CREATE_CRM_TASK",
    parameters: { title },
  });
  await client.storeAndApprove(intent);
  await engine.idle();
  const run = executionOf(engine, intent.action_intent_id);
  const { body } = await client.status(intent);
  const toolCalls = engine.gateway.calls().filter((call) => call.arguments.title === title);
  return { end: run?.path.at(-1), body, toolCalls };
}

/** Cold starts of the validator so far, from the ColdStart metric its pipeline emits. */
const validatorColdStarts = () =>
  engine.telemetry.datapoints.filter(
    (point) => point.metricName === "ColdStart" && point.dimensions.function_name === "execution-validator",
  ).length;

describe("the global kill switch in the controls table", () => {
  it("stops the next approval while on and lets the next one run once off, with no restart", async () => {
    const before = await approveOne("before the incident");
    expect(before).toMatchObject({ end: "RecordOutcome", body: { status: "SUCCEEDED" } });
    const coldStartsBefore = validatorColdStarts();

    await setGlobalControls({ kill_switch: true, reason: "incident 12", updated_by: "ops@example.com" });
    const during = await approveOne("during the incident");

    expect(during.end).toBe("ActionFailed");
    expect(during.body).toMatchObject({
      status: "FAILED",
      error_class: "KILL_SWITCH",
      error_message: expect.stringContaining("global kill switch on: incident 12"),
    });
    expect(during.toolCalls).toEqual([]);

    await setGlobalControls({ kill_switch: false, reason: "incident 12 resolved" });
    const after = await approveOne("after the incident");

    expect(after).toMatchObject({ end: "RecordOutcome", body: { status: "SUCCEEDED" } });
    expect(after.toolCalls).toHaveLength(1);
    // The same warm validator read both changes: nothing restarted or reconfigured it.
    expect(coldStartsBefore).toBeGreaterThan(0);
    expect(validatorColdStarts()).toBe(coldStartsBefore);
    expect(engine.config.globalKillSwitch).toBe(false);
  });
});
