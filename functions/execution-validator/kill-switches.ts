// Which kill switch, if any, stops an execution. The broadest switch wins, so the message names the one an
// operator has to turn off first: the global kill switch, an action type disabled globally, the tenant's
// kill switch, an action type the tenant disabled.
import type { Controls } from "#kernel/repositories/controls.ts";

const because = (reason: string | undefined) => `: ${reason?.trim() || "no reason recorded"}`;

/** The stack's deploy-time `globalKillSwitch`: checked before anything is read. */
export const stackKillSwitchMessage = `global kill switch on${because("the stack's globalKillSwitch config is true")}`;

/**
 * The message of the switch that stops this execution, or undefined when none does. `actionType` is
 * undefined when the intent was not found: only the switches that stop everything apply then.
 */
export function killSwitchStopping(
  controls: Controls,
  tenantId: string,
  actionType: string | undefined,
): string | undefined {
  const { global, tenant } = controls;
  if (global?.kill_switch) return `global kill switch on${because(global.reason)}`;
  if (actionType && global?.disabled_action_types?.includes(actionType)) {
    return `action type ${actionType} disabled globally${because(global.reason)}`;
  }
  if (tenant?.kill_switch) return `kill switch of tenant ${tenantId} on${because(tenant.reason)}`;
  if (actionType && tenant?.disabled_action_types?.includes(actionType)) {
    return `action type ${actionType} disabled for tenant ${tenantId}${because(tenant.reason)}`;
  }
  return undefined;
}
