// The stack's alarms over the local engine's metrics: each alarm's state and reason as CloudWatch's next
// evaluation gives it, and its recent periods against the threshold. A click opens one alarm.
import { useEffect, useState } from "preact/hooks";
import type { AlarmView } from "../local/console/api-types.ts";
import { getJson } from "./api.ts";
import { Chart } from "./chart.tsx";
import { dateTime } from "./format.ts";
import { StatusBadge } from "./status-badge.tsx";

const REFRESH_MS = 5000;

function AlarmChart(props: { alarm: AlarmView; height?: number }) {
  const { alarm } = props;
  const times = alarm.periods.map((period) => period.start);
  const values = alarm.periods.map((period) => period.value ?? null);
  return (
    <Chart
      times={times}
      height={props.height}
      lines={[
        { label: "value per period", values },
        {
          label: "breaching",
          values: alarm.periods.map((period) => (period.breaching ? (period.value ?? null) : null)),
          pointsOnly: true,
          color: "#dc2626",
        },
      ]}
      thresholds={[{ label: `threshold (${alarm.comparison})`, value: alarm.threshold }]}
    />
  );
}

export function AlarmsScreen(props: { id?: string }) {
  const [alarms, setAlarms] = useState<AlarmView[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    const load = () =>
      getJson<AlarmView[]>("/api/alarms").then(
        (loaded) => {
          setAlarms(loaded);
          setError(undefined);
        },
        (failure: Error) => setError(failure.message),
      );
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  if (error && !alarms) return <p class="error">{error}</p>;
  if (!alarms) return <p class="muted">Loading…</p>;
  const open = props.id ? alarms.find((alarm) => alarm.id === props.id) : undefined;
  if (open) {
    return (
      <section class="alarm" data-alarm={open.id} data-state={open.state}>
        <div class="toolbar">
          <a href="#/alarms">← Alarms</a>
          <h2>{open.name}</h2>
          <StatusBadge status={open.state} />
        </div>
        <p>{open.description}</p>
        <p class="reason" data-part="reason">
          {open.reason}
        </p>
        <dl class="fields inline">
          <dt>reads</dt>
          <dd>{open.reads}</dd>
          <dt>period</dt>
          <dd>{open.periodSeconds} s</dd>
          <dt>alarms at</dt>
          <dd>
            {open.datapointsToAlarm} of {open.evaluationPeriods} periods {open.comparison} {open.threshold}
          </dd>
          <dt>evaluated</dt>
          <dd>{dateTime(open.evaluatedAt)}</dd>
        </dl>
        <AlarmChart alarm={open} height={260} />
        <table class="list">
          <thead>
            <tr>
              <th>Period</th>
              <th>Value</th>
              <th>Breaching</th>
            </tr>
          </thead>
          <tbody>
            {open.periods.toReversed().map((period) => (
              <tr key={period.start} class={period.breaching ? "breaching" : ""}>
                <td>
                  {dateTime(period.start)} – {dateTime(period.end).slice(11)}
                </td>
                <td>{period.value ?? "no data"}</td>
                <td>{period.breaching === undefined ? "" : period.breaching ? "yes" : "no"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    );
  }
  return (
    <section class="alarms">
      <div class="toolbar">
        <h2>Alarms</h2>
        <span class="muted">
          the stack's alarms, evaluated over the local engine's metrics every {REFRESH_MS / 1000} s
        </span>
      </div>
      {props.id && <p class="error">No alarm {props.id}.</p>}
      <div class="alarm-grid">
        {alarms.map((alarm) => (
          <a
            key={alarm.id}
            class={`card alarm-card state-${alarm.state.toLowerCase()}`}
            href={`#/alarms/${alarm.id}`}
            data-alarm={alarm.id}
            data-state={alarm.state}
          >
            <h4>
              {alarm.name} <StatusBadge status={alarm.state} />
            </h4>
            <p class="muted small">{alarm.reason}</p>
            <AlarmChart alarm={alarm} height={140} />
          </a>
        ))}
      </div>
    </section>
  );
}
