// What the execution left behind, as the engine recorded it: the outcome (status, error class), the ledger
// entry, the signal, the external objects the tool wrote, the tool's raw reply from the artifacts bucket
// and the compensation.
import { Fragment } from "preact";
import type { ExecutionSummary, OutcomeView } from "../local/console/api-types.ts";
import { json } from "./format.ts";
import { StatusBadge } from "./status-badge.tsx";

function Fields(props: { fields: Record<string, unknown> }) {
  const present = Object.entries(props.fields).filter(([, value]) => value !== undefined && value !== "");
  return (
    <dl class="fields">
      {present.map(([name, value]) => (
        <Fragment key={name}>
          <dt>{name}</dt>
          <dd>
            {typeof value === "string" || typeof value === "number" ? (
              String(value)
            ) : (
              <code>{JSON.stringify(value)}</code>
            )}
          </dd>
        </Fragment>
      ))}
    </dl>
  );
}

function Raw(props: { title: string; value: unknown }) {
  if (props.value === undefined) return null;
  return (
    <details>
      <summary>{props.title}</summary>
      <pre>{json(props.value)}</pre>
    </details>
  );
}

/** The stored signal keeps the detail it published (schemas/events.ts SignalRecord). */
const signalDetail = (signal: Record<string, unknown>) => signal.detail as Record<string, unknown> | undefined;

/** JSON indented; an SSE reply (MCP Streamable HTTP) as the JSON of its data lines. */
function prettyBody(body: string): string {
  const data = /^data:/m.test(body)
    ? body
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).trim())
        .join("\n")
    : body;
  try {
    return json(JSON.parse(data));
  } catch {
    return body;
  }
}

export function Outcome(props: { outcome: OutcomeView; summary: ExecutionSummary }) {
  const { record, ledger, signal, rawReply, intent } = props.outcome;
  const ownRecord = record && record.execution_id === props.summary.executionArn;
  const refs = (record?.external_object_refs ?? []) as Record<string, unknown>[];
  return (
    <div class="outcome">
      <div class="outcome-grid">
        <section class="card" data-part="record">
          <h4>Outcome</h4>
          {!record && <p class="empty">No execution record: StartExecution has not written one.</p>}
          {record && !ownRecord && (
            <p class="note">
              The intent's record belongs to another execution (this one was a duplicate, or never owned it).
            </p>
          )}
          {record && (
            <>
              {typeof record.status === "string" && <StatusBadge status={record.status} />}
              <Fields
                fields={{
                  "error class": record.error_class,
                  "error code": record.error_code,
                  "error message": record.error_message,
                  tool: record.tool_name,
                  attempts: record.attempt_count,
                  "started at": record.started_at,
                  "completed at": record.completed_at,
                  "execution trace id": record.execution_trace_id,
                  "decision trace id": record.decision_trace_id,
                }}
              />
            </>
          )}
        </section>
        <section class="card" data-part="compensation">
          <h4>Compensation</h4>
          <Fields
            fields={{
              status: record?.compensation_status ?? "none recorded",
              reason: record?.compensation_reason,
            }}
          />
        </section>
        <section class="card" data-part="refs">
          <h4>External objects</h4>
          {refs.length === 0 ? (
            <p class="empty">The tool wrote nothing outside.</p>
          ) : (
            <ul class="refs">
              {refs.map((ref) => (
                <li key={JSON.stringify(ref)}>
                  <code>{JSON.stringify(ref)}</code>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section class="card" data-part="ledger">
          <h4>Ledger entry</h4>
          {ledger ? (
            <Fields fields={{ event: ledger.event_type, status: ledger.status, "occurred at": ledger.occurred_at }} />
          ) : (
            <p class="empty">None.</p>
          )}
          <Raw title="ledger entry" value={ledger} />
        </section>
        <section class="card" data-part="signal">
          <h4>Signal</h4>
          {signal ? (
            <Fields
              fields={{
                type: signalDetail(signal)?.signal_type,
                status: signalDetail(signal)?.status,
                id: signalDetail(signal)?.signal_id,
                "occurred at": signalDetail(signal)?.occurred_at,
              }}
            />
          ) : (
            <p class="empty">None.</p>
          )}
          <Raw title="signal" value={signal} />
        </section>
      </div>
      <section class="card" data-part="raw-reply">
        <h4>Raw tool reply</h4>
        {!rawReply && <p class="empty">No reply stored: the tool was not called, or failed before answering.</p>}
        {rawReply && (
          <>
            <p class="muted">
              <code>{rawReply.reference}</code>
              {"contentType" in rawReply && rawReply.contentType ? ` · ${rawReply.contentType}` : ""}
            </p>
            {"body" in rawReply ? <pre>{prettyBody(rawReply.body)}</pre> : <p class="error">{rawReply.unreadable}</p>}
          </>
        )}
      </section>
      <Raw title="execution record" value={record} />
      <Raw title="intent" value={intent} />
    </div>
  );
}
