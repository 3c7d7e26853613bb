// Every command, in the order the overview lists them.
import type { Command } from "../command.ts";
import { approve } from "./approve.ts";
import { faultsClear, faultsSet, faultsShow } from "./faults.ts";
import { killSwitchOff, killSwitchOn, killSwitchStatus } from "./kill-switch.ts";
import { registryGet, registryList, registryPut } from "./registry.ts";
import { smoke } from "./smoke.ts";
import { executions, status } from "./status.ts";

export const commands: Command[] = [
  approve,
  status,
  executions,
  registryList,
  registryGet,
  registryPut,
  killSwitchOn,
  killSwitchOff,
  killSwitchStatus,
  smoke,
  faultsShow,
  faultsSet,
  faultsClear,
];
