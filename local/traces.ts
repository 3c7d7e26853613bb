// `npm run traces -- <action_intent_id>`: prints the X-Ray traces of an intent's executions, from the
// running (or last) local engine, as a tree with durations and errors.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { TRACES_FILE } from "./telemetry.ts";
import { renderTraceTree, tracesOfIntent, traceTree } from "./trace-tree.ts";
import type { TraceDocument } from "./xray-daemon.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { dir: { type: "string", default: ".local" } },
});
const intentId = positionals[0];
if (!intentId) {
  console.error("usage: npm run traces -- <action_intent_id> [--dir .local]");
  process.exit(2);
}
let documents: TraceDocument[];
try {
  documents = readFileSync(join(values.dir ?? ".local", TRACES_FILE), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as TraceDocument);
} catch {
  console.error(`no traces in ${join(values.dir ?? ".local", TRACES_FILE)}: start the engine with \`npm start\` first`);
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
