import { describe, expect, it } from "vitest";
import { db, lambdaContext, seedIntent, setTenantControls, uniqueTenant } from "../../tests/support/fixtures.ts";
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

  it("stops every execution while the global kill switch is on, before reading anything", async () => {
    const intent = await seedIntent({ tenant_id: uniqueTenant() });
    const config: PreflightConfig = {
      intentsTable: "table-that-does-not-exist",
      controlsTable: "table-that-does-not-exist",
      globalKillSwitch: true,
    };

    const attempt = validatePreflight(keyOf(intent), db, config);

    await expect(attempt).rejects.toMatchObject({ name: "KillSwitchError", errorClass: "KILL_SWITCH" });
  });

  it("stops the executions of a tenant whose kill switch is on, with the operator's reason", async () => {
    const intent = await seedIntent({ tenant_id: uniqueTenant() });
    await setTenantControls({ tenant_id: intent.tenant_id, kill_switch: true, reason: "incident 42" });

    await expect(validate(keyOf(intent))).rejects.toMatchObject({
      name: "KillSwitchError",
      message: expect.stringContaining("incident 42"),
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
