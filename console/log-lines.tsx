// The functions' log lines of one execution (correlated by its trace ids), filterable by level; a click
// on a line shows the whole record Powertools wrote.
import { Fragment } from "preact";
import { useState } from "preact/hooks";
import type { LogLineView } from "../local/console/api-types.ts";
import { clockTime, json } from "./format.ts";

const LEVELS = ["DEBUG", "INFO", "WARN", "ERROR", "CRITICAL"];

export function LogLines(props: { logs: LogLineView[] }) {
  const [minimum, setMinimum] = useState("DEBUG");
  const [open, setOpen] = useState<number | undefined>();
  const rank = (level: string) => {
    const index = LEVELS.indexOf(level.toUpperCase());
    return index < 0 ? LEVELS.length : index;
  };
  const shown = props.logs.filter((line) => rank(line.level) >= rank(minimum));
  return (
    <div class="logs">
      <div class="toolbar">
        <label>
          Level at least{" "}
          <select name="level" value={minimum} onChange={(event) => setMinimum(event.currentTarget.value)}>
            {LEVELS.map((level) => (
              <option key={level} value={level}>
                {level}
              </option>
            ))}
          </select>
        </label>
        <span class="muted">
          {shown.length} of {props.logs.length} lines
        </span>
      </div>
      {props.logs.length === 0 && <p class="empty">No log lines carry this execution's trace id.</p>}
      <table class="list log-table">
        <tbody>
          {shown.map((line, index) => (
            <Fragment key={index}>
              <tr
                class={`log log-${line.level.toLowerCase()}`}
                data-level={line.level}
                onClick={() => setOpen(open === index ? undefined : index)}
              >
                <td class="nowrap">{line.time ? clockTime(line.time) : ""}</td>
                <td>
                  <span class={`level level-${line.level.toLowerCase()}`}>{line.level}</span>
                </td>
                <td class="nowrap">{line.functionId}</td>
                <td>{line.message}</td>
              </tr>
              {open === index && (
                <tr class="log-record">
                  <td colSpan={4}>
                    <pre>{json(line.record)}</pre>
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}
