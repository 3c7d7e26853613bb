// An execution's X-Ray trace as a timeline: one row per segment and subsegment in tree order, its bar
// placed by start and length on the trace's time axis, coloured by what it called, faults marked.
import type { TraceView } from "../local/console/api-types.ts";
import { duration } from "./format.ts";

export function TraceTimeline(props: { trace: TraceView | undefined }) {
  const { trace } = props;
  if (!trace) return <p class="empty">No trace yet: the functions' segments arrive as they run.</p>;
  const total = Math.max(
    1,
    trace.durationMs ?? Math.max(...trace.spans.map((span) => span.offsetMs + (span.durationMs ?? 0))),
  );
  return (
    <div class="trace">
      <p class="muted">
        trace <code>{trace.traceId}</code> · {duration(trace.durationMs)} · {trace.spans.length} segments and
        subsegments
      </p>
      <table class="timeline">
        <tbody>
          {trace.spans.map((span) => {
            const left = (span.offsetMs / total) * 100;
            const width = span.durationMs === undefined ? 100 - left : Math.max(0.4, (span.durationMs / total) * 100);
            const marks = [span.fault && "fault", span.error && "error", span.throttle && "throttle"].filter(Boolean);
            return (
              <tr key={span.id} class={`span span-${span.kind}`} data-kind={span.kind} data-span={span.name}>
                <td
                  class="span-name"
                  style={{ paddingLeft: `${span.depth * 14 + 4}px` }}
                  title={span.detail ?? span.name}
                >
                  {span.kind === "gateway" ? "MCP gateway" : span.name}
                  {span.state && <span class="muted"> ({span.state})</span>}
                  {span.detail && <span class="span-detail"> {span.detail}</span>}
                </td>
                <td class="span-bar">
                  <div
                    class={`bar${marks.length ? " bar-fault" : ""}${span.durationMs === undefined ? " bar-open" : ""}`}
                    style={{ left: `${left}%`, width: `${Math.min(width, 100 - left)}%` }}
                    title={`${span.name}: +${span.offsetMs} ms, ${span.durationMs ?? "in progress"} ms`}
                  />
                </td>
                <td class="span-duration">
                  {span.durationMs === undefined ? "…" : duration(span.durationMs)}
                  {marks.length > 0 && <span class="marks"> {marks.join(" ").toUpperCase()}</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
