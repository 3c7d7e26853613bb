// The stack's CloudWatch dashboard, drawn from the same body the stack deploys: its widgets on the same
// 24-column grid, each metric widget's series with the local engine's datapoints, alarm widgets with the
// alarms' states.
import { useEffect, useState } from "preact/hooks";
import type { DashboardView, WidgetView } from "../local/console/api-types.ts";
import { getJson } from "./api.ts";
import { Chart } from "./chart.tsx";
import { StatusBadge } from "./status-badge.tsx";

const REFRESH_MS = 10_000;

function Widget(props: { widget: WidgetView }) {
  const { widget } = props;
  const style = {
    gridColumn: `${widget.x + 1} / span ${widget.width}`,
    gridRow: `${widget.y + 1} / span ${widget.height}`,
  };
  if (widget.type === "alarm") {
    return (
      <section class="card widget" style={style} data-widget={widget.title}>
        <h4>{widget.title}</h4>
        <div class="alarm-strip">
          {widget.alarms.map((alarm) => (
            <a key={alarm.name} href={`#/alarms/${alarm.name.replace(/^engine-local-/, "")}`}>
              <StatusBadge status={alarm.state} /> {alarm.name}
            </a>
          ))}
        </div>
      </section>
    );
  }
  return (
    <section class="card widget" style={style} data-widget={widget.title}>
      <h4>{widget.title}</h4>
      {widget.series.length === 0 ? (
        <p class="empty">No datapoints in the last {widget.times.length} periods.</p>
      ) : (
        <Chart times={widget.times} lines={widget.series} thresholds={widget.thresholds} height={150} />
      )}
    </section>
  );
}

/** CloudWatch's period override: each graph at its own period, or all at one. */
const periods = [
  { value: "", label: "as deployed" },
  { value: "60", label: "1 minute" },
  { value: "10", label: "10 seconds" },
];

export function DashboardScreen() {
  const [dashboard, setDashboard] = useState<DashboardView | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [period, setPeriod] = useState(new URLSearchParams(location.hash.split("?")[1]).get("period") ?? "");
  useEffect(() => {
    const load = () =>
      getJson<DashboardView>(`/api/dashboard${period ? `?period=${period}` : ""}`).then(
        (loaded) => {
          setDashboard(loaded);
          setError(undefined);
        },
        (failure: Error) => setError(failure.message),
      );
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => clearInterval(timer);
  }, [period]);
  if (error && !dashboard) return <p class="error">{error}</p>;
  if (!dashboard) return <p class="muted">Loading…</p>;
  return (
    <section class="dashboard">
      <div class="toolbar">
        <h2>Dashboard</h2>
        <span class="muted">the body the stack deploys, over the local engine's datapoints</span>
        <label>
          Period{" "}
          <select name="period" value={period} onChange={(event) => setPeriod(event.currentTarget.value)}>
            {periods.map((choice) => (
              <option key={choice.value} value={choice.value}>
                {choice.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div class="dashboard-grid">
        {dashboard.widgets.map((widget) => (
          <Widget key={`${widget.x}-${widget.y}`} widget={widget} />
        ))}
      </div>
    </section>
  );
}
