import { describe, expect, it } from "vitest";
import { getExecution } from "#kernel/repositories/executions.ts";
import { captureEmf } from "../../tests/support/emf.ts";
import {
  db,
  executionArn,
  lambdaContext,
  putIntentItem,
  seedIntent,
  tableNames,
  tenantItems,
  uniqueTenant,
} from "../../tests/support/fixtures.ts";
import { handler } from "./handler.ts";

const start = (input: Record<string, unknown>) => handler(input as never, lambdaContext("execution-starter"));
const emf = captureEmf();

describe("execution-starter", () => {
  it("claims the intent with a RUNNING attempt and a new execution trace id", async () => {
    // Prepare
    const intent = await seedIntent({ tenant_id: uniqueTenant() });
    const execution_id = executionArn();

    // Act
    const output = await start({ ...pick(intent), execution_id });

    // Assess
    expect(output).toMatchObject({
      duplicate: false,
      attempt_count: 1,
      registry_version: 1,
      action_type: "CREATE_CRM_TASK",
      decision_trace_id: intent.trace_id,
    });
    const record = await getExecution(db, tableNames.executions, intent.tenant_id, intent.action_intent_id);
    expect(record).toMatchObject({ status: "RUNNING", execution_id, account_id: intent.account_id });
    expect(output.duplicate === false && output.execution_trace_id).toBe(record?.execution_trace_id);
  });

  it("continues with its own attempt when Step Functions retries StartExecution in the same execution", async () => {
    const intent = await seedIntent({ tenant_id: uniqueTenant() });
    const execution_id = executionArn();
    const first = await start({ ...pick(intent), execution_id });

    const retried = await start({ ...pick(intent), execution_id });

    expect(retried).toEqual(first);
  });

  it("fails another execution's approval with DuplicateApprovalError and writes nothing", async () => {
    const intent = await seedIntent({ tenant_id: uniqueTenant() });
    await start({ ...pick(intent), execution_id: executionArn() });
    const before = await tenantItems(tableNames.executions, intent.tenant_id);

    const duplicate = start({ ...pick(intent), execution_id: executionArn() });

    await expect(duplicate).rejects.toMatchObject({ name: "DuplicateApprovalError" });
    expect(await tenantItems(tableNames.executions, intent.tenant_id)).toEqual(before);
    expect(emf.count("DuplicateIgnored")).toBe(1);
  });

  it("fails with IntentNotFoundError when the intent was never stored", async () => {
    const tenant_id = uniqueTenant();

    const attempt = start({ action_intent_id: "missing", tenant_id, account_id: "a", execution_id: executionArn() });

    await expect(attempt).rejects.toMatchObject({ name: "IntentNotFoundError" });
    expect(await tenantItems(tableNames.executions, tenant_id)).toEqual([]);
  });

  it("rejects an intent without registry_version, naming the field", async () => {
    const intent = await seedIntent({ tenant_id: uniqueTenant() });
    const { registry_version: _dropped, ...withoutVersion } = intent;
    await putIntentItem(withoutVersion);

    const attempt = start({ ...pick(intent), execution_id: executionArn() });

    await expect(attempt).rejects.toMatchObject({
      name: "ValidationError",
      message: expect.stringContaining("/registry_version"),
    });
    expect(await tenantItems(tableNames.executions, intent.tenant_id)).toEqual([]);
  });

  it.each([
    ["a missing tenant_id", { action_intent_id: "i-1", account_id: "a", execution_id: "x" }, "/tenant_id"],
    [
      "a literal JSONPath instead of a value",
      { action_intent_id: "$.action_intent_id", tenant_id: "t", account_id: "a", execution_id: "x" },
      "/action_intent_id",
    ],
    [
      "an unexpected field",
      { action_intent_id: "i-1", tenant_id: "t", account_id: "a", execution_id: "x", extra: 1 },
      "/extra",
    ],
  ])("rejects input with %s as ValidationError naming the field", async (_case, input, field) => {
    await expect(start(input)).rejects.toMatchObject({
      name: "ValidationError",
      message: expect.stringContaining(field),
    });
  });
});

function pick(intent: { action_intent_id: string; tenant_id: string; account_id: string }) {
  return { action_intent_id: intent.action_intent_id, tenant_id: intent.tenant_id, account_id: intent.account_id };
}
