// An EventBridge stand-in speaking the PutEvents JSON 1.1 protocol on loopback, so an unmodified
// EventBridgeClient (endpoint from AWS_ENDPOINT_URL_EVENTBRIDGE) publishes to it.
// It holds the default bus and the buses it is started with. With local IAM, the caller must be allowed
// events:PutEvents on the ARN of every bus the request's entries name, or the whole request is refused
// with AccessDeniedException, as a role without the grant sees it.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { isArn, localArns } from "./iam/arns.ts";
import type { LocalIam } from "./iam/authorizer.ts";
import { type JsonProtocol, jsonError, jsonRefusal, writeAnswer } from "./iam/refusals.ts";

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

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const protocol: JsonProtocol = { contentType: "application/x-amz-json-1.1", typePrefix: "" };

/** An entry's bus: EventBusName as a name or an ARN, the default bus when absent. */
const busNameOf = (entry: PutEventsEntry) => {
  const named = entry.EventBusName ?? "default";
  return isArn(named) ? named.slice(named.indexOf(":event-bus/") + ":event-bus/".length) : named;
};

export async function startEventBus(
  options: { port?: number; buses?: readonly string[]; iam?: LocalIam } = {},
): Promise<LocalEventBus> {
  const events: BusEvent[] = [];
  const listeners: ((event: BusEvent) => void)[] = [];
  const buses = new Set(["default", ...(options.buses ?? [])]);

  const accept = (entry: PutEventsEntry): EntryResult => {
    if (!entry.Source || !entry.DetailType || entry.Detail === undefined) {
      return { ErrorCode: "InvalidArgument", ErrorMessage: "Source, DetailType and Detail are required" };
    }
    const busName = busNameOf(entry);
    // EventBridge itself has accepted events for a bus that does not exist and dropped them
    // (https://github.com/aws/aws-cli/issues/9186); refusing them here shows a misnamed bus at once.
    if (!buses.has(busName)) {
      return { ErrorCode: "ResourceNotFoundException", ErrorMessage: `Event bus ${busName} does not exist.` };
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
      "event-bus-name": busName,
    };
    events.push(event);
    for (const listener of listeners) listener(event);
    return { EventId: event.id };
  };

  const server = createServer(async (request, response) => {
    const target = request.headers["x-amz-target"];
    if (request.method !== "POST" || target !== "AWSEvents.PutEvents") {
      writeAnswer(
        response,
        jsonError(protocol, 400, "UnknownOperationException", `unsupported operation ${String(target)}`),
      );
      return;
    }
    const body = await readBody(request);
    let entries: PutEventsEntry[];
    try {
      entries = (JSON.parse(body.toString("utf8")) as { Entries?: PutEventsEntry[] }).Entries ?? [];
    } catch {
      writeAnswer(response, jsonError(protocol, 400, "SerializationException", "request body is not JSON"));
      return;
    }
    if (entries.length < 1 || entries.length > 10) {
      writeAnswer(response, jsonError(protocol, 400, "ValidationException", "Entries must hold 1 to 10 events"));
      return;
    }
    if (options.iam) {
      const busArns = [...new Set(entries.map((entry) => localArns.eventBus(busNameOf(entry))))];
      const authorization = await options.iam.authorize(
        { method: request.method, url: request.url ?? "/", headers: request.headers, body },
        busArns.map((resource) => ({ action: "events:PutEvents", resource })),
      );
      const refusal = jsonRefusal(protocol, authorization);
      if (refusal) {
        writeAnswer(response, refusal);
        return;
      }
    }
    const results = entries.map(accept);
    writeAnswer(response, {
      status: 200,
      contentType: protocol.contentType,
      body: JSON.stringify({
        Entries: results,
        FailedEntryCount: results.filter((result) => "ErrorCode" in result).length,
      }),
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
