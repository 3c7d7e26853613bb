// The path an execution took over the definition's graph: which edges it followed (the one to each next
// state, told apart by how it left: a Catch, a Choice rule or Default, or Next), which Retry loops it ran,
// how each state's last visit ended, and the state whose error ended the work.
import type { DefinitionGraph, GraphEdge, PathView, StateVisitView, VisitOutcome } from "./api-types.ts";

/** A state entry as the local state machine reports it (local/state-machine.ts StateVisit), before it is judged. */
export type VisitRecord = Omit<StateVisitView, "outcome">;

export function visitOutcome(visit: VisitRecord): VisitOutcome {
  if (visit.errors.length > visit.retries) return visit.caughtInto ? "caught" : "failed";
  return visit.exitedAt === undefined ? "running" : "succeeded";
}

/**
 * Step Functions' error matching: the name itself, States.ALL for any error, States.TaskFailed for any but
 * a timeout. https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */
const handles = (edge: GraphEdge, error: string) => {
  const names = edge.errorEquals ?? [];
  return (
    names.includes(error) ||
    names.includes("States.ALL") ||
    (names.includes("States.TaskFailed") && error !== "States.Timeout")
  );
};

function edgeBetween(edges: GraphEdge[], visit: VisitRecord, next: string): GraphEdge | undefined {
  const out = edges.filter((edge) => edge.from === visit.state && edge.to === next && edge.kind !== "retry");
  if (visit.caughtInto === next) {
    const lastError = visit.errors.at(-1)?.error ?? "";
    const catches = out.filter((edge) => edge.kind === "catch");
    return catches.find((edge) => handles(edge, lastError)) ?? catches[0];
  }
  // A Choice's rules come before its Default, as Step Functions evaluates them; the first to `next` is it.
  return out.find((edge) => edge.kind !== "catch");
}

/** The Retry loops a visit ran: for each retried error, the first retrier that handles it. */
function retriesRun(edges: GraphEdge[], visit: VisitRecord): string[] {
  const loops = edges.filter((edge) => edge.from === visit.state && edge.kind === "retry");
  return visit.errors.slice(0, visit.retries).flatMap(({ error }) => {
    const loop = loops.find((edge) => handles(edge, error));
    return loop ? [loop.id] : [];
  });
}

export function executionPath(graph: DefinitionGraph, visits: VisitRecord[]): PathView {
  const taken = new Set<string>();
  const states: PathView["states"] = {};
  let failingState: string | undefined;
  visits.forEach((visit, index) => {
    const outcome = visitOutcome(visit);
    const seen = states[visit.state];
    states[visit.state] = { visits: (seen?.visits ?? 0) + 1, retries: (seen?.retries ?? 0) + visit.retries, outcome };
    // The first error that retries did not absorb is where the work failed; what follows records it.
    if (outcome === "caught" || outcome === "failed") failingState ??= visit.state;
    for (const id of retriesRun(graph.edges, visit)) taken.add(id);
    const next = visits[index + 1];
    const edge = next && edgeBetween(graph.edges, visit, next.state);
    if (edge) taken.add(edge.id);
  });
  return {
    path: visits.map((visit) => visit.state),
    edgesTaken: [...taken],
    states,
    ...(failingState ? { failingState } : {}),
    visits: visits.map((visit): StateVisitView => ({ ...visit, outcome: visitOutcome(visit) })),
  };
}
