// Executions as they move, pushed to every open page over Server-Sent Events. Changes are gathered for a
// short while and sent as one message with each execution's latest summary, so a burst of transitions
// (chaos, a load test) costs the page one update per interval, not one per transition.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ExecutionSummary, ExecutionsEvent } from "./api-types.ts";

/** How long changes are gathered before they are sent. */
export const STREAM_INTERVAL_MS = 250;
/** A comment line this often keeps idle connections from being closed along the way. */
const KEEPALIVE_MS = 15_000;

export function createExecutionStream(options: { intervalMs?: number } = {}) {
  const clients = new Set<ServerResponse>();
  const pending = new Map<string, ExecutionSummary>();
  let timer: NodeJS.Timeout | undefined;

  const send = (text: string) => {
    for (const client of clients) client.write(text);
  };
  const flush = () => {
    timer = undefined;
    if (pending.size === 0) return;
    const event: ExecutionsEvent = { executions: [...pending.values()] };
    pending.clear();
    send(`event: executions\ndata: ${JSON.stringify(event)}\n\n`);
  };
  const keepalive = setInterval(() => send(": keepalive\n\n"), KEEPALIVE_MS);
  keepalive.unref();

  return {
    connect(request: IncomingMessage, response: ServerResponse): void {
      response.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-store",
        connection: "keep-alive",
      });
      // The page reconnects after a restart of the engine on its own; 1 s is soon enough.
      response.write("retry: 1000\n\n");
      clients.add(response);
      request.on("close", () => clients.delete(response));
    },
    /** Whether any page is listening. */
    watched: () => clients.size > 0,
    changed(summary: ExecutionSummary): void {
      pending.set(summary.id, summary);
      timer ??= setTimeout(flush, options.intervalMs ?? STREAM_INTERVAL_MS);
    },
    close(): void {
      clearInterval(keepalive);
      clearTimeout(timer);
      for (const client of clients) client.end();
      clients.clear();
    },
  };
}
