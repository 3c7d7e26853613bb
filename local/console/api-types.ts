// What the console's server answers and its page reads: one set of shapes for both sides, free of Node
// types so the browser bundle can import it.

/** TIMED_OUT: stopped by the execution time limit (States.Timeout), as Express stops one at five minutes. */
export type ExecutionStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT";

export interface ExecutionSummary {
  /** The execution's name: the last part of its ARN, unique, safe in a URL. */
  id: string;
  executionArn: string;
  actionIntentId: string;
  tenantId: string;
  accountId: string;
  /** Known once StartExecution has read the intent. */
  actionType?: string;
  status: ExecutionStatus;
  /** The state it is in, or the last one it entered. */
  state?: string;
  startedAt: number;
  endedAt?: number;
  /** Retries over all its states. */
  retries: number;
  /** The execution's own error (the Fail state's), when it failed. */
  error?: string;
  /** The outcome's error class, once recorded: KILL_SWITCH, EXPIRED, DOWNSTREAM... */
  errorClass?: string;
  /** Kept only as the trace of an earlier run of the engine: no transitions, states from the trace. */
  earlierRun?: boolean;
}

export interface ExecutionFilter {
  tenant?: string;
  account?: string;
  status?: ExecutionStatus;
  actionType?: string;
}

export interface ExecutionPage {
  executions: ExecutionSummary[];
  /** How many executions match the filter in all. */
  total: number;
  /** Pass as `before` for the next (older) page; absent on the last page. */
  next?: string;
  /** Values seen so far, for the filter's choices. */
  facets: { tenants: string[]; accounts: string[]; actionTypes: string[] };
}

/** Every edge kind the Step Functions console draws, Retry as a loop on its state. */
export type EdgeKind = "next" | "default" | "choice" | "catch" | "retry";

export interface GraphNode {
  id: string;
  type: string;
  comment?: string;
  end: boolean;
}

export interface GraphEdge {
  id: string;
  from: string;
  to: string;
  kind: EdgeKind;
  /** Short, drawn on the edge. */
  label?: string;
  /** Full rule: a Choice's condition, a Catch's or Retry's errors and settings. */
  title?: string;
  /** A Catch's or Retry's error names. */
  errorEquals?: string[];
}

export interface DefinitionGraph {
  startAt: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export type VisitOutcome = "succeeded" | "caught" | "failed" | "running";

export interface StateVisitView {
  state: string;
  type: string;
  enteredAt?: number;
  exitedAt?: number;
  input?: unknown;
  output?: unknown;
  errors: { error: string; cause: string; at?: number }[];
  retries: number;
  caughtInto?: string;
  outcome: VisitOutcome;
}

export interface PathView {
  /** The states entered, in order. */
  path: string[];
  /** Ids of the edges the execution took, retries included. */
  edgesTaken: string[];
  /** Per state entered: how often, its retries, and how its last visit ended. */
  states: Record<string, { visits: number; retries: number; outcome: VisitOutcome }>;
  /** The state whose error ended the work: caught into the failure path, or failing the execution. */
  failingState?: string;
  visits: StateVisitView[];
}

export type SpanKind = "state-machine" | "lambda" | "handler" | "dynamodb" | "s3" | "gateway" | "http" | "other";

export interface TraceSpan {
  id: string;
  parentId?: string;
  depth: number;
  name: string;
  kind: SpanKind;
  /** Milliseconds from the trace's start. */
  offsetMs: number;
  /** Undefined while in progress. */
  durationMs?: number;
  /** The operation or request: `PutItem`, `POST https://.../mcp -> 200`. */
  detail?: string;
  state?: string;
  fault?: boolean;
  error?: boolean;
  throttle?: boolean;
  annotations?: Record<string, string | number | boolean>;
}

export interface TraceView {
  traceId: string;
  startTime: number;
  durationMs?: number;
  spans: TraceSpan[];
}

export interface LogLineView {
  functionId: string;
  level: string;
  /** Milliseconds since the epoch, when the line says. */
  time?: number;
  message: string;
  record: Record<string, unknown>;
}

export interface OutcomeView {
  /** The execution record: attempt and outcome (status, error class, refs, compensation). */
  record?: Record<string, unknown>;
  intent?: Record<string, unknown>;
  ledger?: Record<string, unknown>;
  signal?: Record<string, unknown>;
  rawReply?: { reference: string; contentType?: string; body: string } | { reference: string; unreadable: string };
}

export interface ExecutionDetail {
  summary: ExecutionSummary;
  input: unknown;
  output?: unknown;
  cause?: string;
  transitions: { state: string; event: string; detail?: string; at?: number }[];
  path: PathView;
  trace?: TraceView;
  logs: LogLineView[];
  outcome: OutcomeView;
}

export type AlarmStateName = "OK" | "ALARM" | "INSUFFICIENT_DATA";

export interface AlarmPeriod {
  start: number;
  end: number;
  value?: number;
  breaching?: boolean;
}

export interface AlarmView {
  id: string;
  name: string;
  description: string;
  state: AlarmStateName;
  reason: string;
  threshold: number;
  comparison: string;
  periodSeconds: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  evaluatedAt: number;
  /** What it reads: metric names, or the watched expression. */
  reads: string;
  /** Recent periods, oldest first, the latest `evaluationPeriods` of them deciding the state. */
  periods: AlarmPeriod[];
}

export interface ChartSeries {
  label: string;
  /** One per time of the widget; null where the period has no datapoint. */
  values: (number | null)[];
}

export type WidgetView =
  | {
      type: "metric";
      title: string;
      x: number;
      y: number;
      width: number;
      height: number;
      periodSeconds: number;
      /** Period starts, milliseconds since the epoch. */
      times: number[];
      series: ChartSeries[];
      thresholds: { label: string; value: number }[];
    }
  | {
      type: "alarm";
      title: string;
      x: number;
      y: number;
      width: number;
      height: number;
      alarms: { name: string; state: AlarmStateName }[];
    };

export interface DashboardView {
  widgets: WidgetView[];
}

export interface ControlsView {
  /** Absent: the global switch. */
  tenant?: string;
  killSwitch: boolean;
  disabledActionTypes: string[];
  reason?: string;
  updatedAt?: string;
  updatedBy?: string;
}

export interface OperateView {
  controls: ControlsView[];
  registry: Record<string, unknown>[];
}

/** An operator action's answer: what the CLI printed with --json, or its refusal. */
export interface ActionResult {
  ok: boolean;
  /** The CLI's exit code: 0 done, 1 the operation failed, 2 the request was wrong. */
  exitCode: number;
  result?: unknown;
  message?: string;
}

/** What the server pushes on its event stream. */
export interface ExecutionsEvent {
  executions: ExecutionSummary[];
}
