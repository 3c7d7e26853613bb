// A time-series chart drawn by uPlot: lines (and points, so a lone period shows) per series, dashed
// horizontal lines for thresholds. Redrawn when its data changes.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

export interface ChartLine {
  label: string;
  values: (number | null)[];
  /** Drawn as points only, in the colour given: e.g. the breaching periods of an alarm. */
  pointsOnly?: boolean;
  color?: string;
}

/** 1.2k, 120k, 3.4M: axis labels that fit. */
function compact(value: number): string {
  const size = Math.abs(value);
  if (size >= 1e6) return `${+(value / 1e6).toFixed(1)}M`;
  if (size >= 1e3) return `${+(value / 1e3).toFixed(1)}k`;
  return String(+value.toFixed(2));
}

const palette = ["#2563eb", "#16a34a", "#d97706", "#9333ea", "#0891b2", "#db2777", "#65a30d", "#dc2626", "#475569"];

export function Chart(props: {
  /** Milliseconds since the epoch, one per value. */
  times: number[];
  lines: ChartLine[];
  thresholds?: { label: string; value: number }[];
  height?: number;
  title?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const thresholds = props.thresholds ?? [];
    const data = [
      props.times.map((time) => time / 1000),
      ...props.lines.map((line) => line.values),
      ...thresholds.map((threshold) => props.times.map(() => threshold.value)),
    ] as uPlot.AlignedData;
    const series: uPlot.Series[] = [
      {},
      ...props.lines.map((line, index) => {
        const color = line.color ?? palette[index % palette.length];
        return line.pointsOnly
          ? { label: line.label, stroke: color, width: 0, points: { show: true, size: 9, fill: color } }
          : { label: line.label, stroke: color, width: 2, spanGaps: false, points: { show: true, size: 5 } };
      }),
      ...thresholds.map((threshold) => ({
        label: threshold.label || "threshold",
        stroke: "#dc2626",
        dash: [6, 4],
        width: 1.5,
        points: { show: false },
      })),
    ];
    const plot = new uPlot(
      {
        width: Math.max(240, element.clientWidth),
        height: props.height ?? 180,
        series,
        // Counts and durations: the axis starts at 0, so one lone datapoint does not fill the height.
        scales: { x: { time: true }, y: { range: (_plot, min, max) => [Math.min(0, min), max > 0 ? max * 1.15 : 1] } },
        axes: [{}, { size: 44, values: (_plot, ticks) => ticks.map(compact) }],
        legend: { show: true, live: false },
        cursor: { drag: { x: false, y: false } },
      },
      data,
      element,
    );
    return () => plot.destroy();
  }, [props.times, props.lines, props.thresholds, props.height]);
  return <div class="chart" ref={box} title={props.title} />;
}
