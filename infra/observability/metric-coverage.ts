// Checks that every series an alarm or the dashboard reads exists: an engine metric must be one a handler
// emits, with the dimensions it is emitted with; an AWS metric must be one the service publishes, read by
// the dimensions it is published with. An alarm on a series nobody writes stays quiet forever.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { METRIC_SERVICE, Metric } from "../../functions/kernel/metric-names.ts";
import type { WorkflowType } from "../workflow/workflow-type.ts";
import { awsMetricCatalog, publishesStatesMetric } from "./aws-metrics.ts";

export interface SourceFile {
  path: string;
  text: string;
}

export interface MetricUse {
  namespace: string;
  metricName: string;
  /** A dimension with value `undefined` is one a SEARCH leaves open. */
  dimensions: Record<string, unknown>;
}

type MetricKey = keyof typeof Metric;

/** The non-test TypeScript sources under `directory` (the handlers and their kernel). */
export function readHandlerSources(directory: string): SourceFile[] {
  return readdirSync(directory, { recursive: true, encoding: "utf8" })
    .filter((path) => path.endsWith(".ts") && !path.endsWith(".test.ts") && !path.endsWith(".d.ts"))
    .sort()
    .map((path) => ({ path, text: readFileSync(join(directory, path), "utf8") }));
}

function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
}

/**
 * Names of the metrics some source uses as a value: `Metric.<Key>` outside comments and `typeof` types
 * (`metrics.addMetric(Metric.X.name, ...)`, or `Metric.X` handed to a helper that emits it).
 */
export function emittedMetricNames(sources: readonly SourceFile[]): Set<string> {
  const names = new Set<string>();
  for (const source of sources) {
    for (const match of withoutComments(source.text).matchAll(/(?<!typeof\s+)\bMetric\.([A-Za-z]+)\b/g)) {
      const key = match[1] as string;
      if (Object.hasOwn(Metric, key)) names.add(Metric[key as MetricKey].name);
    }
  }
  return names;
}

/** One message per use that reads a series no handler or AWS service writes; empty when all is well. */
export function metricProblems(
  uses: readonly MetricUse[],
  context: {
    engineNamespace: string;
    emitted: ReadonlySet<string>;
    /** The watched state machine's type: AWS/States publishes less for EXPRESS. STANDARD when absent. */
    workflowType?: WorkflowType;
  },
): string[] {
  const engineMetrics = new Map(Object.values(Metric).map((metric) => [metric.name as string, metric]));
  return uses.flatMap((use): string[] => {
    const where = `${use.namespace}/${use.metricName}`;
    const dimensionNames = Object.keys(use.dimensions).sort();
    if (use.namespace === context.engineNamespace) {
      const metric = engineMetrics.get(use.metricName);
      if (!metric) return [`${where} is not in functions/kernel/metric-names.ts`];
      if (!context.emitted.has(use.metricName)) return [`${where} is declared but no handler emits it`];
      const expected = ["service", ...("dimension" in metric ? [metric.dimension] : [])].sort();
      if (dimensionNames.join() !== expected.join()) {
        return [`${where} is read by [${dimensionNames}] but emitted with [${expected}]`];
      }
      const service = use.dimensions.service;
      if (service !== undefined && service !== METRIC_SERVICE) {
        return [`${where} is read with service "${String(service)}" but emitted with "${METRIC_SERVICE}"`];
      }
      return [];
    }
    const published = (
      awsMetricCatalog as Record<string, { dimensions: readonly string[]; metrics: readonly string[] }>
    )[use.namespace];
    if (!published) return [`${where} is neither the engine's namespace nor an AWS namespace this stack reads`];
    if (!published.metrics.includes(use.metricName)) return [`${where} is not a metric ${use.namespace} publishes`];
    const workflowType = context.workflowType ?? "STANDARD";
    if (use.namespace === "AWS/States" && !publishesStatesMetric(workflowType, use.metricName)) {
      return [`${where} is not published for ${workflowType} state machines`];
    }
    if (dimensionNames.join() !== [...published.dimensions].sort().join()) {
      return [`${where} is read by [${dimensionNames}] but published per [${published.dimensions}]`];
    }
    return [];
  });
}
