// The state machine as a graph, read from the rendered definition the engine runs: a node per state and an
// edge per way out of it (Next, a Choice's rules and Default, each Catch, each Retry as a loop), as the
// Step Functions console draws it. Top-level states only: the definition has no Parallel or Map states.
import type { DefinitionGraph, GraphEdge, GraphNode } from "./api-types.ts";

type State = Record<string, unknown>;

interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
}

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
}

const comparisonWords: Record<string, string> = {
  StringEquals: "==",
  NumericEquals: "==",
  BooleanEquals: "==",
  TimestampEquals: "==",
  NumericGreaterThan: ">",
  NumericGreaterThanEquals: ">=",
  NumericLessThan: "<",
  NumericLessThanEquals: "<=",
  StringGreaterThan: ">",
  StringLessThan: "<",
  TimestampGreaterThan: ">",
  TimestampLessThan: "<",
};

/** A Choice rule as one line: `$.tool.result.success == false and $.x present and not (...)`. */
export function describeChoiceRule(rule: Record<string, unknown>): string {
  if (Array.isArray(rule.And)) return rule.And.map((part) => describeChoiceRule(part)).join(" and ");
  if (Array.isArray(rule.Or)) return `(${rule.Or.map((part) => describeChoiceRule(part)).join(" or ")})`;
  if (rule.Not && typeof rule.Not === "object") return `not ${describeChoiceRule(rule.Not as Record<string, unknown>)}`;
  const variable = String(rule.Variable ?? "?");
  for (const [key, value] of Object.entries(rule)) {
    if (key === "Variable" || key === "Next") continue;
    if (key === "IsPresent") return `${variable} ${value ? "present" : "absent"}`;
    if (key === "IsNull") return `${variable} ${value ? "is" : "is not"} null`;
    const path = key.endsWith("Path");
    const operator = comparisonWords[path ? key.slice(0, -4) : key] ?? key;
    return `${variable} ${operator} ${path ? String(value) : JSON.stringify(value)}`;
  }
  return variable;
}

const retryTitle = (retrier: Retrier) =>
  `Retry on ${retrier.ErrorEquals.join(", ")}: up to ${retrier.MaxAttempts ?? 3} attempts, ` +
  `${retrier.IntervalSeconds ?? 1} s apart, x${retrier.BackoffRate ?? 2}`;

export function definitionGraph(definition: { StartAt: string; States: Record<string, State> }): DefinitionGraph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  for (const [name, state] of Object.entries(definition.States)) {
    const type = String(state.Type);
    nodes.push({
      id: name,
      type,
      ...(typeof state.Comment === "string" ? { comment: state.Comment } : {}),
      end: state.End === true || type === "Succeed" || type === "Fail",
    });
    if (typeof state.Next === "string") {
      edges.push({ id: `${name}->${state.Next}:next`, from: name, to: state.Next, kind: "next" });
    }
    if (type === "Choice") {
      const choices = (state.Choices ?? []) as Record<string, unknown>[];
      choices.forEach((rule, index) => {
        edges.push({
          id: `${name}->${String(rule.Next)}:choice${index}`,
          from: name,
          to: String(rule.Next),
          kind: "choice",
          label: `rule ${index + 1}`,
          title: describeChoiceRule(rule),
        });
      });
      if (typeof state.Default === "string") {
        edges.push({
          id: `${name}->${state.Default}:default`,
          from: name,
          to: state.Default,
          kind: "default",
          label: "Default",
          title: "when no rule matches",
        });
      }
    }
    ((state.Catch ?? []) as Catcher[]).forEach((catcher, index) => {
      edges.push({
        id: `${name}->${catcher.Next}:catch${index}`,
        from: name,
        to: catcher.Next,
        kind: "catch",
        label: catcher.ErrorEquals.join(", "),
        errorEquals: catcher.ErrorEquals,
        title: `Catch ${catcher.ErrorEquals.join(", ")}${catcher.ResultPath === undefined ? "" : ` into ${String(catcher.ResultPath)}`}`,
      });
    });
    ((state.Retry ?? []) as Retrier[]).forEach((retrier, index) => {
      edges.push({
        id: `${name}->${name}:retry${index}`,
        from: name,
        to: name,
        kind: "retry",
        label: `retry ${retrier.ErrorEquals.length > 1 ? `${retrier.ErrorEquals.length} errors` : retrier.ErrorEquals[0]}`,
        title: retryTitle(retrier),
        errorEquals: retrier.ErrorEquals,
      });
    });
  }
  return { startAt: definition.StartAt, nodes, edges };
}
