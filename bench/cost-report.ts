// The cost section of the benchmark's report: one line per workflow type and path against the original
// design's shape (what the README carries), the primary stack's breakdown, and the other stacks' totals.

import type { WorkflowType } from "../infra/workflow/workflow-type.ts";
import {
  type CostLines,
  type CostResult,
  costSummaryLines,
  type PathCost,
  primaryStack,
  type StackCost,
  scenarioOrder,
  workflowTypes,
} from "./cost.ts";
import type { ScenarioName } from "./executions.ts";
import { dollars, table } from "./markdown.ts";

const pathNames: Record<ScenarioName, string> = {
  happy: "happy path",
  preflightRejected: "preflight rejected",
  compensated: "compensated write",
};

function describe(cost: CostResult, stack: StackCost): string {
  const logging = stack.stateMachineLogging;
  const sampled = `${Math.round(stack.tracing.sampledFraction * 100)}%`;
  return (
    `${stack.stack} stack (deploys ${stack.deployedType}): ${stack.memoryMb.join("/")} MB, ${stack.architectures.join("/")}, ` +
    `functions logging at ${stack.logLevel}, state machine logging ${logging.level}` +
    `${logging.includeExecutionData ? " with execution data" : ""}, X-Ray on the state machine ` +
    `${stack.tracing.stateMachine ? "and" : "off,"} the status function ${stack.tracing.statusApi ? "Active" : "PassThrough (no traces of its own)"}, ` +
    `executions' sampling rule ${stack.tracing.samplingRule} (all from the synthesized stack). AWS list prices, ${cost.region}, checked ` +
    `${cost.pricesChecked} (bench/prices.json, with sources). Standard: the states each path entered when the rendered ` +
    `definition ran. Express: one request plus the duration measured on the local engine from the execution's start to ` +
    `the end (median of ${stack.paths.happy.durationsMs.length} executions per path), rounded up to 100 ms, x ` +
    `${stack.expressMemoryMb} MB (AWS's formula: 50 MB + the definition + the 256 KB payload limit, no Map or Parallel ` +
    `state; the execution's own memory is not observable locally). Lambda duration: ${cost.durationsSource}, rounded up ` +
    `to 1 ms, x memory. CloudWatch Logs: the bytes the functions wrote on the local engine at the stack's level (EMF ` +
    `lines included) and the state machine's own log lines the local engine wrote at its level. X-Ray: ${sampled} of executions traced at ${cost.executionsPerMonth.toLocaleString("en-US")} ` +
    `executions a month spread evenly, each recorded trace scanned once. ${cost.statusReadsPerExecution} status read per ` +
    `execution. The original design's shape is the seed's reference state machine (Standard, six Lambda tasks on its main ` +
    `line) run through the same interpreter, with the same functions' measured work except three separate recorder ` +
    `writes, no idempotency table and three GetItems per status read; its functions' log lines without EMF, and neither ` +
    `state machine logs nor X-Ray, which its CDK stack does not configure. Excluded: Lambda INIT and Lambda's platform log ` +
    `lines, custom metrics, alarms, dashboards, storage, transfer, the gateway; on AWS an Express execution also waits ` +
    `for each Lambda invoke's round trip, so it runs longer than here (every 100 ms adds ` +
    `${dollars(stack.expressPer100MsPerMillion)} per million).`
  );
}

const typeNames = { STANDARD: "Standard", EXPRESS: "Express" } as const;

function breakdown(stack: StackCost): string {
  const columns = scenarioOrder.flatMap((scenario) => {
    const path = stack.paths[scenario];
    return [
      ...workflowTypes.map((type) => ({
        label: `${pathNames[scenario]}, ${typeNames[type]}`,
        cost: path.ours[type],
        percent: path.percentOfSeed[type],
      })),
      { label: `${pathNames[scenario]}, original shape`, cost: path.seed, percent: 100 },
    ];
  });
  const line = (label: string, pick: (cost: PathCost) => string | number) => [
    label,
    ...columns.map((column) => pick(column.cost)),
  ];
  const money = (key: keyof CostLines) => (pathCost: PathCost) => dollars(pathCost.perMillion[key]);
  return table(
    ["per million executions", ...columns.map((column) => column.label)],
    [
      line("state transitions", (c) => c.transitions),
      line("Express billed ms x MB", (c) => (c.billedMs === undefined ? "" : `${c.billedMs} x ${c.billedMemoryMb}`)),
      line("Lambda invocations", (c) => c.lambdaInvocations),
      line("GB-seconds", (c) => c.gbSeconds),
      line("DynamoDB RRU / WRU", (c) => `${c.readUnits} / ${c.writeUnits}`),
      line("of which idempotency WRU", (c) => c.idempotencyWriteUnits),
      line("log bytes", (c) => c.logBytes),
      line("traces recorded", (c) => c.tracesRecorded),
      line("Step Functions", money("stepFunctions")),
      line("Lambda requests", money("lambdaRequests")),
      line("Lambda duration", money("lambdaDuration")),
      line("DynamoDB reads", money("dynamodbReads")),
      line("DynamoDB writes", money("dynamodbWrites")),
      line("S3 PUT", money("s3")),
      line("EventBridge", money("eventBridge")),
      line("CloudWatch Logs", money("logs")),
      line("X-Ray", money("xRay")),
      line("status read", money("statusReads")),
      line("**total**", (c) => `**${dollars(c.perMillion.total)}**`),
      ["of the original shape", ...columns.map((column) => `${column.percent}%`)],
    ],
  );
}

function volumes(stack: StackCost): string {
  const percent = (share: Record<WorkflowType, number>) => `Standard ${share.STANDARD}%, Express ${share.EXPRESS}%`;
  return (
    `A sampling rule's reservoir records a fixed number of executions each second and its rate a share of the rest: ` +
    `the happy path's share of the original shape at other volumes (${stack.stack}): ` +
    stack.happyAtVolumes
      .map(
        (row) =>
          `${(row.executionsPerMonth / 1_000_000).toLocaleString("en-US")} million a month ` +
          `(${Math.round(row.sampledFraction * 1000) / 10}% traced): ${percent(row.percentOfSeed)}`,
      )
      .join("; ") +
    "."
  );
}

export function renderCostSection(cost: CostResult): string[] {
  const primary = primaryStack(cost);
  if (!primary) return [];
  const others = cost.stacks.filter((stack) => stack !== primary);
  return [
    "### 7. Cost per million executions",
    costSummaryLines(primary)
      .map((line) => `- ${line}`)
      .join("\n"),
    describe(cost, primary),
    breakdown(primary),
    volumes(primary),
    ...others.map(
      (stack) =>
        `${stack.stack} stack (deploys ${stack.deployedType}; ${stack.memoryMb.join("/")} MB, functions at ${stack.logLevel}, ` +
        `state machine logging ${stack.stateMachineLogging.level}` +
        `${stack.stateMachineLogging.includeExecutionData ? " with execution data" : ""}), totals: ` +
        costSummaryLines(stack).join("; ") +
        ".",
    ),
  ];
}
