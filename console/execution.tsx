// One execution: its path over the state machine's graph (click a state for its input, output or error),
// its trace as a timeline, the functions' log lines carrying its trace ids, its outcome, and the history
// of its transitions. Reloaded as the event stream reports it moving.
import { useEffect, useState } from "preact/hooks";
import type { DefinitionGraph, ExecutionDetail, StateVisitView } from "../local/console/api-types.ts";
import { getJson, onExecutions } from "./api.ts";
import { clockTime, dateTime, duration, json } from "./format.ts";
import { LogLines } from "./log-lines.tsx";
import { Outcome } from "./outcome.tsx";
import { StateGraph } from "./state-graph.tsx";
import { StatusBadge } from "./status-badge.tsx";
import { TraceTimeline } from "./trace-timeline.tsx";

let graphRequest: Promise<DefinitionGraph> | undefined;
const definitionGraph = () => {
  graphRequest ??= getJson<DefinitionGraph>("/api/graph");
  return graphRequest;
};

function Visit(props: { visit: StateVisitView; index: number }) {
  const { visit } = props;
  return (
    <div class={`visit visit-${visit.outcome}`} data-visit={props.index}>
      <p>
        <strong>{visit.outcome}</strong>
        {visit.enteredAt !== undefined && ` · entered ${clockTime(visit.enteredAt)}`}
        {visit.exitedAt !== undefined &&
          visit.enteredAt !== undefined &&
          ` · ${duration(visit.exitedAt - visit.enteredAt)}`}
        {visit.retries > 0 && ` · retried ${visit.retries} time${visit.retries > 1 ? "s" : ""}`}
        {visit.caughtInto && ` · caught into ${visit.caughtInto}`}
      </p>
      {visit.errors.map((error, index) => (
        <p key={`${error.error}-${index}`} class="error" data-part="state-error">
          {index < visit.retries ? `attempt ${index + 1} failed (retried): ` : "failed: "}
          <code>{error.error}</code> {error.cause}
        </p>
      ))}
      {visit.input !== undefined && (
        <details open data-part="state-input">
          <summary>Input</summary>
          <pre>{json(visit.input)}</pre>
        </details>
      )}
      {visit.output !== undefined && (
        <details open data-part="state-output">
          <summary>Output</summary>
          <pre>{json(visit.output)}</pre>
        </details>
      )}
    </div>
  );
}

function StatePanel(props: { detail: ExecutionDetail; graph: DefinitionGraph; state: string | undefined }) {
  if (!props.state) return <p class="muted">Click a state for its input, output or error.</p>;
  const node = props.graph.nodes.find((candidate) => candidate.id === props.state);
  const visits = props.detail.path.visits.filter((visit) => visit.state === props.state);
  return (
    <div class="state-panel" data-selected-state={props.state}>
      <h4>
        {props.state} <span class="muted">{node?.type}</span>
      </h4>
      {node?.comment && <p class="muted">{node.comment}</p>}
      {visits.length === 0 && <p class="empty">This execution did not enter it.</p>}
      {props.detail.summary.earlierRun && visits.length > 0 && (
        <p class="note">From an earlier run's trace: inputs and outputs were not kept.</p>
      )}
      {visits.map((visit, index) => (
        <Visit key={`${visit.state}-${index}`} visit={visit} index={index} />
      ))}
    </div>
  );
}

export function ExecutionScreen(props: { id: string }) {
  const [detail, setDetail] = useState<ExecutionDetail | undefined>();
  const [graph, setGraph] = useState<DefinitionGraph | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [selected, setSelected] = useState<string | undefined>();
  const [version, setVersion] = useState(0);

  useEffect(() => {
    definitionGraph().then(setGraph, (failure: Error) => setError(failure.message));
  }, []);
  useEffect(() => {
    let current = true;
    getJson<ExecutionDetail>(`/api/executions/${props.id}`)
      .then((loaded) => {
        if (!current) return;
        setDetail(loaded);
        setError(undefined);
        setSelected((chosen) => chosen ?? loaded.path.failingState ?? loaded.path.path.at(-1));
      })
      .catch((failure: Error) => current && setError(failure.message));
    return () => {
      current = false;
    };
  }, [props.id, version]);
  // While it runs, each change the stream reports loads it again; its trace and logs follow shortly after
  // its end (segments travel over UDP), so it is loaded once more a second later.
  useEffect(() => {
    let late: ReturnType<typeof setTimeout> | undefined;
    const stop = onExecutions((changed) => {
      const mine = changed.find((summary) => summary.id === props.id);
      if (!mine) return;
      setVersion((count) => count + 1);
      if (mine.status !== "RUNNING") {
        clearTimeout(late);
        late = setTimeout(() => setVersion((count) => count + 1), 1000);
      }
    });
    return () => {
      stop();
      clearTimeout(late);
    };
  }, [props.id]);

  if (error && !detail) return <p class="error">{error}</p>;
  if (!detail || !graph) return <p class="muted">Loading…</p>;
  const { summary } = detail;
  return (
    <section class="execution" data-execution={summary.id} data-status={summary.status}>
      <div class="toolbar">
        <a href="#/executions">← Executions</a>
        <h2>{summary.actionIntentId}</h2>
        <StatusBadge status={summary.status} />
        {summary.errorClass && <span class="badge badge-class">{summary.errorClass}</span>}
      </div>
      <dl class="fields inline">
        <dt>tenant</dt>
        <dd>{summary.tenantId}</dd>
        <dt>account</dt>
        <dd>{summary.accountId}</dd>
        <dt>action type</dt>
        <dd>{summary.actionType ?? "?"}</dd>
        <dt>started</dt>
        <dd>{dateTime(summary.startedAt)}</dd>
        <dt>duration</dt>
        <dd>{summary.endedAt ? duration(summary.endedAt - summary.startedAt) : "running"}</dd>
        <dt>retries</dt>
        <dd>{summary.retries}</dd>
        {summary.error && (
          <>
            <dt>error</dt>
            <dd>
              {summary.error}
              {detail.cause ? `: ${detail.cause}` : ""}
            </dd>
          </>
        )}
      </dl>
      <p class="muted small">{summary.executionArn}</p>
      {summary.earlierRun && (
        <p class="note">
          This execution ran before the engine last started: its path is read back from its trace, Task states only.
        </p>
      )}

      <h3>Path</h3>
      <div class="path-view">
        <div class="graph-box">
          <StateGraph graph={graph} path={detail.path} selected={selected} onSelect={setSelected} />
          <p class="legend">
            <span class="key taken">path taken</span>
            <span class="key next">Next</span>
            <span class="key choice">Choice rule / Default</span>
            <span class="key catch">Catch</span>
            <span class="key retry">Retry</span>
            <span class="key failing">failing state</span>
          </p>
        </div>
        <StatePanel detail={detail} graph={graph} state={selected} />
      </div>

      <h3>Trace</h3>
      <TraceTimeline trace={detail.trace} />

      <h3>Logs</h3>
      <LogLines logs={detail.logs} />

      <h3>Outcome</h3>
      <Outcome outcome={detail.outcome} summary={summary} />

      <h3>History</h3>
      <table class="list history">
        <tbody>
          {detail.transitions.map((transition, index) => (
            <tr key={`${transition.state}-${index}`} class={`event-${transition.event}`}>
              <td class="nowrap">{transition.at ? clockTime(transition.at) : ""}</td>
              <td>{transition.event}</td>
              <td>{transition.state}</td>
              <td>{transition.detail ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
