// `npm run demo [-- --workflow-type EXPRESS]`: starts a fresh engine on free ports, runs every demo scenario
// through its public endpoints, prints each one's state path, outcome and status API answer, and exits 0 only
// when every scenario ended as it should. The state machine runs as the dev stack's type unless told.
import { parseArgs } from "node:util";
import { demoScenarios, publicClient, type ScenarioResult } from "./demo-scenarios.ts";
import { startLocalEngine } from "./engine.ts";
import { workflowTypeFlag, workflowTypeOverride, workflowTypeUsage } from "./workflow-type.ts";

let workflowType: ReturnType<typeof workflowTypeOverride>;
try {
  const { values } = parseArgs({ options: workflowTypeFlag, strict: true });
  workflowType = workflowTypeOverride(values["workflow-type"]);
} catch (error) {
  console.error(
    `${(error as Error).message}\nusage: npm run demo -- [--workflow-type STANDARD|EXPRESS]\n  ${workflowTypeUsage}`,
  );
  process.exit(2);
}

const started = Date.now();
// Empty at every run, as the scenarios expect (one leaves a tenant's kill switch on); kept afterwards for
// `npm run metrics -- --dir .local/demo`.
const engine = await startLocalEngine({
  stateDirectory: ".local/demo",
  fresh: true,
  retryIntervalMs: 50,
  configOverrides: workflowType,
});
const client = publicClient(engine);
console.log(
  `Engine up in ${((Date.now() - started) / 1000).toFixed(1)} s; running ${demoScenarios.length} scenarios (${engine.config.workflowType} workflow).\n`,
);

const results: ScenarioResult[] = [];
try {
  for (const scenario of demoScenarios) {
    const result = await scenario.run(engine, client);
    results.push(result);
    console.log(`${result.problems.length === 0 ? "ok  " : "FAIL"}  ${result.name}`);
    for (const run of result.runs) console.log(`        ${run.status.padEnd(9)} ${run.path.join(" -> ")}`);
    if (result.status) {
      const body = result.status.body;
      const detail = [
        body.error_class && `${body.error_class} (${body.error_code})`,
        body.compensation_status !== "NONE" && body.compensation_status && `compensation ${body.compensation_status}`,
      ]
        .filter(Boolean)
        .join(", ");
      console.log(
        `        status API ${result.status.httpStatus}: ${String(body.status)}${detail ? ` ${detail}` : ""}`,
      );
    }
    for (const problem of result.problems) console.log(`        problem: ${problem}`);
  }
} finally {
  await engine.stop();
}
const failed = results.filter((result) => result.problems.length > 0);
console.log(
  `\n${results.length - failed.length} of ${results.length} scenarios as expected, in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
);
process.exit(failed.length === 0 ? 0 : 1);
