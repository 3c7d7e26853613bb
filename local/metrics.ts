// `npm run metrics [-- --dir <state directory>]`: the metric series the local engine captured, over every
// run on that directory, from its functions' EMF lines and from its own AWS/Lambda and AWS/States
// bookkeeping, then the stack's alarms evaluated over them: which would be in ALARM, and why.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { AlarmSpec } from "../infra/observability/alarm-specs.ts";
import { type Datapoint, evaluateAlarm, nextEvaluation } from "../infra/observability/evaluate.ts";
import { readJsonLines } from "./json-lines.ts";
import { stateDirectoryFrom } from "./state-directory.ts";
import { ALARMS_FILE, METRICS_FILE } from "./telemetry.ts";

const { values } = parseArgs({ options: { dir: { type: "string" } } });
const directory = stateDirectoryFrom(values.dir);

let datapoints: Datapoint[];
let specs: AlarmSpec[];
try {
  specs = JSON.parse(readFileSync(join(directory, ALARMS_FILE), "utf8")) as AlarmSpec[];
} catch {
  console.error(`no metrics in ${directory}: start the engine with \`npm start\` first`);
  process.exit(2);
}
try {
  datapoints = readJsonLines<Datapoint>(join(directory, METRICS_FILE));
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}

const series = new Map<string, number[]>();
for (const point of datapoints) {
  const dimensions = Object.entries(point.dimensions)
    .map(([name, value]) => `${name}=${value}`)
    .join(",");
  const key = `${point.namespace}  ${point.metricName}  {${dimensions}}`;
  series.set(key, [...(series.get(key) ?? []), point.value]);
}
console.log(`${datapoints.length} datapoints in ${series.size} series:`);
console.log(`  ${"count".padStart(6)} ${"sum".padStart(10)} ${"max".padStart(8)}  series`);
for (const [key, points] of [...series].sort(([a], [b]) => a.localeCompare(b))) {
  const sum = points.reduce((total, value) => total + value, 0);
  console.log(
    `  ${String(points.length).padStart(6)} ${String(Math.round(sum)).padStart(10)} ${String(Math.round(Math.max(...points))).padStart(8)}  ${key}`,
  );
}

// The engine may have stopped long ago: the alarms are shown as of the evaluation after the last datapoint.
const lastWritten = datapoints.reduce((latest, point) => Math.max(latest, point.timestamp), 0) || Date.now();
console.log("\nAlarms at CloudWatch's first evaluation after the last datapoint:");
for (const spec of specs) {
  const evaluation = evaluateAlarm(spec, datapoints, { at: nextEvaluation(spec, lastWritten) });
  const at = new Date(evaluation.evaluatedAt).toISOString();
  console.log(`  ${evaluation.state.padEnd(17)} ${spec.name} at ${at}\n${" ".repeat(20)}${evaluation.reason}`);
}
