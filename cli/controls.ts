// Kill switches in the controls table: one item for every tenant (GLOBAL / CONTROLS) and one per tenant
// (TENANT#<id> / CONTROLS), each a switch for all executions plus a list of disabled action types. The
// validator reads both on every execution, so a change applies to the next one without a deploy.
// Changes are UpdateItems of the fields they touch, so the other fields (and a concurrent change to
// another action type) survive.
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { keys } from "../functions/kernel/data-layout.ts";
import { toDomainRecord } from "../functions/kernel/repositories/records.ts";
import type { GlobalControls, TenantControls } from "../schemas/records.ts";
import {
  GlobalControls as validateGlobalControls,
  TenantControls as validateTenantControls,
} from "../schemas/validators.generated.js";
import { OperationError } from "./errors.ts";
import type { Target } from "./target.ts";

export type Controls = GlobalControls | TenantControls;

export interface SwitchChange {
  on: boolean;
  /** Absent: the global item. */
  tenant?: string;
  /** Absent: the whole switch; present: that action type's entry in disabled_action_types. */
  actionType?: string;
  reason?: string;
  /** Who changed it, as `updated_by` records it. */
  by: string;
}

const keyOf = (tenant: string | undefined) =>
  tenant === undefined ? keys.globalControls() : keys.tenantControls(tenant);

function toControls(item: Record<string, unknown>, tenant: string | undefined): Controls {
  return tenant === undefined
    ? toDomainRecord<GlobalControls>(item, validateGlobalControls, "the global controls")
    : toDomainRecord<TenantControls>(item, validateTenantControls, `the controls of tenant ${tenant}`);
}

export async function readControls(target: Target, tenant?: string): Promise<Controls | undefined> {
  const { Item } = await target.db.send(
    new GetCommand({ TableName: target.tables.controls, Key: keyOf(tenant), ConsistentRead: true }),
  );
  return Item ? toControls(Item, tenant) : undefined;
}

/** The UpdateItem for one change, given the item's current disabled action types. */
function updateFor(change: SwitchChange, disabled: readonly string[]) {
  const set = ["updated_at = :now", "updated_by = :by"];
  const remove: string[] = [];
  const values: Record<string, unknown> = { ":now": new Date().toISOString(), ":by": change.by };
  let condition: string | undefined;
  if (change.tenant !== undefined) {
    set.push("tenant_id = :tenant");
    values[":tenant"] = change.tenant;
  }
  if (change.reason !== undefined) {
    set.push("reason = :reason");
    values[":reason"] = change.reason;
  } else if (change.actionType === undefined && !change.on) {
    // The reason explained why it was on.
    remove.push("reason");
  }
  if (change.actionType === undefined) {
    set.push("kill_switch = :on");
    values[":on"] = change.on;
  } else {
    // The item's contract requires kill_switch: an item created for an action type has the switch off.
    set.push("kill_switch = if_not_exists(kill_switch, :off)");
    values[":off"] = false;
    values[":type"] = change.actionType;
    const index = disabled.indexOf(change.actionType);
    if (change.on && index < 0) {
      set.push("disabled_action_types = list_append(if_not_exists(disabled_action_types, :none), :added)");
      values[":none"] = [];
      values[":added"] = [change.actionType];
      condition = "attribute_not_exists(disabled_action_types) OR NOT contains(disabled_action_types, :type)";
    } else if (!change.on && index >= 0) {
      // A list element is removed by index: the condition makes sure the index still holds the type.
      remove.push(`disabled_action_types[${index}]`);
      condition = `disabled_action_types[${index}] = :type`;
    } else {
      condition = change.on ? "contains(disabled_action_types, :type)" : "NOT contains(disabled_action_types, :type)";
    }
  }
  return {
    UpdateExpression: `SET ${set.join(", ")}${remove.length > 0 ? ` REMOVE ${remove.join(", ")}` : ""}`,
    ExpressionAttributeValues: values,
    ...(condition ? { ConditionExpression: condition } : {}),
  };
}

/** Applies the change and answers the controls as they were before it and are after it. */
export async function changeKillSwitch(
  target: Target,
  change: SwitchChange,
): Promise<{ before?: Controls; after: Controls }> {
  // Another operator's change between the read and the write fails the condition: read again.
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await readControls(target, change.tenant);
    try {
      const { Attributes } = await target.db.send(
        new UpdateCommand({
          TableName: target.tables.controls,
          Key: keyOf(change.tenant),
          ...updateFor(change, current?.disabled_action_types ?? []),
          ReturnValues: "ALL_NEW",
        }),
      );
      return { ...(current ? { before: current } : {}), after: toControls(Attributes ?? {}, change.tenant) };
    } catch (error) {
      if ((error as Error).name !== "ConditionalCheckFailedException") throw error;
    }
  }
  throw new OperationError("the controls item kept changing while it was written; try again");
}

/** "stopped (global kill switch)", "running", "running, except CREATE_CRM_TASK (tenant)". */
export function effectiveVerdict(global: Controls | undefined, tenant: Controls | undefined): string {
  if (global?.kill_switch) return "stopped for every tenant (global kill switch)";
  if (tenant?.kill_switch) return "stopped for this tenant (tenant kill switch)";
  const disabled = [
    ...(global?.disabled_action_types ?? []).map((type) => `${type} (global)`),
    ...(tenant?.disabled_action_types ?? []).map((type) => `${type} (tenant)`),
  ];
  return disabled.length > 0 ? `running, except ${disabled.join(", ")}` : "running";
}
