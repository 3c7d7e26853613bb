// An EventBridge stand-in speaking the PutEvents JSON 1.1 protocol on loopback, so an unmodified
// EventBridgeClient (endpoint from AWS_ENDPOINT_URL_EVENTBRIDGE) publishes to it.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface BusEvent {
  id: string;
  time: string;
  source: string;
  "detail-type": string;
  detail: unknown;
  "event-bus-name": string;
}

export interface LocalEventBus {
  endpoint: string;
  /** Every event accepted so far, oldest first. */
  readonly events: BusEvent[];
  onEvent(listener: (event: BusEvent) => void): void;
  stop(): Promise<void>;
}

interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
}

type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
  response.end(JSON.stringify(body));
}

export async function startEventBus(options: { port?: number } = {}): Promise<LocalEventBus> {
  const events: BusEvent[] = [];
  const listeners: ((event: BusEvent) => void)[] = [];

  const accept = (entry: PutEventsEntry): EntryResult => {
    if (!entry.Source || !entry.DetailType || entry.Detail === undefined) {
      return { ErrorCode: "InvalidArgument", ErrorMessage: "Source, DetailType and Detail are required" };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is not valid JSON" };
    }
    const event: BusEvent = {
      id: randomUUID(),
      time: new Date().toISOString(),
      source: entry.Source,
      "detail-type": entry.DetailType,
      detail,
      "event-bus-name": entry.EventBusName ?? "default",
    };
    events.push(event);
    for (const listener of listeners) listener(event);
    return { EventId: event.id };
  };

  const server = createServer(async (request, response) => {
    const target = request.headers["x-amz-target"];
    if (request.method !== "POST" || target !== "AWSEvents.PutEvents") {
      reply(response, 400, { __type: "UnknownOperationException", message: `unsupported operation ${String(target)}` });
      return;
    }
    let entries: PutEventsEntry[];
    try {
      entries = (JSON.parse(await readBody(request)) as { Entries?: PutEventsEntry[] }).Entries ?? [];
    } catch {
      reply(response, 400, { __type: "SerializationException", message: "request body is not JSON" });
      return;
    }
    if (entries.length < 1 || entries.length > 10) {
      reply(response, 400, { __type: "ValidationException", message: "Entries must hold 1 to 10 events" });
      return;
    }
    const results = entries.map(accept);
    reply(response, 200, {
      Entries: results,
      FailedEntryCount: results.filter((result) => "ErrorCode" in result).length,
    });
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    events,
    onEvent: (listener) => listeners.push(listener),
    stop: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
