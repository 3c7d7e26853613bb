import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  type BatchGetCommandInput,
  type BatchGetCommandOutput,
  DeleteCommand,
  PutCommand,
} from "@aws-sdk/lib-dynamodb";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDocumentClient } from "../../functions/kernel/clients/dynamodb.ts";
import { keys } from "../../functions/kernel/data-layout.ts";
import { createTables, tableNamesFor } from "../../local/tables.ts";
import type { GlobalControls, TenantControls } from "../../schemas/records.ts";
import {
  db,
  lambdaContext,
  seedIntent,
  setTenantControls,
  tableNames,
  uniqueTenant,
} from "../../tests/support/fixtures.ts";
import { handler, type PreflightConfig, validatePreflight } from "./handler.ts";

const validate = (input: Record<string, unknown>) => handler(input as never, lambdaContext("execution-validator"));
const keyOf = (intent: { action_intent_id: string; tenant_id: string; account_id: string }) => ({
  action_intent_id: intent.action_intent_id,
  tenant_id: intent.tenant_id,
  account_id: intent.account_id,
  execution_trace_id: "trace-1",
});

describe("execution-validator", () => {
  it("passes an unexpired intent of the event's tenant and account", async () => {
    const intent = await seedIntent({ tenant_id: uniqueTenant() });

    const output = await validate(keyOf(intent));

    expect(output).toMatchObject({ preflight: "PASSED", expires_at_epoch: intent.expires_at_epoch });
  });

  it("stops every execution while the stack's globalKillSwitch is set, before reading anything", async () => {
    const intent = await seedIntent({ tenant_id: uniqueTenant() });
    const config: PreflightConfig = {
      intentsTable: "table-that-does-not-exist",
      controlsTable: "table-that-does-not-exist",
      globalKillSwitch: true,
    };

    const attempt = validatePreflight(keyOf(intent), db, config);

    await expect(attempt).rejects.toMatchObject({
      name: "KillSwitchError",
      errorClass: "KILL_SWITCH",
      message: "[KILL_SWITCH] global kill switch on: the stack's globalKillSwitch config is true",
    });
  });

  it("stops the executions of a tenant whose kill switch is on, with the operator's reason", async () => {
    const intent = await seedIntent({ tenant_id: uniqueTenant() });
    await setTenantControls({ tenant_id: intent.tenant_id, kill_switch: true, reason: "incident 42" });

    await expect(validate(keyOf(intent))).rejects.toMatchObject({
      name: "KillSwitchError",
      message: `[KILL_SWITCH] kill switch of tenant ${intent.tenant_id} on: incident 42`,
    });
  });

  it("stops an action type the tenant disabled, and only that one", async () => {
    const tenant_id = uniqueTenant();
    await setTenantControls({ tenant_id, kill_switch: false, disabled_action_types: ["CREATE_CRM_TASK"] });
    const blocked = await seedIntent({ tenant_id, action_type: "CREATE_CRM_TASK" });
    const allowed = await seedIntent({ tenant_id, action_type: "CREATE_NOTE" });

    await expect(validate(keyOf(blocked))).rejects.toMatchObject({ name: "KillSwitchError" });
    await expect(validate(keyOf(allowed))).resolves.toMatchObject({ preflight: "PASSED" });
  });

  it("rejects an expired intent with IntentExpiredError", async () => {
    const intent = await seedIntent({ tenant_id: uniqueTenant(), expires_at_epoch: Math.floor(Date.now() / 1000) - 1 });

    await expect(validate(keyOf(intent))).rejects.toMatchObject({ name: "IntentExpiredError", errorClass: "EXPIRED" });
  });

  it("rejects an event naming another account than the intent's", async () => {
    const intent = await seedIntent({ tenant_id: uniqueTenant(), account_id: "account-1" });

    const attempt = validate({ ...keyOf(intent), account_id: "account-2" });

    await expect(attempt).rejects.toMatchObject({
      name: "ValidationError",
      message: expect.stringContaining("account-2"),
    });
  });

  it("fails with IntentNotFoundError for an intent another tenant owns", async () => {
    const intent = await seedIntent({ tenant_id: uniqueTenant() });

    const attempt = validate({ ...keyOf(intent), tenant_id: uniqueTenant() });

    await expect(attempt).rejects.toMatchObject({ name: "IntentNotFoundError" });
  });

  it("rejects malformed input as ValidationError naming the field", async () => {
    await expect(validate({ action_intent_id: "i", tenant_id: "t", account_id: 7 })).rejects.toMatchObject({
      name: "ValidationError",
      message: expect.stringContaining("/account_id must be string"),
    });
  });
});

// The global controls item stops every tenant, so these tests keep it in a controls table of their own:
// the shared one serves test files running at the same time.
describe("execution-validator with the global controls item", () => {
  const ownTables = tableNamesFor(`validator-${randomUUID().slice(0, 8)}`);
  const config: PreflightConfig = {
    intentsTable: tableNames.intents,
    controlsTable: ownTables.controls,
    globalKillSwitch: false,
  };
  const setGlobalControls = (controls: GlobalControls) =>
    db.send(new PutCommand({ TableName: ownTables.controls, Item: { ...keys.globalControls(), ...controls } }));
  const setTenant = (controls: TenantControls) =>
    db.send(
      new PutCommand({
        TableName: ownTables.controls,
        Item: { ...keys.tenantControls(controls.tenant_id), ...controls },
      }),
    );
  const preflight = (intent: Parameters<typeof keyOf>[0], client = db) =>
    validatePreflight(keyOf(intent), client, config);

  beforeAll(async () => {
    const client = new DynamoDBClient({});
    await createTables(client, ownTables);
    client.destroy();
  });
  beforeEach(async () => {
    await db.send(new DeleteCommand({ TableName: ownTables.controls, Key: keys.globalControls() }));
  });

  it("stops the next execution once an operator turns it on, and lets the one after pass once it is off", async () => {
    const intent = await seedIntent({ tenant_id: uniqueTenant() });
    await expect(preflight(intent)).resolves.toMatchObject({ preflight: "PASSED" });

    await setGlobalControls({ kill_switch: true, reason: "incident 7", updated_by: "ops@example.com" });
    const whileOn = preflight(intent);
    await expect(whileOn).rejects.toMatchObject({
      name: "KillSwitchError",
      errorClass: "KILL_SWITCH",
      message: "[KILL_SWITCH] global kill switch on: incident 7",
    });

    await setGlobalControls({ kill_switch: false, reason: "incident 7 resolved" });
    await expect(preflight(intent)).resolves.toMatchObject({ preflight: "PASSED" });
  });

  it("stops even an execution whose intent is missing, as the tenant's kill switch does", async () => {
    await setGlobalControls({ kill_switch: true, reason: "incident 8" });

    const attempt = validatePreflight(
      {
        action_intent_id: "intent-missing",
        tenant_id: uniqueTenant(),
        account_id: "account-1",
        execution_trace_id: "t",
      },
      db,
      config,
    );

    await expect(attempt).rejects.toMatchObject({
      name: "KillSwitchError",
      message: expect.stringContaining("global"),
    });
  });

  it("stops an action type disabled globally, for every tenant, and only that type", async () => {
    await setGlobalControls({ kill_switch: false, disabled_action_types: ["CREATE_CRM_TASK"], reason: "CRM outage" });
    const blocked = await seedIntent({ tenant_id: uniqueTenant(), action_type: "CREATE_CRM_TASK" });
    const allowed = await seedIntent({ tenant_id: blocked.tenant_id, action_type: "CREATE_NOTE" });

    await expect(preflight(blocked)).rejects.toMatchObject({
      name: "KillSwitchError",
      message: "[KILL_SWITCH] action type CREATE_CRM_TASK disabled globally: CRM outage",
    });
    await expect(preflight(allowed)).resolves.toMatchObject({ preflight: "PASSED" });
  });

  it("names the tenant's disabled action type when only the tenant disabled it", async () => {
    const intent = await seedIntent({ tenant_id: uniqueTenant(), action_type: "CREATE_CRM_TASK" });
    await setGlobalControls({ kill_switch: false, disabled_action_types: ["CREATE_NOTE"] });
    await setTenant({
      tenant_id: intent.tenant_id,
      kill_switch: false,
      disabled_action_types: ["CREATE_CRM_TASK"],
      reason: "tenant asked",
      updated_by: "ops@example.com",
    });

    await expect(preflight(intent)).rejects.toMatchObject({
      message: `[KILL_SWITCH] action type CREATE_CRM_TASK disabled for tenant ${intent.tenant_id}: tenant asked`,
    });
  });

  it.each([
    {
      when: "the global and the tenant's kill switches are on",
      global: { kill_switch: true, reason: "global incident" },
      tenant: { kill_switch: true, reason: "tenant incident" },
      names: "global kill switch on: global incident",
    },
    {
      when: "the type is disabled globally and the tenant's kill switch is on",
      global: { kill_switch: false, disabled_action_types: ["CREATE_CRM_TASK"], reason: "CRM outage" },
      tenant: { kill_switch: true, reason: "tenant incident" },
      names: "action type CREATE_CRM_TASK disabled globally: CRM outage",
    },
    {
      when: "the tenant's kill switch is on and the tenant disabled the type",
      global: { kill_switch: false },
      tenant: { kill_switch: true, disabled_action_types: ["CREATE_CRM_TASK"], reason: "tenant incident" },
      names: "kill switch of tenant",
    },
  ])("names the broadest switch when $when", async ({ global, tenant, names }) => {
    const intent = await seedIntent({ tenant_id: uniqueTenant(), action_type: "CREATE_CRM_TASK" });
    await setGlobalControls(global);
    await setTenant({ tenant_id: intent.tenant_id, ...tenant });

    await expect(preflight(intent)).rejects.toMatchObject({
      name: "KillSwitchError",
      message: expect.stringContaining(`[KILL_SWITCH] ${names}`),
    });
  });

  it("says no reason was recorded rather than ending the message with a colon", async () => {
    const intent = await seedIntent({ tenant_id: uniqueTenant() });
    await setGlobalControls({ kill_switch: true });

    await expect(preflight(intent)).rejects.toMatchObject({
      message: "[KILL_SWITCH] global kill switch on: no reason recorded",
    });
  });

  it("fails closed with ValidationError naming the field when the global item breaks its contract", async () => {
    const intent = await seedIntent({ tenant_id: uniqueTenant() });
    await db.send(
      new PutCommand({ TableName: ownTables.controls, Item: { ...keys.globalControls(), kill_switch: "true" } }),
    );

    await expect(preflight(intent)).rejects.toMatchObject({
      name: "ValidationError",
      message: expect.stringContaining("/kill_switch must be boolean"),
    });
  });

  // DynamoDB Local always answers a two-item batch whole; DynamoDB may leave keys unprocessed under load:
  // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
  it("throws TransientError, for the state machine to retry, when DynamoDB leaves the global controls unprocessed", async () => {
    const intent = await seedIntent({ tenant_id: uniqueTenant() });
    await setGlobalControls({ kill_switch: true, reason: "incident 9" });

    const attempt = preflight(intent, clientLeavingGlobalControlsUnprocessed());

    await expect(attempt).rejects.toMatchObject({ name: "TransientError", errorClass: "DOWNSTREAM" });
  });
});

/**
 * A client on the same DynamoDB Local that moves the global controls of every BatchGetItem answer into
 * UnprocessedKeys, as DynamoDB does with keys it did not read.
 */
function clientLeavingGlobalControlsUnprocessed() {
  const client = new DynamoDBClient({});
  const isGlobal = (record: Record<string, unknown>) => record.pk === keys.globalControls().pk;
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const requested = (args.input as Partial<BatchGetCommandInput>).RequestItems;
      if (!requested) return result;
      const output = result.output as BatchGetCommandOutput;
      for (const [table, request] of Object.entries(requested)) {
        output.Responses = {
          ...output.Responses,
          [table]: (output.Responses?.[table] ?? []).filter((item) => !isGlobal(item)),
        };
        output.UnprocessedKeys = {
          ...output.UnprocessedKeys,
          [table]: { ...request, Keys: request.Keys?.filter(isGlobal) },
        };
      }
      return result;
    },
    { step: "initialize", name: "leaveGlobalControlsUnprocessed" },
  );
  return createDocumentClient(client);
}
