// `npm start -- --faults <profile>`: the engine starts with a fault profile in force, checked before it starts.
import { demoRegistry } from "../demo-data.ts";
import { type FaultProfile, readFaultProfile } from "./profile.ts";
import { faultTargets } from "./targets.ts";

export const faultsFlag = { faults: { type: "string" } } as const;

export const faultsUsage = `--faults <file>  inject the faults of a profile (JSON or YAML, e.g. chaos/profiles/crash-20.yaml) from
                the start; change them while the engine runs with \`npm run engine -- faults set|clear\``;

/** The profile a `--faults` flag names, validated; throws FaultProfileError naming what is wrong. */
export function faultsFromFlag(file: string | undefined): FaultProfile | undefined {
  return file === undefined ? undefined : readFaultProfile(file, faultTargets(demoRegistry));
}
