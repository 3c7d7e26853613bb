// kill-switch on|off [--tenant T] [--action-type X] --reason "..."   and   kill-switch status [--tenant T]
import type { Command, CommandContext, OptionSpecs } from "../command.ts";
import { type Controls, changeKillSwitch, effectiveVerdict, readControls } from "../controls.ts";
import { UsageError } from "../errors.ts";
import { fieldLines } from "../output.ts";

const scopeOf = (tenant: string | undefined) => (tenant === undefined ? "every tenant (global)" : `tenant ${tenant}`);

function describeControls(title: string, controls: Controls | undefined): string[] {
  if (!controls) return [`${title}: never set (kill switch off, nothing disabled)`];
  return [
    `${title}:`,
    ...fieldLines({
      "kill switch": controls.kill_switch ? "ON" : "off",
      "disabled action types": controls.disabled_action_types?.length
        ? controls.disabled_action_types.join(", ")
        : "none",
      reason: controls.reason,
      "updated at": controls.updated_at,
      "updated by": controls.updated_by,
    }),
  ];
}

const switchOptions: OptionSpecs = {
  tenant: { type: "string", value: "id", description: "one tenant's switch (default: the global one, every tenant)" },
  "action-type": {
    type: "string",
    value: "type",
    description: "only this action type: added to (on) or removed from (off) the disabled action types",
  },
  reason: { type: "string", value: "text", description: "why, recorded with the change (required for on)" },
};

function switchCommand(on: boolean): Command {
  const word = on ? "on" : "off";
  return {
    words: ["kill-switch", word],
    summary: on
      ? "stop executions: every tenant's, one tenant's, or one action type's"
      : "let executions run again where a kill switch stopped them",
    synopsis: `[--tenant <id>] [--action-type <type>] ${on ? "--reason <text>" : "[--reason <text>]"}`,
    positionals: { min: 0, max: 0 },
    details: [
      "Writes the controls table, which the engine reads at the start of every execution: the next one " +
        "sees the change, with no deploy or restart. An execution stopped by a switch ends FAILED with " +
        "error class KILL_SWITCH and calls no tool. Only the fields named change: switching a tenant off " +
        "keeps its disabled action types, and the reverse. The stack's globalKillSwitch setting is a " +
        "separate, deploy-time override.",
    ],
    options: switchOptions,
    examples: on
      ? [
          'kill-switch on --reason "incident 42: gateway writing duplicates"',
          'kill-switch on --tenant tenant-demo --action-type CREATE_CRM_TASK --reason "CRM migration"',
        ]
      : ["kill-switch off", "kill-switch off --tenant tenant-demo --action-type CREATE_CRM_TASK --stack dev"],
    async run(context: CommandContext) {
      const tenant = context.identifier("tenant");
      const actionType = context.identifier("action-type");
      const reason = on ? context.required("reason", "say why executions are stopped") : context.string("reason");
      if (reason !== undefined && reason.trim() === "") throw new UsageError("--reason must not be empty");
      const target = await context.target();
      const { before, after } = await changeKillSwitch(target, {
        on,
        ...(tenant === undefined ? {} : { tenant }),
        ...(actionType === undefined ? {} : { actionType }),
        ...(reason === undefined ? {} : { reason }),
        by: await target.operator(),
      });
      if (context.json) return context.out.json(after);
      const what = actionType === undefined ? "the kill switch" : `action type ${actionType}`;
      const changed =
        actionType === undefined
          ? (before?.kill_switch ?? false) !== on
          : (before?.disabled_action_types ?? []).includes(actionType) !== on;
      context.out.say(
        changed
          ? `${on ? "Stopped" : "Resumed"}: ${what} is ${on ? (actionType ? "disabled" : "ON") : actionType ? "enabled again" : "off"} for ${scopeOf(tenant)} (${target.description}).`
          : `Unchanged: ${what} was already ${on ? (actionType ? "disabled" : "on") : actionType ? "enabled" : "off"} for ${scopeOf(tenant)}.`,
        ...describeControls(tenant === undefined ? "Global controls" : `Controls of tenant ${tenant}`, after),
      );
    },
  };
}

export const killSwitchOn = switchCommand(true);
export const killSwitchOff = switchCommand(false);

export const killSwitchStatus: Command = {
  words: ["kill-switch", "status"],
  summary: "show the global kill switch, and a tenant's with --tenant",
  synopsis: "[--tenant <id>]",
  positionals: { min: 0, max: 0 },
  options: { tenant: { type: "string", value: "id", description: "also show this tenant's controls and verdict" } },
  examples: ["kill-switch status", "kill-switch status --tenant tenant-demo --json"],
  async run(context) {
    const tenant = context.identifier("tenant");
    const target = await context.target();
    const global = await readControls(target);
    const own = tenant === undefined ? undefined : await readControls(target, tenant);
    if (context.json) {
      return context.out.json({ global: global ?? null, ...(tenant === undefined ? {} : { tenant: own ?? null }) });
    }
    context.out.say(
      `Kill switches of ${target.description}`,
      ...describeControls("Global controls", global),
      ...(tenant === undefined
        ? []
        : [
            ...describeControls(`Controls of tenant ${tenant}`, own),
            `Executions of tenant ${tenant}: ${effectiveVerdict(global, own)}`,
          ]),
    );
  },
};
