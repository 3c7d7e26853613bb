// Every execution the console knows, as one summary each: those of this run, followed live from their
// reports, and those of earlier runs on the same state directory, read from their traces. Filtered and
// paged newest first by a scan, which stays well under a millisecond per thousand executions.
import type { ExecutionReport } from "../state-machine.ts";
import type { TraceDocument } from "../xray-daemon.ts";
import type { ExecutionFilter, ExecutionPage, ExecutionSummary } from "./api-types.ts";

export const executionIdOf = (executionArn: string) => executionArn.slice(executionArn.lastIndexOf(":") + 1);

const field = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>(
    (current, key) => (current && typeof current === "object" ? (current as Record<string, unknown>)[key] : undefined),
    value,
  );
const text = (value: unknown) => (typeof value === "string" ? value : undefined);

/** The summary of an execution from its report so far (or its final one). */
export function summaryOfReport(report: ExecutionReport): ExecutionSummary {
  const input = report.input;
  // StartExecution puts the intent's action type at $.start; RecordFailure its outcome at $.outcome.
  const outputs = report.visits.map((visit) => visit.output);
  const actionType = outputs.map((output) => text(field(output, "start", "action_type"))).find(Boolean);
  const errorClass = outputs.map((output) => text(field(output, "outcome", "error_class"))).find(Boolean);
  return {
    id: executionIdOf(report.executionArn),
    executionArn: report.executionArn,
    actionIntentId: text(field(input, "action_intent_id")) ?? "?",
    tenantId: text(field(input, "tenant_id")) ?? "?",
    accountId: text(field(input, "account_id")) ?? "?",
    ...(actionType ? { actionType } : {}),
    status: report.endedAt === undefined ? "RUNNING" : report.status,
    ...(report.path.length ? { state: report.path.at(-1) } : {}),
    startedAt: report.startedAt,
    ...(report.endedAt === undefined ? {} : { endedAt: report.endedAt }),
    retries: report.visits.reduce((sum, visit) => sum + visit.retries, 0),
    ...(report.error ? { error: report.error } : {}),
    ...(errorClass ? { errorClass } : {}),
  };
}

/** The summary of an execution of an earlier run, from its state machine segment; none for other documents. */
export function summaryOfTrace(document: TraceDocument): ExecutionSummary | undefined {
  const annotations = document.annotations ?? {};
  const executionArn = text(annotations.execution_arn);
  if (document.origin !== "AWS::StepFunctions::StateMachine" || !executionArn) return undefined;
  const exception = field(document.cause, "exceptions") as { type?: string }[] | undefined;
  return {
    id: executionIdOf(executionArn),
    executionArn,
    actionIntentId: text(annotations.action_intent_id) ?? "?",
    tenantId: text(annotations.tenant_id) ?? "?",
    accountId: text(annotations.account_id) ?? "?",
    status: annotations.status === "SUCCEEDED" ? "SUCCEEDED" : "FAILED",
    startedAt: Math.round(document.start_time * 1000),
    ...(document.end_time === undefined ? {} : { endedAt: Math.round(document.end_time * 1000) }),
    retries: 0,
    ...(exception?.[0]?.type ? { error: exception[0].type } : {}),
    earlierRun: true,
  };
}

const matchesFilter = (summary: ExecutionSummary, filter: ExecutionFilter) =>
  (!filter.tenant || summary.tenantId === filter.tenant) &&
  (!filter.account || summary.accountId === filter.account) &&
  (!filter.status || summary.status === filter.status) &&
  (!filter.actionType || summary.actionType === filter.actionType);

export function createExecutionIndex() {
  /** In the order first seen, which is the order they started; `position` is the index in it. */
  const all: ExecutionSummary[] = [];
  const position = new Map<string, number>();
  const reports = new Map<string, ExecutionReport>();
  const facets = { tenants: new Set<string>(), accounts: new Set<string>(), actionTypes: new Set<string>() };

  const put = (summary: ExecutionSummary) => {
    const at = position.get(summary.id);
    if (at === undefined) {
      position.set(summary.id, all.length);
      all.push(summary);
    } else {
      // What was learnt apart from the report (the recorded error class) survives a newer report.
      all[at] = { ...all[at], ...summary };
    }
    facets.tenants.add(summary.tenantId);
    facets.accounts.add(summary.accountId);
    if (summary.actionType) facets.actionTypes.add(summary.actionType);
    return all[position.get(summary.id) as number] as ExecutionSummary;
  };

  return {
    /** Records an execution's report (live or final); answers its summary. */
    report(report: ExecutionReport): ExecutionSummary {
      reports.set(executionIdOf(report.executionArn), report);
      return put(summaryOfReport(report));
    },
    /** Adds what an earlier run's trace says of an execution this run has not seen. */
    earlierRun(document: TraceDocument): void {
      const summary = summaryOfTrace(document);
      if (summary && !position.has(summary.id)) put(summary);
    },
    /** Adds fields learnt elsewhere (the execution record), answering the updated summary. */
    enrich(id: string, fields: Partial<ExecutionSummary>): ExecutionSummary | undefined {
      const at = position.get(id);
      const summary = at === undefined ? undefined : all[at];
      return summary ? put({ ...summary, ...fields }) : undefined;
    },
    get: (id: string): ExecutionSummary | undefined => {
      const at = position.get(id);
      return at === undefined ? undefined : all[at];
    },
    reportOf: (id: string): ExecutionReport | undefined => reports.get(id),
    size: () => all.length,
    /** Newest first; `before` continues after the last execution of the previous page. */
    page(filter: ExecutionFilter, options: { before?: string; limit: number }): ExecutionPage {
      const start = options.before === undefined ? all.length - 1 : Number(options.before) - 1;
      const executions: ExecutionSummary[] = [];
      let total = 0;
      let next: string | undefined;
      for (let index = all.length - 1; index >= 0; index--) {
        const summary = all[index] as ExecutionSummary;
        if (!matchesFilter(summary, filter)) continue;
        total += 1;
        if (index > start) continue;
        if (executions.length < options.limit) executions.push(summary);
        else next ??= String(position.get((executions.at(-1) as ExecutionSummary).id));
      }
      const sorted = (values: Set<string>) => [...values].sort();
      return {
        executions,
        total,
        ...(next === undefined ? {} : { next }),
        facets: {
          tenants: sorted(facets.tenants),
          accounts: sorted(facets.accounts),
          actionTypes: sorted(facets.actionTypes),
        },
      };
    },
  };
}

export type ExecutionIndex = ReturnType<typeof createExecutionIndex>;
