// `npm run traces -- <action_intent_id> [--dir <state directory>]`: prints the X-Ray traces of an intent's
// executions, from every run of the local engine on that directory, as a tree with durations and errors.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { readJsonLines } from "./json-lines.ts";
import { stateDirectoryFrom } from "./state-directory.ts";
import { TRACES_FILE } from "./telemetry.ts";
import { renderTraceTree, tracesOfIntent, traceTree } from "./trace-tree.ts";
import type { TraceDocument } from "./xray-daemon.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { dir: { type: "string" } },
});
const intentId = positionals[0];
if (!intentId) {
  console.error("usage: npm run traces -- <action_intent_id> [--dir .local]");
  process.exit(2);
}
const tracesFile = join(stateDirectoryFrom(values.dir), TRACES_FILE);
if (!existsSync(tracesFile)) {
  console.error(`no traces in ${tracesFile}: start the engine with \`npm start\` first`);
  process.exit(2);
}
let documents: TraceDocument[];
try {
  documents = readJsonLines<TraceDocument>(tracesFile);
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
const traceIds = tracesOfIntent(documents, intentId);
if (traceIds.length === 0) {
  console.error(`no execution of intent ${intentId} has been traced`);
  process.exit(1);
}
for (const traceId of traceIds) {
  const root = traceTree(documents, traceId);
  if (!root) continue;
  console.log(`trace ${traceId}`);
  for (const line of renderTraceTree(root)) console.log(`  ${line}`);
  console.log("");
}
