// Renders a run as markdown: bench/results.md, and the section the README carries.
import { type BudgetCheck, budgetLimits, checkBudgets, KB } from "./budgets.ts";
import type { RoundTrips } from "./call-log.ts";
import { renderCostSection } from "./cost-report.ts";
import { describeBound } from "./end-to-end.ts";
import type { ScenarioName } from "./executions.ts";
import { table } from "./markdown.ts";
import type { BenchResults } from "./results.ts";

const mark = (ok: boolean) => (ok ? "ok" : "**over**");
const kb = (bytes: number) => (bytes / KB).toFixed(1);

const scenarioNames: Record<ScenarioName, string> = {
  happy: "happy path",
  preflightRejected: "failure: preflight rejects",
  compensated: "failure: compensated write",
};

function budgetFor(checks: BudgetCheck[], budget: string, subject: string): string {
  const check = checks.find((candidate) => candidate.budget === budget && candidate.subject === subject);
  return check ? mark(check.ok) : "";
}

function roundTripCells(row: RoundTrips): (string | number)[] {
  return [row.DynamoDB, row.S3, row.EventBridge, row.HTTP, row.SecretsManager, `${row.readUnits} / ${row.writeUnits}`];
}

export function renderMarkdown(results: BenchResults): string {
  const checks = checkBudgets(results);
  const broken = checks.filter((check) => !check.ok);
  const { machine } = results;
  const out: string[] = [];
  out.push(
    `Run ${results.date.slice(0, 16).replace("T", " ")} UTC on ${machine.cpuModel} (${machine.cores} cores, ${machine.memoryGiB} GiB), ` +
      `Node ${machine.node}, ${machine.os}; took ${(results.seconds / 60).toFixed(1)} min. ` +
      `Budgets: ${checks.length - broken.length} of ${checks.length} hold` +
      (broken.length ? ` (over: ${[...new Set(broken.map((check) => check.budget))].join(", ")}).` : "."),
  );

  if (results.bundles) {
    out.push(
      "### 1. Bundles",
      `Each function's deployable bundle as \`pulumi up\` builds it (infra/bundle.ts: minified ESM, validators generated in). ` +
        `KB = 1024 bytes; gzip at zlib's default level. Budget ${kb(budgetLimits.bundleBytes)} KB, aim ${kb(budgetLimits.bundleAimBytes)} KB.`,
      table(
        ["function", "bytes", "KB", "gzip KB", "budget"],
        results.bundles.map((bundle) => [
          bundle.id,
          bundle.bytes,
          kb(bundle.bytes),
          kb(bundle.gzipBytes),
          budgetFor(checks, "bundle size", bundle.id),
        ]),
      ),
    );
  }

  if (results.coldImport) {
    const cold = results.coldImport;
    out.push(
      "### 2. Cold import",
      `A fresh \`node\` that imports the bundle (as \`<task root>/index.mjs\`, with the prod stack's environment ` +
        `and the Lambda runtime's init variables, so the tracer initializes) and exits; median of ${cold.runs} runs, ` +
        `interleaved with the floor \`node -e 0\` (**${cold.floorMs} ms** wall, **${cold.floorCpuMs} ms** CPU) and with each ` +
        `function's bare bundle (the same business function and clients, built by the same bundler without the ` +
        `Middy/Powertools pipeline). \`import()\` is the import alone, timed inside the process. CPU is every thread's, ` +
        `from the process itself. Budgets, on CPU (a process waiting for a core on a busy machine adds wall time, not ` +
        `CPU): at most ${budgetLimits.coldImportToFloor} x the floor's, and \`import()\` at most ` +
        `${budgetLimits.coldImportToBare} x the bare bundle's.`,
      table(
        [
          "function",
          "median ms",
          "import() ms",
          "CPU ms",
          "x floor",
          "import() CPU ms",
          "bare median ms",
          "bare import() CPU ms",
          "x bare",
          "budget",
        ],
        cold.functions.map((row) => [
          row.id,
          row.medianMs,
          row.importMs,
          row.cpuMs,
          row.ratio,
          row.importCpuMs,
          row.bareMedianMs,
          row.bareImportCpuMs,
          row.ratioToBare,
          [
            budgetFor(checks, "cold import x floor", row.id),
            budgetFor(checks, "cold import x bare bundle", row.id),
          ].join(" / "),
        ]),
      ),
    );
  }

  if (results.warmOverhead) {
    const warm = results.warmOverhead;
    out.push(
      "### 3. Warm overhead",
      `Per warm invocation, the handler (the Middy pipeline around the business function) against the bare business ` +
        `function, same input (the one the state machine gave it in a real execution), same clients, one process. ` +
        `The engines' real answers are recorded once and replayed in-process to both sides, so the milliseconds of ` +
        `network jitter do not drown the microseconds: everything the functions and the SDK do still runs. Median over ` +
        `${warm.rows[0]?.rounds ?? 0} alternating rounds of (handler - bare) per call; CPU is the same from process CPU time; ` +
        `spread is half the interquartile range of the rounds. Log level ${warm.logLevel} (prod), tracer ` +
        `${warm.tracerActive ? "active" : "inactive (no X-Ray daemon locally)"}. Budget: the overhead's CPU at most ` +
        `${budgetLimits.warmOverheadToBare} x the bare function's own CPU ("x bare").`,
      table(
        [
          "function",
          "path repeated",
          "handler us",
          "bare us",
          "overhead us",
          "spread us",
          "overhead CPU us",
          "bare CPU us",
          "x bare",
          "budget",
        ],
        warm.rows.map((row) => [
          row.id,
          row.path,
          row.handlerUs,
          row.bareUs,
          row.overheadUs,
          row.spreadUs,
          row.overheadCpuUs,
          row.bareCpuUs,
          row.overheadRatio,
          budgetFor(checks, "warm overhead / bare function", row.id),
        ]),
      ),
    );
  }

  if (results.statusApi) {
    out.push(
      "### 4. Status API",
      `autocannon (own process) against the local engine's HTTP API: JWT checked as API Gateway's authorizer does, ` +
        `the status-api bundle in its worker, DynamoDB Local behind it; one fixed token.`,
      table(
        ["read", "path", "connections", "requests", "req/s", "p50 ms", "p99 ms", "failures"],
        results.statusApi.map((row) => [
          row.name,
          `\`${row.path}\``,
          row.connections,
          row.requests,
          row.requestsPerSecond,
          row.p50Ms,
          row.p99Ms,
          row.failures,
        ]),
      ),
    );
  }

  if (results.endToEnd) {
    out.push(
      "### 5. End to end",
      `Local engine (rendered definition on aws-local-stepfunctions, each function from its bundle in a worker): ` +
        `PutEvents to the end of the execution, which follows RecordOutcome's write of the terminal status. ` +
        `Closed loops over pre-stored intents (CREATE_CRM_TASK), each row after warm-up executions at its own concurrency, ` +
        `in batches until the CPU per execution stopped falling (instances cold-started, each worker's V8 and DynamoDB ` +
        `Local's JVM compiled). CPU per execution from the kernel's accounting over the ` +
        `measured window: this Node process (engine, function workers, driver; of it the main thread, where every engine but ` +
        `the functions runs, the functions' worker threads, and V8's helper threads compiling and collecting for them all) and ` +
        `DynamoDB Local's JVM. CPU share: of the CPU the run could use (min(concurrency, cores) ` +
        `cores, less what other processes took), the share it used, or the main thread's busy share if higher. ` +
        `Budget: a share of at least ${budgetLimits.endToEndCpuShare}, so the rate is what its CPU cost allows, not waiting.`,
      table(
        [
          "concurrency",
          "warm-up executions",
          "executions",
          "seconds",
          "executions/s",
          "p50 ms",
          "p99 ms",
          "failures",
          "CPU ms/execution node",
          "of it main thread",
          "functions",
          "V8 helpers",
          "CPU ms/execution Java",
          "CPU share",
          "budget",
        ],
        results.endToEnd.map((row) => [
          row.concurrency,
          row.warmupExecutions,
          row.executions,
          row.seconds,
          row.executionsPerSecond,
          row.p50Ms,
          row.p99Ms,
          row.failures,
          row.nodeCpuMs,
          row.mainThreadCpuMs ?? "",
          row.functionsCpuMs ?? "",
          row.v8HelpersCpuMs ?? "",
          row.javaCpuMs ?? "",
          row.cpuShare ?? "",
          budgetFor(checks, "end to end: share of available CPU used", `concurrency ${row.concurrency}`),
        ]),
      ),
      results.endToEnd.map((row) => `- ${describeBound(row, machine.cores)}`).join("\n"),
    );
  }

  if (results.roundTrips) {
    const rt = results.roundTrips;
    const headers = ["per", "DynamoDB", "S3", "EventBridge", "HTTP", "Secrets Manager", "RRU / WRU"];
    out.push(
      "### 6. Round trips",
      `Counted, not estimated: a middleware on the functions' own SDK clients (DynamoDB, EventBridge) counts every ` +
        `attempt (and asks DynamoDB for the capacity it bills); Node's HTTP diagnostics channels count every request ` +
        `leaving the process, and the two counts ${rt.wireMismatches.length ? `**disagree**: ${rt.wireMismatches.join("; ")}` : "agree"}. ` +
        `S3 and Secrets Manager, called over signed fetch, are counted on the wire. HTTP = requests to ` +
        `the MCP gateway and its token endpoint. The rendered definition ran the handlers in-process; warm rows are the ` +
        `last of ${rt.runs.happy} (happy) or ${rt.runs.failures} runs${rt.inconsistentRuns.length ? ` (**runs differed**: ${rt.inconsistentRuns.join("; ")})` : ", all alike"}.`,
      table(headers, [
        ["happy-path execution, warm", ...roundTripCells(rt.paths.happy.total)],
        ["happy-path execution, first in a container", ...roundTripCells(rt.happyCold.total)],
        [scenarioNames.preflightRejected, ...roundTripCells(rt.paths.preflightRejected.total)],
        [scenarioNames.compensated, ...roundTripCells(rt.paths.compensated.total)],
        [`status read (${rt.statusRead.operations.join(", ")})`, ...roundTripCells(rt.statusRead)],
        [`list of ${rt.listRead.items} (${rt.listRead.operations.join(", ")})`, ...roundTripCells(rt.listRead)],
      ]),
      "Happy path, per function (warm):",
      table(
        ["state", "function", "calls", "DynamoDB writes", "ms (median)"],
        rt.paths.happy.perFunction.map((row) => [
          row.state,
          row.functionId,
          row.operations.join(", ") || (row.HTTP ? `${row.HTTP} HTTP` : "none"),
          row.dynamoWrites,
          rt.durationsMs[row.functionId as keyof typeof rt.durationsMs] ?? "",
        ]),
      ),
    );
  }

  if (results.cost) out.push(...renderCostSection(results.cost));

  out.push(
    "### Budgets",
    "`npm run bench -- --check` exits 1 when any is over; the test command checks the deterministic ones (sizes, round trips).",
    table(
      ["budget", "subject", "limit", "measured", ""],
      checks.map((check) => [check.budget, check.subject, check.limit, check.actual, mark(check.ok)]),
    ),
  );
  return `${out.join("\n\n")}\n`;
}
