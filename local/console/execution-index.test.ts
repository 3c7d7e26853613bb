// The executions list's join and paging: a summary from a live report (action type from StartExecution's
// output, error class from RecordFailure's), earlier runs from their traces, and pages of 10,000
// executions filtered and continued without gaps or repeats.
import { describe, expect, it } from "vitest";
import type { ExecutionReport } from "../state-machine.ts";
import type { TraceDocument } from "../xray-daemon.ts";
import { createExecutionIndex, summaryOfReport } from "./execution-index.ts";

const arn = (name: string) => `arn:aws:states:us-east-1:000000000000:execution:engine-local:${name}`;

function report(name: string, fields: Partial<ExecutionReport> = {}): ExecutionReport {
  return {
    executionArn: arn(name),
    input: { action_intent_id: `intent-${name}`, tenant_id: "tenant-a", account_id: "account-a" },
    status: "SUCCEEDED",
    path: [],
    transitions: [],
    history: { events: [], invocations: [] },
    visits: [],
    startedAt: 1_000,
    ...fields,
  };
}

const visit = (state: string, output: unknown) => ({
  state,
  type: "Task",
  enteredAt: 1,
  exitedAt: 2,
  input: {},
  output,
  errors: [],
  retries: 0,
});

describe("an execution's summary", () => {
  it("is RUNNING in its last state until the report ends, with the action type StartExecution read", () => {
    const running = report("r1", {
      path: ["StartExecution", "ValidatePreflight"],
      visits: [
        { ...visit("StartExecution", { start: { action_type: "CREATE_CRM_TASK" } }), retries: 1 },
        { ...visit("ValidatePreflight", undefined), exitedAt: undefined },
      ],
    });

    expect(summaryOfReport(running)).toMatchObject({
      id: "r1",
      actionIntentId: "intent-r1",
      status: "RUNNING",
      state: "ValidatePreflight",
      actionType: "CREATE_CRM_TASK",
      retries: 1,
    });
  });

  it("carries the error class RecordFailure recorded, once ended", () => {
    const ended = report("r2", {
      status: "FAILED",
      error: "ActionFailed",
      endedAt: 2_000,
      path: ["StartExecution", "ValidatePreflight", "RecordFailure", "ActionFailed"],
      visits: [visit("RecordFailure", { outcome: { status: "FAILED", error_class: "KILL_SWITCH" } })],
    });

    expect(summaryOfReport(ended)).toMatchObject({ status: "FAILED", errorClass: "KILL_SWITCH", endedAt: 2_000 });
  });
});

describe("the execution index", () => {
  it("lists an earlier run's execution from its state machine segment, unless this run knows it", () => {
    const index = createExecutionIndex();
    const segment = (name: string): TraceDocument => ({
      trace_id: `1-${name}`,
      id: `root-${name}`,
      name: "engine-local",
      origin: "AWS::StepFunctions::StateMachine",
      start_time: 10,
      end_time: 12,
      annotations: {
        action_intent_id: `intent-${name}`,
        tenant_id: "tenant-old",
        execution_arn: arn(name),
        status: "FAILED",
      },
      error: true,
      cause: { exceptions: [{ type: "ActionFailed", message: "" }] },
    });
    index.report(report("live"));

    index.earlierRun(segment("old"));
    index.earlierRun(segment("live"));
    index.earlierRun({ ...segment("lambda"), origin: "AWS::Lambda::Function" });

    expect(index.get("old")).toMatchObject({
      earlierRun: true,
      status: "FAILED",
      tenantId: "tenant-old",
      error: "ActionFailed",
      startedAt: 10_000,
      endedAt: 12_000,
    });
    expect(index.get("live")?.earlierRun).toBeUndefined();
    expect(index.size()).toBe(2);
  });

  it("keeps what was learnt from the record when a newer report comes", () => {
    const index = createExecutionIndex();
    index.report(report("e1", { status: "FAILED", endedAt: 5 }));
    index.enrich("e1", { errorClass: "DOWNSTREAM" });

    index.report(report("e1", { status: "FAILED", endedAt: 5 }));

    expect(index.get("e1")?.errorClass).toBe("DOWNSTREAM");
  });

  it("pages 10,000 executions newest first, filtered, each once", () => {
    // Prepare
    const index = createExecutionIndex();
    for (let n = 0; n < 10_000; n++) {
      index.report(
        report(`e${n}`, {
          input: { action_intent_id: `intent-${n}`, tenant_id: `tenant-${n % 4}`, account_id: `account-${n % 10}` },
          status: n % 3 === 0 ? "FAILED" : "SUCCEEDED",
          endedAt: n,
          startedAt: n,
          visits: [visit("StartExecution", { start: { action_type: n % 2 ? "CREATE_CRM_TASK" : "DEMO_SLOW" } })],
        }),
      );
    }

    // Act
    const seen: string[] = [];
    let before: string | undefined;
    let pages = 0;
    do {
      const page = index.page({ tenant: "tenant-1", status: "FAILED" }, { limit: 200, ...(before ? { before } : {}) });
      seen.push(...page.executions.map((execution) => execution.id));
      before = page.next;
      pages += 1;
    } while (before);

    // Assess
    const expected = Array.from({ length: 10_000 }, (_, n) => n)
      .filter((n) => n % 4 === 1 && n % 3 === 0)
      .reverse()
      .map((n) => `e${n}`);
    expect(seen).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 200));
    const first = index.page({ actionType: "DEMO_SLOW", account: "account-2" }, { limit: 3 });
    expect(first.executions.map((execution) => execution.id)).toEqual(["e9992", "e9982", "e9972"]);
    expect(first.total).toBe(1000);
    expect(first.facets.tenants).toEqual(["tenant-0", "tenant-1", "tenant-2", "tenant-3"]);
    expect(first.facets.actionTypes).toEqual(["CREATE_CRM_TASK", "DEMO_SLOW"]);
  });
});
