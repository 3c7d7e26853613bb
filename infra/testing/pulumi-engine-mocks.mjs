// Stands in for the Pulumi engine when a test starts the program the way the CLI's Node.js language host
// does (`node node_modules/@pulumi/pulumi/cmd/run --monitor ... --stack <stack> <main>`): preloaded with
// `node --import`, it installs Pulumi's runtime mocks before the run harness starts, so the harness, the
// entry and the program all run unchanged. When PULUMI_MOCK_REPORT names a file, the process writes the
// registered resources and the stack outputs (what the engine receives for the root stack) there on exit.
//
// Plain JavaScript on purpose: on a Node that cannot load TypeScript it still installs bare mocks, which is
// all the entry needs to get as far as refusing that Node.
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import * as pulumi from "@pulumi/pulumi";

const stackOutputsType = "pulumi:pulumi:Stack";

/** The language host's flags, as cmd/run reads them. */
const { values: flags } = parseArgs({
  args: process.argv.slice(2),
  options: { stack: { type: "string" } },
  strict: false,
  allowPositionals: true,
});

async function installMocks(stack) {
  if (process.features.typescript && typeof stack === "string") {
    const { installPulumiMocks } = await import("./pulumi-mocks.ts");
    const { readStackConfig } = await import("../synth.ts");
    return installPulumiMocks({ ...readStackConfig(stack), stack });
  }
  const resources = [];
  pulumi.runtime.setMocks({
    newResource: ({ type, name, inputs }) => {
      resources.push({ type, name, inputs });
      return { id: `${name}-id`, state: inputs };
    },
    call: ({ inputs }) => inputs,
  });
  return resources;
}

const resources = await installMocks(flags.stack);
const monitor = pulumi.runtime.getMonitor();
let stackOutputs;
const registerResourceOutputs = monitor.registerResourceOutputs.bind(monitor);
monitor.registerResourceOutputs = (request, callback) => {
  if (request.getUrn().includes(`::${stackOutputsType}::`)) stackOutputs = request.getOutputs()?.toJavaScript();
  registerResourceOutputs(request, callback);
};
// cmd/run asks the engine to wait for it before exiting; the mock monitor has no such call.
monitor.signalAndWaitForShutdown ??= (_request, callback) => callback(null, {});

const report = process.env.PULUMI_MOCK_REPORT;
if (report) {
  process.on("exit", () => {
    writeFileSync(
      report,
      JSON.stringify({
        stackOutputs,
        resources: resources.filter(({ type }) => type !== stackOutputsType).map(({ type, name }) => ({ type, name })),
      }),
    );
  });
}
