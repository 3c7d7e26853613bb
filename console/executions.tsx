// The executions list: newest first, filtered by tenant, account, status and action type, one page at a
// time from the server, kept live by the event stream (new executions appear on the first page, listed
// ones change in place).
import { useEffect, useRef, useState } from "preact/hooks";
import type { ExecutionFilter, ExecutionPage, ExecutionStatus, ExecutionSummary } from "../local/console/api-types.ts";
import { getJson, onConnection, onExecutions } from "./api.ts";
import { dateTime, duration } from "./format.ts";
import { StatusBadge } from "./status-badge.tsx";

const PAGE_SIZE = 50;
const statuses: ExecutionStatus[] = ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT"];

const matches = (summary: ExecutionSummary, filter: ExecutionFilter) =>
  (!filter.tenant || summary.tenantId === filter.tenant) &&
  (!filter.account || summary.accountId === filter.account) &&
  (!filter.status || summary.status === filter.status) &&
  (!filter.actionType || summary.actionType === filter.actionType);

function query(filter: ExecutionFilter, before: string | undefined): string {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  for (const [name, value] of Object.entries(filter)) if (value) params.set(name, value);
  if (before) params.set("before", before);
  return `/api/executions?${params}`;
}

function FilterSelect(props: {
  label: string;
  name: keyof ExecutionFilter;
  values: string[];
  filter: ExecutionFilter;
  onChange: (filter: ExecutionFilter) => void;
}) {
  const current = props.filter[props.name] ?? "";
  return (
    <label>
      {props.label}{" "}
      <select
        name={props.name}
        value={current}
        onChange={(event) => props.onChange({ ...props.filter, [props.name]: event.currentTarget.value || undefined })}
      >
        <option value="">all</option>
        {[...new Set([...props.values, ...(current ? [current] : [])])].map((value) => (
          <option key={value} value={value}>
            {value}
          </option>
        ))}
      </select>
    </label>
  );
}

export function ExecutionsScreen() {
  const [filter, setFilter] = useState<ExecutionFilter>({});
  /** The cursors of the pages before this one: empty on the first (live) page. */
  const [cursors, setCursors] = useState<(string | undefined)[]>([]);
  const [page, setPage] = useState<ExecutionPage | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [connected, setConnected] = useState(false);
  /** Bumped to load the page again. */
  const [reloads, setReloads] = useState(0);
  const before = cursors.at(-1);
  const state = useRef({ filter, firstPage: true });
  state.current = { filter, firstPage: cursors.length === 0 };

  useEffect(() => {
    let current = true;
    getJson<ExecutionPage>(query(filter, before))
      .then((loaded) => {
        if (!current) return;
        setPage(loaded);
        setError(undefined);
      })
      .catch((failure: Error) => current && setError(failure.message));
    return () => {
      current = false;
    };
  }, [filter, before, reloads]);

  useEffect(() => onConnection(setConnected), []);
  // Listed executions change in place at once; one the page does not show yet (it just started) makes
  // the first page load again, at most twice a second, so order, count and paging stay the server's.
  useEffect(() => {
    let reload: ReturnType<typeof setTimeout> | undefined;
    const stop = onExecutions((changed) => {
      const { filter: active, firstPage } = state.current;
      setPage((shown) => {
        if (!shown) return shown;
        let rows = shown.executions;
        for (const summary of changed) {
          const at = rows.findIndex((row) => row.id === summary.id);
          if (at >= 0) rows = rows.with(at, summary);
          else if (firstPage && matches(summary, active))
            reload ??= setTimeout(() => {
              reload = undefined;
              setReloads((count) => count + 1);
            }, 500);
        }
        return rows === shown.executions ? shown : { ...shown, executions: rows };
      });
    });
    return () => {
      stop();
      clearTimeout(reload);
    };
  }, []);

  const changeFilter = (next: ExecutionFilter) => {
    setCursors([]);
    setFilter(next);
  };
  const facets = page?.facets ?? { tenants: [], accounts: [], actionTypes: [] };
  const pageNumber = cursors.length + 1;

  return (
    <section class="executions">
      <div class="toolbar">
        <h2>Executions</h2>
        <span class={connected ? "live on" : "live"} title="new executions and transitions arrive as they happen">
          {connected ? "live" : "reconnecting"}
        </span>
        <FilterSelect label="Tenant" name="tenant" values={facets.tenants} filter={filter} onChange={changeFilter} />
        <FilterSelect label="Account" name="account" values={facets.accounts} filter={filter} onChange={changeFilter} />
        <FilterSelect label="Status" name="status" values={statuses} filter={filter} onChange={changeFilter} />
        <FilterSelect
          label="Action type"
          name="actionType"
          values={facets.actionTypes}
          filter={filter}
          onChange={changeFilter}
        />
      </div>
      {error && <p class="error">{error}</p>}
      <table class="list">
        <thead>
          <tr>
            <th>Started</th>
            <th>Intent</th>
            <th>Tenant</th>
            <th>Account</th>
            <th>Action type</th>
            <th>Status</th>
            <th>State</th>
            <th>Retries</th>
            <th>Duration</th>
            <th>Error class</th>
          </tr>
        </thead>
        <tbody>
          {page?.executions.map((execution) => (
            <tr
              key={execution.id}
              data-execution={execution.id}
              data-intent={execution.actionIntentId}
              onClick={() => {
                location.hash = `#/executions/${execution.id}`;
              }}
            >
              <td>{dateTime(execution.startedAt)}</td>
              <td>
                <a href={`#/executions/${execution.id}`}>{execution.actionIntentId}</a>
              </td>
              <td>{execution.tenantId}</td>
              <td>{execution.accountId}</td>
              <td>{execution.actionType ?? ""}</td>
              <td>
                <StatusBadge status={execution.status} />
              </td>
              <td>{execution.state ?? (execution.earlierRun ? "(earlier run)" : "")}</td>
              <td>{execution.retries || ""}</td>
              <td>{execution.endedAt ? duration(execution.endedAt - execution.startedAt) : ""}</td>
              <td class="error-class">{execution.errorClass ?? execution.error ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {page && page.executions.length === 0 && <p class="empty">No execution matches.</p>}
      <div class="pager">
        <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
        <span>
          page {pageNumber} · {page?.total ?? 0} executions
        </span>
        <button type="button" disabled={!page?.next} onClick={() => page?.next && setCursors([...cursors, page.next])}>
          Older
        </button>
      </div>
    </section>
  );
}
