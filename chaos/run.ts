// `npm run chaos`: a batch of approvals through a local engine while a fault profile plays, then the checks.
// Prints the figures and every finding; exits 1 when anything was lost, doubled, left behind or miscounted.
//
//   npm run chaos -- [--profile <file>] [--seed <n>] [--executions <n>] [--concurrency <n>]
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { demoRegistry } from "../local/demo-data.ts";
import { FaultProfileError, readFaultProfile } from "../local/faults/profile.ts";
import { faultTargets } from "../local/faults/targets.ts";
import { runChaos } from "./chaos-run.ts";
import { renderFigures } from "./figures.ts";

export const DEFAULT_PROFILE = fileURLToPath(new URL("./profiles/default.yaml", import.meta.url));

const usage = `usage: npm run chaos -- [--profile <file>] [--seed <n>] [--executions <n>] [--concurrency <n>]
  --profile <file>     a fault profile, JSON or YAML (default chaos/profiles/default.yaml)
  --seed <n>           draws the batch and the faults (default: the profile's seed, else 1)
  --executions <n>     intents to approve (default 200), some approved twice
  --concurrency <n>    executions in flight at most (default 16)
  --retry-interval-ms  milliseconds between state-machine retries (default 20; deployed: seconds)`;

function whole(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min) {
    console.error(`--${name} must be a whole number of at least ${min}, got "${value}"\n${usage}`);
    process.exit(2);
  }
  return number;
}

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      profile: { type: "string" },
      seed: { type: "string" },
      executions: { type: "string" },
      concurrency: { type: "string" },
      "retry-interval-ms": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  }));
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}

const profileFile = (values.profile as string | undefined) ?? DEFAULT_PROFILE;
let profile: ReturnType<typeof readFaultProfile>;
try {
  profile = readFaultProfile(profileFile, faultTargets(demoRegistry));
} catch (error) {
  if (!(error instanceof FaultProfileError)) throw error;
  console.error(error.message);
  process.exit(2);
}

const started = performance.now();
const { figures, findings } = await runChaos({
  profile,
  profileName: profileFile.replace(`${process.cwd()}/`, ""),
  seed: values.seed === undefined ? undefined : whole("seed", values.seed as string, 1, 0),
  executions: whole("executions", values.executions as string | undefined, 200, 1),
  concurrency: whole("concurrency", values.concurrency as string | undefined, 16, 1),
  retryIntervalMs: whole("retry-interval-ms", values["retry-interval-ms"] as string | undefined, 20, 0),
  onProgress: (message) =>
    console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}`),
});

console.log(`\n${renderFigures(figures)}\n`);
if (findings.length > 0) {
  console.log(`${findings.length} finding(s):`);
  for (const finding of findings.slice(0, 50)) {
    console.log(`  ${finding.kind.padEnd(17)} ${finding.intent ? `${finding.intent}: ` : ""}${finding.message}`);
  }
  if (findings.length > 50) console.log(`  ... and ${findings.length - 50} more`);
  process.exitCode = 1;
} else {
  console.log("No losses, no double effects, nothing left behind: every check passed.");
}
