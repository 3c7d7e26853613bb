// `npm run synth -- --stack <name>`: runs the Pulumi program under mocks with that stack's config file,
// no CLI and no credentials, and writes a review bundle to out/synth/<stack>/: every resource with its
// inputs, the rendered state machine definition, each role's policies, the alarms, the dashboard, and the
// workflow's type, logging, X-Ray sampling and worst-case duration (workflow.json, also printed).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { installPulumiMocks, outputValue, type RecordedResource } from "./testing/pulumi-mocks.ts";
import { type BoundedDefinition, describePath, durationBound, formatSeconds } from "./workflow/duration-bound.ts";
import { EXPRESS_MAX_SECONDS } from "./workflow/workflow-type.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

/** The stack's config as Pulumi hands it to a program: `project:key` to string, structured values as JSON. */
export function readStackConfig(stack: string): { project: string; config: Record<string, string> } {
  const project = (parse(readFileSync(`${root}/Pulumi.yaml`, "utf8")) as { name: string }).name;
  let file: string;
  try {
    file = readFileSync(`${root}/Pulumi.${stack}.yaml`, "utf8");
  } catch {
    throw new Error(`no stack config Pulumi.${stack}.yaml next to Pulumi.yaml`);
  }
  const values = ((parse(file) as { config?: Record<string, unknown> }).config ?? {}) as Record<string, unknown>;
  const config = Object.fromEntries(
    Object.entries(values).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]),
  );
  return { project, config };
}

function write(directory: string, file: string, value: unknown) {
  writeFileSync(`${directory}/${file}`, `${typeof value === "string" ? value : JSON.stringify(value, null, 2)}\n`);
}

const parsePolicy = (value: unknown) => (typeof value === "string" ? JSON.parse(value) : value);

export async function synth(stack: string) {
  const { project, config } = readStackConfig(stack);
  const resources: RecordedResource[] = installPulumiMocks({ project, stack, config });
  const program = (await import("./index.ts")) as Record<string, unknown>;
  const outputs = Object.fromEntries(
    await Promise.all(
      Object.entries(program).map(
        async ([name, value]) => [name, await outputValue(value as pulumi.Input<unknown>)] as const,
      ),
    ),
  );
  await pulumi.runtime.disconnect();

  const directory = `${root}/out/synth/${stack}`;
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(`${directory}/policies`, { recursive: true });
  write(
    directory,
    "resources.json",
    resources.map(({ type, name, inputs }) => ({ type, name, inputs })),
  );
  write(directory, "outputs.json", outputs);
  const stateMachine = resources.find((resource) => resource.type === "aws:sfn/stateMachine:StateMachine");
  write(directory, "state-machine.asl.json", String(stateMachine?.inputs.definition ?? "{}"));
  for (const resource of resources) {
    if (resource.type === "aws:iam/rolePolicy:RolePolicy" || resource.type === "aws:sqs/queuePolicy:QueuePolicy") {
      write(`${directory}/policies`, `${resource.name}.json`, parsePolicy(resource.inputs.policy));
    }
    if (resource.type === "aws:iam/role:Role") {
      write(`${directory}/policies`, `${resource.name}.trust.json`, parsePolicy(resource.inputs.assumeRolePolicy));
    }
  }
  write(
    directory,
    "alarms.json",
    resources
      .filter((resource) => resource.type === "aws:cloudwatch/metricAlarm:MetricAlarm")
      .map((alarm) => alarm.inputs),
  );
  const dashboard = resources.find((resource) => resource.type === "aws:cloudwatch/dashboard:Dashboard");
  write(directory, "dashboard.json", parsePolicy(dashboard?.inputs.dashboardBody ?? "{}"));
  const samplingRule = resources.find((resource) => resource.type === "aws:xray/samplingRule:SamplingRule");
  const workflow = workflowSummary(stateMachine, samplingRule);
  write(directory, "workflow.json", workflow);
  return { directory, resources, outputs, workflow };
}

/** The state machine's type, logging, sampling and worst-case duration, as the deployed definition has them. */
function workflowSummary(stateMachine: RecordedResource | undefined, samplingRule: RecordedResource | undefined) {
  const inputs = stateMachine?.inputs ?? {};
  const logging = (inputs.loggingConfiguration ?? {}) as { level?: string; includeExecutionData?: boolean };
  const bound = durationBound(JSON.parse(String(inputs.definition ?? "{}")) as BoundedDefinition);
  return {
    type: String(inputs.type),
    logLevel: logging.level,
    includeExecutionData: logging.includeExecutionData,
    tracing: (inputs.tracingConfiguration as { enabled?: boolean } | undefined)?.enabled === true,
    sampling: samplingRule
      ? `${samplingRule.inputs.reservoirSize}/s + ${Number(samplingRule.inputs.fixedRate) * 100}% (rule ${samplingRule.inputs.ruleName})`
      : "X-Ray's default rule",
    worstCase: bound.bounded
      ? { seconds: bound.seconds, path: describePath(bound.path) }
      : { seconds: null, reason: bound.reason, states: bound.states },
  };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { stack: { type: "string", default: "dev" } } });
  const stack = values.stack ?? "dev";
  const { directory, resources, outputs, workflow } = await synth(stack);
  const counts = new Map<string, number>();
  for (const resource of resources) counts.set(resource.type, (counts.get(resource.type) ?? 0) + 1);
  console.log(`stack ${stack}: ${resources.length} resources -> ${directory.slice(root.length)}`);
  for (const [type, count] of [...counts].sort()) console.log(`  ${String(count).padStart(3)}  ${type}`);
  console.log(
    `state machine: ${workflow.type}, logs ${workflow.logLevel}${workflow.includeExecutionData ? " with execution data" : ""}, X-Ray ${workflow.tracing ? `on, sampling ${workflow.sampling}` : "off"}; worst case ${workflow.worstCase.seconds === null ? "unbounded" : formatSeconds(workflow.worstCase.seconds)}${workflow.type === "EXPRESS" ? ` of Express's ${formatSeconds(EXPRESS_MAX_SECONDS)}` : ""}`,
  );
  console.log("outputs:");
  for (const [name, value] of Object.entries(outputs)) console.log(`  ${name}: ${JSON.stringify(value)}`);
  process.exit(0);
}
