// The console's graph and path joins: the definition's every way out of a state becomes an edge of its
// kind, and an execution's visits select the edges it took (Next, a Choice rule or Default, the Catch
// that matched, the Retry that ran), its retries and its failing state.
import { describe, expect, it } from "vitest";
import { loadTemplate } from "../../infra/workflow/definition.ts";
import type { EdgeKind } from "./api-types.ts";
import { definitionGraph, describeChoiceRule } from "./definition-graph.ts";
import { executionPath, type VisitRecord } from "./execution-path.ts";

/** A definition with every edge kind the Step Functions console draws, two retriers and two catchers. */
const definition = {
  StartAt: "Claim",
  States: {
    Claim: {
      Type: "Task",
      Resource: "arn:aws:lambda:us-east-1:000000000000:function:claim",
      Retry: [
        { ErrorEquals: ["Lambda.ServiceException"], MaxAttempts: 3 },
        { ErrorEquals: ["TransientError"], MaxAttempts: 2 },
      ],
      Catch: [
        { ErrorEquals: ["DuplicateApprovalError"], Next: "Duplicate" },
        { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "RecordFailure" },
      ],
      Next: "Decide",
    },
    Duplicate: { Type: "Succeed" },
    Decide: {
      Type: "Choice",
      Choices: [
        {
          And: [
            { Variable: "$.tool.success", BooleanEquals: false },
            { Not: { Variable: "$.strategy", StringEquals: "NONE" } },
          ],
          Next: "Compensate",
        },
      ],
      Default: "Record",
    },
    Compensate: { Type: "Pass", Next: "Record" },
    Record: { Type: "Pass", End: true },
    RecordFailure: { Type: "Pass", Next: "Failed" },
    Failed: { Type: "Fail", Error: "ActionFailed" },
  },
};

const visit = (state: string, fields: Partial<VisitRecord> = {}): VisitRecord => ({
  state,
  type: state === "Decide" ? "Choice" : state === "Failed" ? "Fail" : "Task",
  enteredAt: 1,
  exitedAt: 2,
  errors: [],
  retries: 0,
  ...fields,
});
const failure = (error: string) => ({ error, cause: `${error} happened`, at: 2 });

describe("the definition's graph", () => {
  const graph = definitionGraph(definition);
  const kinds = (from: string) => graph.edges.filter((edge) => edge.from === from).map((edge) => [edge.kind, edge.to]);

  it("has a node per state and an edge per Next, Choice rule, Default, Catch and Retry", () => {
    expect(graph.nodes.map((node) => node.id)).toEqual(Object.keys(definition.States));
    expect(kinds("Claim")).toEqual([
      ["next", "Decide"],
      ["catch", "Duplicate"],
      ["catch", "RecordFailure"],
      ["retry", "Claim"],
      ["retry", "Claim"],
    ]);
    expect(kinds("Decide")).toEqual([
      ["choice", "Compensate"],
      ["default", "Record"],
    ]);
    expect(graph.nodes.filter((node) => node.end).map((node) => node.id)).toEqual(["Duplicate", "Record", "Failed"]);
  });

  it("describes a Choice rule and a Catch in words", () => {
    const rule = graph.edges.find((edge) => edge.kind === "choice");
    expect(rule?.title).toBe('$.tool.success == false and not $.strategy == "NONE"');
    expect(describeChoiceRule({ Variable: "$.refs[0]", IsPresent: true })).toBe("$.refs[0] present");
    expect(graph.edges.find((edge) => edge.id === "Claim->RecordFailure:catch1")?.title).toBe(
      "Catch States.ALL into $.error",
    );
  });

  it("draws every transition of the engine's own definition", () => {
    const template = loadTemplate();
    const engineGraph = definitionGraph(template);
    const edgeSet = new Set(engineGraph.edges.map((edge) => `${edge.kind}:${edge.from}->${edge.to}`));
    const expected: string[] = [];
    for (const [name, state] of Object.entries(template.States)) {
      if (typeof state.Next === "string") expected.push(`next:${name}->${state.Next}`);
      if (typeof state.Default === "string") expected.push(`default:${name}->${state.Default}`);
      for (const rule of (state.Choices ?? []) as { Next: string }[]) expected.push(`choice:${name}->${rule.Next}`);
      for (const catcher of (state.Catch ?? []) as { Next: string }[]) expected.push(`catch:${name}->${catcher.Next}`);
      if (((state.Retry ?? []) as unknown[]).length) expected.push(`retry:${name}->${name}`);
    }
    expect([...edgeSet].sort()).toEqual([...new Set(expected)].sort());
    const kindsUsed = new Set<EdgeKind>(engineGraph.edges.map((edge) => edge.kind));
    expect([...kindsUsed].sort()).toEqual(["catch", "choice", "default", "next", "retry"]);
  });
});

describe("an execution's path", () => {
  const graph = definitionGraph(definition);

  it("follows Next and a Choice's Default, all states succeeded", () => {
    const path = executionPath(graph, [visit("Claim"), visit("Decide"), visit("Record")]);

    expect(path.edgesTaken).toEqual(["Claim->Decide:next", "Decide->Record:default"]);
    expect(path.failingState).toBeUndefined();
    expect(Object.values(path.states).map((state) => state.outcome)).toEqual(["succeeded", "succeeded", "succeeded"]);
  });

  it("takes the Choice rule that led to the next state", () => {
    const path = executionPath(graph, [visit("Claim"), visit("Decide"), visit("Compensate"), visit("Record")]);

    expect(path.edgesTaken).toContain("Decide->Compensate:choice0");
    expect(path.edgesTaken).not.toContain("Decide->Record:default");
  });

  it("counts retries on their state and marks the Retry that handled each error", () => {
    const claim = visit("Claim", { errors: [failure("TransientError"), failure("TransientError")], retries: 2 });

    const path = executionPath(graph, [claim, visit("Decide"), visit("Record")]);

    expect(path.states.Claim).toEqual({ visits: 1, retries: 2, outcome: "succeeded" });
    expect(path.edgesTaken).toContain("Claim->Claim:retry1");
    expect(path.edgesTaken).not.toContain("Claim->Claim:retry0");
  });

  it("takes the Catch that matched the error and marks the state that failed", () => {
    const claim = visit("Claim", { errors: [failure("KillSwitchError")], caughtInto: "RecordFailure" });
    const failed = visit("Failed", { errors: [failure("ActionFailed")], exitedAt: undefined });

    const path = executionPath(graph, [claim, visit("RecordFailure"), failed]);

    expect(path.edgesTaken).toEqual(["Claim->RecordFailure:catch1", "RecordFailure->Failed:next"]);
    expect(path.failingState).toBe("Claim");
    expect(path.states.Claim?.outcome).toBe("caught");
    expect(path.states.Failed?.outcome).toBe("failed");
  });

  it("takes a named Catch before States.ALL when both lead elsewhere", () => {
    const claim = visit("Claim", { errors: [failure("DuplicateApprovalError")], caughtInto: "Duplicate" });

    const path = executionPath(graph, [claim, visit("Duplicate")]);

    expect(path.edgesTaken).toEqual(["Claim->Duplicate:catch0"]);
  });

  it("shows a state still running as running", () => {
    const path = executionPath(graph, [visit("Claim"), visit("Decide"), visit("Record", { exitedAt: undefined })]);

    expect(path.states.Record?.outcome).toBe("running");
    expect(path.visits.at(-1)?.outcome).toBe("running");
  });
});
