// The console server's API as the page calls it, and its one event stream shared by every view.
import type { ActionResult, ExecutionSummary, ExecutionsEvent } from "../local/console/api-types.ts";

export class ApiError extends Error {
  override name = "ApiError";
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { accept: "application/json" } });
  const body = (await response.json()) as T & { message?: string };
  if (!response.ok) throw new ApiError(response.status, body.message ?? response.statusText);
  return body;
}

/** An operator action: the body is sent as JSON text, the answer is the CLI's result or refusal. */
export async function postAction(path: string, body: string): Promise<ActionResult> {
  const response = await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body });
  const answer = (await response.json()) as Partial<ActionResult>;
  if (typeof answer.exitCode === "number") return answer as ActionResult;
  // Refused before the CLI ran (not JSON, another origin): the server's own message.
  return { ok: false, exitCode: 2, message: answer.message ?? response.statusText };
}

type Listener = (executions: ExecutionSummary[]) => void;
const listeners = new Set<Listener>();
const connectionListeners = new Set<(connected: boolean) => void>();
let source: EventSource | undefined;

function connect(): void {
  source = new EventSource("/api/events");
  source.addEventListener("executions", (event) => {
    const { executions } = JSON.parse((event as MessageEvent<string>).data) as ExecutionsEvent;
    for (const listener of listeners) listener(executions);
  });
  source.addEventListener("open", () => {
    for (const listener of connectionListeners) listener(true);
  });
  source.addEventListener("error", () => {
    for (const listener of connectionListeners) listener(false);
  });
}

/** Summaries of executions as they start, move and end; answers how to stop listening. */
export function onExecutions(listener: Listener): () => void {
  if (!source) connect();
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Whether the stream is connected, now and on every change. */
export function onConnection(listener: (connected: boolean) => void): () => void {
  if (!source) connect();
  connectionListeners.add(listener);
  listener(source?.readyState === EventSource.OPEN);
  return () => connectionListeners.delete(listener);
}
