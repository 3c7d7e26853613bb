// The longest an execution of a definition can run: the longest path from StartAt to an end, each Task
// costing its TimeoutSeconds per attempt plus the un-jittered backoff its retriers allow. Express workflows
// stop after five minutes, so a definition that can run longer must not deploy as one.
//
// Retry semantics, from https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html:
// - each retrier keeps its own count (an error matching a retrier that reached its MaxAttempts goes to Catch),
//   so a task can be retried MaxAttempts times by every retrier in turn: the bound adds them all up;
// - the wait before retry k (0-based) of a retrier is IntervalSeconds * BackoffRate^k, capped by
//   MaxDelaySeconds; JitterStrategy FULL draws a wait between 0 and that, so the un-jittered wait bounds it;
// - defaults: IntervalSeconds 1, MaxAttempts 3, BackoffRate 2.0.
// A Task without TimeoutSeconds waits up to 99999999 s (the service default): the bound is then unbounded,
// naming the state. Pass, Choice, Succeed and Fail cost nothing; a Wait costs its Seconds.

type State = Record<string, unknown>;
export interface BoundedDefinition {
  StartAt: string;
  States: Record<string, State>;
}

/** One state on the worst path and what it adds. */
export interface StateCost {
  state: string;
  seconds: number;
  /** e.g. "7 x 60 s + 21 s backoff"; empty for states that cost nothing. */
  detail: string;
}

export type DurationBound =
  | { bounded: true; seconds: number; path: StateCost[] }
  | { bounded: false; reason: string; states: string[] };

interface Retrier {
  ErrorEquals?: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
}

/** The un-jittered waits one retrier allows, before each of its retries. */
export function retrierWaits(retrier: Retrier): number[] {
  const interval = retrier.IntervalSeconds ?? 1;
  const rate = retrier.BackoffRate ?? 2;
  const cap = retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY;
  return Array.from({ length: retrier.MaxAttempts ?? 3 }, (_, k) => Math.min(interval * rate ** k, cap));
}

class Unbounded extends Error {
  readonly reason: string;
  readonly states: string[];
  constructor(reason: string, states: string[]) {
    super(reason);
    this.reason = reason;
    this.states = states;
  }
}

function taskCost(name: string, state: State, scope: string): StateCost {
  const timeout = state.TimeoutSeconds;
  if (typeof timeout !== "number") {
    const why =
      state.TimeoutSecondsPath === undefined
        ? "a Task without TimeoutSeconds may run 99999999 s (the Step Functions default)"
        : "a Task's TimeoutSecondsPath is only known at run time";
    throw new Unbounded(why, [scope + name]);
  }
  const retriers = (state.Retry as Retrier[] | undefined) ?? [];
  const waits = retriers.flatMap(retrierWaits);
  const attempts = 1 + waits.length;
  const backoff = waits.reduce((sum, wait) => sum + wait, 0);
  return {
    state: scope + name,
    seconds: attempts * timeout + backoff,
    detail: `${attempts} x ${timeout} s${backoff ? ` + ${formatSeconds(backoff)} backoff` : ""}`,
  };
}

function waitCost(name: string, state: State, scope: string): StateCost {
  if (typeof state.Seconds !== "number") {
    throw new Unbounded("a Wait until a time or for a duration read at run time has no bound", [scope + name]);
  }
  return { state: scope + name, seconds: state.Seconds, detail: `wait ${state.Seconds} s` };
}

function parallelCost(name: string, state: State, scope: string): StateCost {
  const branches = (state.Branches as BoundedDefinition[]).map((branch, index) =>
    longestPath(branch, `${scope}${name}[${index}].`),
  );
  const slowest = Math.max(...branches.map((branch) => branch.seconds));
  const retries = { ...state, TimeoutSeconds: slowest };
  const cost = taskCost(name, retries, scope);
  return { ...cost, detail: `${cost.detail} (slowest branch)` };
}

function ownCost(name: string, state: State, scope: string): StateCost {
  switch (state.Type) {
    case "Task":
      return taskCost(name, state, scope);
    case "Wait":
      return waitCost(name, state, scope);
    case "Parallel":
      return parallelCost(name, state, scope);
    case "Map":
      throw new Unbounded("a Map state's item count is only known at run time", [scope + name]);
    default:
      return { state: scope + name, seconds: 0, detail: "" };
  }
}

/** The states an execution can enter next: Next, each Choice and its Default, each Catch. */
function successors(state: State): string[] {
  const choices = ((state.Choices as { Next: string }[] | undefined) ?? []).map((choice) => choice.Next);
  const catches = ((state.Catch as { Next: string }[] | undefined) ?? []).map((catcher) => catcher.Next);
  return [state.Next, ...choices, state.Default, ...catches].filter((next): next is string => typeof next === "string");
}

interface Path {
  seconds: number;
  path: StateCost[];
}

function longestPath(definition: BoundedDefinition, scope: string): Path {
  const memo = new Map<string, Path>();
  const visiting: string[] = [];
  const from = (name: string): Path => {
    const known = memo.get(name);
    if (known) return known;
    const loopsAt = visiting.indexOf(name);
    if (loopsAt >= 0) {
      throw new Unbounded(
        "the states form a cycle, which can repeat without end",
        [...visiting.slice(loopsAt), name].map((state) => scope + state),
      );
    }
    const state = definition.States[name];
    if (!state) throw new Error(`state machine definition names a state it does not define: ${scope}${name}`);
    visiting.push(name);
    const own = ownCost(name, state, scope);
    // Ties keep the first successor in definition order, so the reported path is stable.
    const rest = successors(state)
      .map(from)
      .reduce<Path | undefined>(
        (worst, next) => (worst && worst.seconds >= next.seconds ? worst : next),
        undefined,
      ) ?? {
      seconds: 0,
      path: [],
    };
    visiting.pop();
    const result = { seconds: own.seconds + rest.seconds, path: [own, ...rest.path] };
    memo.set(name, result);
    return result;
  };
  return from(definition.StartAt);
}

/** The definition's worst-case duration and the path that makes it, or why it has none. */
export function durationBound(definition: BoundedDefinition): DurationBound {
  try {
    return { bounded: true, ...longestPath(definition, "") };
  } catch (error) {
    if (error instanceof Unbounded) return { bounded: false, reason: error.reason, states: error.states };
    throw error;
  }
}

export function formatSeconds(seconds: number): string {
  return `${seconds.toLocaleString("en-US", { maximumFractionDigits: 3 })} s`;
}

/** "InvokeTool 7 x 60 s + 21 s backoff, ..." for the states on the path that cost anything. */
export function describePath(path: StateCost[]): string {
  return path
    .filter((cost) => cost.seconds > 0)
    .map((cost) => `${cost.state} ${cost.detail}`)
    .join(", ");
}
