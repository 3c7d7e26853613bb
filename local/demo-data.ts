// The registry the local engine starts with: one action type per demo gateway tool, fault tools included.
import type { ActionIntent, RegistryEntry } from "../schemas/records.ts";

const entry = (
  action_type: string,
  tool_name: string,
  parameter_mapping: RegistryEntry["parameter_mapping"],
  compensation: Pick<RegistryEntry, "compensation_strategy" | "compensation_tool_name"> = {
    compensation_strategy: "NONE",
  },
): RegistryEntry =>
  ({
    action_type,
    registry_version: 1,
    tool_name,
    tool_schema_version: "1",
    parameter_mapping,
    ...compensation,
  }) as RegistryEntry;

export const demoRegistry: RegistryEntry[] = [
  entry(
    "CREATE_CRM_TASK",
    "crm.create_task",
    { title: { from: "/parameters/title" }, account_id: { from: "/account_id" } },
    { compensation_strategy: "AUTOMATIC", compensation_tool_name: "crm.delete_task" },
  ),
  entry(
    "CREATE_CALENDAR_EVENT",
    "calendar.create_event",
    { title: { from: "/parameters/title" }, start: { from: "/parameters/start" } },
    { compensation_strategy: "AUTOMATIC", compensation_tool_name: "calendar.delete_event" },
  ),
  entry("CREATE_INTERNAL_NOTE", "internal.create_note", { text: { from: "/parameters/text" } }),
  entry("DEMO_FLAKY", "demo.flaky", { fail_times: { from: "/parameters/fail_times", default: 2 } }),
  entry("DEMO_THROTTLED", "demo.throttled", {}),
  entry("DEMO_SLOW", "demo.slow", { delay_ms: { from: "/parameters/delay_ms", default: 500 } }),
  entry(
    "DEMO_FAIL_AFTER_WRITE",
    "demo.fail_after_write",
    {},
    {
      compensation_strategy: "AUTOMATIC",
      compensation_tool_name: "demo.delete_record",
    },
  ),
  entry("DEMO_MALFORMED", "demo.malformed", {}),
];

/** An approved intent as the decision layer would store it, valid for an hour. */
export function demoIntent(
  fields: Pick<ActionIntent, "action_intent_id" | "tenant_id" | "account_id" | "action_type"> & Partial<ActionIntent>,
): ActionIntent {
  return {
    parameters: {},
    registry_version: 1,
    trace_id: `decision-${fields.action_intent_id}`,
    expires_at_epoch: Math.floor(Date.now() / 1000) + 3600,
    ...fields,
  };
}
