// The state machine drawn from the rendered definition: dagre lays it out top to bottom (as the Step
// Functions console does), this draws it as SVG. Edges are styled by kind (Next, Choice rule, Default,
// Catch, Retry loop); the execution's path, its retries and its failing state are marked on top.
import { Graph, layout } from "@dagrejs/dagre";
import { useMemo } from "preact/hooks";
import type { DefinitionGraph, GraphEdge, PathView } from "../local/console/api-types.ts";

const NODE_HEIGHT = 38;
const CHAR_WIDTH = 7.4;

/** Next edges speak for themselves, and a Catch of States.ALL is every catch's meaning: neither is labelled. */
const edgeLabel = (edge: GraphEdge) =>
  edge.kind === "next" || edge.kind === "retry" || (edge.kind === "catch" && edge.label === "States.ALL")
    ? undefined
    : edge.label;

interface Placed {
  nodes: { id: string; type: string; x: number; y: number; width: number; height: number; comment?: string }[];
  edges: { edge: GraphEdge; points: { x: number; y: number }[]; label?: { x: number; y: number } }[];
  width: number;
  height: number;
}

function place(graph: DefinitionGraph): Placed {
  const g = new Graph({ multigraph: true });
  g.setGraph({ rankdir: "TB", nodesep: 56, ranksep: 44, edgesep: 14, marginx: 48, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) {
    const width = Math.max(110, node.id.length * CHAR_WIDTH + 36);
    g.setNode(node.id, { width, height: NODE_HEIGHT });
  }
  // Retry loops are drawn on their state's side below, not routed: dagre would send them around the graph.
  for (const edge of graph.edges.filter((candidate) => candidate.kind !== "retry")) {
    const labelled = edgeLabel(edge);
    g.setEdge(
      edge.from,
      edge.to,
      labelled
        ? { width: labelled.length * 6 + 8, height: 14, labelpos: "c", minlen: 1 }
        : { width: 0, height: 0, minlen: 1 },
      edge.id,
    );
  }
  layout(g);
  const label = g.graph();
  return {
    nodes: graph.nodes.map((node) => {
      const placed = g.node(node.id);
      return {
        id: node.id,
        type: node.type,
        x: placed.x,
        y: placed.y,
        width: placed.width,
        height: placed.height,
        ...(node.comment ? { comment: node.comment } : {}),
      };
    }),
    edges: graph.edges
      .filter((edge) => edge.kind !== "retry")
      .map((edge) => {
        const placed = g.edge({ v: edge.from, w: edge.to, name: edge.id });
        const points = placed?.points ?? [];
        return {
          edge,
          points,
          ...(placed?.x !== undefined && placed.y !== undefined ? { label: { x: placed.x, y: placed.y } } : {}),
        };
      }),
    width: label.width ?? 600,
    height: label.height ?? 400,
  };
}

const retryLoops = (graph: DefinitionGraph, state: string) =>
  graph.edges.filter((edge) => edge.kind === "retry" && edge.from === state);

/** A smooth path through dagre's points. */
function pathOf(points: { x: number; y: number }[]): string {
  const [first, ...rest] = points;
  if (!first) return "";
  if (rest.length === 1) return `M${first.x},${first.y} L${rest[0]?.x},${rest[0]?.y}`;
  let d = `M${first.x},${first.y}`;
  for (let index = 0; index < rest.length - 1; index++) {
    const control = rest[index] as { x: number; y: number };
    const next = rest[index + 1] as { x: number; y: number };
    const end = index === rest.length - 2 ? next : { x: (control.x + next.x) / 2, y: (control.y + next.y) / 2 };
    d += ` Q${control.x},${control.y} ${end.x},${end.y}`;
  }
  return d;
}

export function StateGraph(props: {
  graph: DefinitionGraph;
  path: PathView;
  selected?: string;
  onSelect: (state: string) => void;
}) {
  const placed = useMemo(() => place(props.graph), [props.graph]);
  const taken = new Set(props.path.edgesTaken);
  return (
    <svg
      class="state-graph"
      viewBox={`0 0 ${placed.width} ${placed.height}`}
      width={placed.width}
      height={placed.height}
      role="img"
      aria-label="state machine graph"
    >
      <defs>
        {["plain", "taken", "catch"].map((kind) => (
          <marker
            key={kind}
            id={`arrow-${kind}`}
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerUnits="userSpaceOnUse"
            markerWidth="10"
            markerHeight="10"
            orient="auto-start-reverse"
          >
            <path d="M0,0 L10,5 L0,10 z" class={`arrow arrow-${kind}`} />
          </marker>
        ))}
      </defs>
      {placed.edges.map(({ edge, points, label }) => {
        const isTaken = taken.has(edge.id);
        const marker = isTaken ? "taken" : edge.kind === "catch" ? "catch" : "plain";
        return (
          <g
            key={edge.id}
            class={`edge edge-${edge.kind}${isTaken ? " taken" : ""}`}
            data-edge={edge.id}
            data-kind={edge.kind}
            data-taken={isTaken ? "true" : "false"}
          >
            <title>{edge.title ?? edge.kind}</title>
            <path d={pathOf(points)} marker-end={`url(#arrow-${marker})`} />
            {label && edgeLabel(edge) && (
              <text x={label.x} y={label.y + 4} class="edge-label">
                {edgeLabel(edge)}
              </text>
            )}
          </g>
        );
      })}
      {placed.nodes.map((node) => {
        const state = props.path.states[node.id];
        const classes = [
          "node",
          `node-${node.type.toLowerCase()}`,
          state ? `visited ${state.outcome}` : "unvisited",
          props.path.failingState === node.id ? "failing" : "",
          props.selected === node.id ? "selected" : "",
        ].join(" ");
        return (
          // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>; role, focus and Enter make it one
          <g
            key={node.id}
            class={classes}
            data-state={node.id}
            data-outcome={state?.outcome ?? "unvisited"}
            data-retries={state?.retries ?? 0}
            transform={`translate(${node.x - node.width / 2},${node.y - node.height / 2})`}
            role="button"
            tabIndex={0}
            onClick={() => props.onSelect(node.id)}
            onKeyDown={(event) => event.key === "Enter" && props.onSelect(node.id)}
          >
            <title>{`${node.id} (${node.type})${node.comment ? `: ${node.comment}` : ""}`}</title>
            {(props.selected === node.id || props.path.failingState === node.id) && (
              <rect
                class={props.selected === node.id ? "ring ring-selected" : "ring ring-failing"}
                x={-4}
                y={-4}
                width={node.width + 8}
                height={node.height + 8}
                rx={node.type === "Choice" ? 22 : 9}
              />
            )}
            <rect class="box" width={node.width} height={node.height} rx={node.type === "Choice" ? 18 : 6} />
            <text x={node.width / 2} y={node.height / 2 + 4} class="node-label">
              {node.id}
            </text>
            {retryLoops(props.graph, node.id).map((loop, index) => {
              const isTaken = taken.has(loop.id);
              const reach = 14 + index * 9;
              const top = node.height / 2 - 10 - index * 3;
              const bottom = node.height / 2 + 10 + index * 3;
              return (
                <g
                  key={loop.id}
                  class={`edge edge-retry${isTaken ? " taken" : ""}`}
                  data-edge={loop.id}
                  data-kind="retry"
                  data-taken={isTaken ? "true" : "false"}
                >
                  <title>{loop.title ?? "Retry"}</title>
                  <path
                    d={`M${node.width},${top} C${node.width + reach},${top - 6} ${node.width + reach},${bottom + 6} ${node.width},${bottom}`}
                    marker-end={`url(#arrow-${isTaken ? "taken" : "plain"})`}
                  />
                </g>
              );
            })}
            {state && state.retries > 0 && (
              <g class="retry-badge" transform={`translate(${node.width - 8},-8)`}>
                <circle r="10" />
                <text y="4">{`↻${state.retries}`}</text>
              </g>
            )}
            {state && state.visits > 1 && <text x="6" y="-4" class="visits">{`×${state.visits}`}</text>}
          </g>
        );
      })}
    </svg>
  );
}
