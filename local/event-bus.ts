// An EventBridge stand-in speaking the PutEvents JSON 1.1 protocol on loopback, so an unmodified
// EventBridgeClient (endpoint from AWS_ENDPOINT_URL_EVENTBRIDGE) publishes to it.
// It holds the default bus and the buses it is started with. With local IAM, the caller must be allowed
// events:PutEvents on the ARN of every bus the request's entries name, or the whole request is refused
// with AccessDeniedException, as a role without the grant sees it.
// It refuses what PutEvents refuses, with AWS's codes and messages, so a producer's mistake shows locally:
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
// A refused entry reaches no listener, so no rule acts on it.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { isArn, LOCAL_ACCOUNT, LOCAL_REGION, localArns } from "./iam/arns.ts";
import type { LocalIam } from "./iam/authorizer.ts";
import { type HttpAnswer, type JsonProtocol, jsonError, jsonRefusal, writeAnswer } from "./iam/refusals.ts";

/** An event as a rule sees it: EventBridge's envelope, plus the bus it was put on. */
export interface BusEvent {
  version: "0";
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
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

/** PutEventsRequestEntry as it arrives on the wire; a producer may send any JSON in any member. */
interface PutEventsEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  EventBusName?: unknown;
  Resources?: unknown;
  /** Epoch seconds: how the SDKs serialize a timestamp in the JSON protocol. */
  Time?: unknown;
  TraceHeader?: unknown;
}

type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/** https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html#API_PutEvents_RequestSyntax */
export const MAX_ENTRIES_PER_REQUEST = 10;

/**
 * The sum of the entries' sizes a request may carry. 256 KB until AWS raised EventBridge's payload limit
 * to 1 MB on 2026-01-29, for existing buses too:
 * https://aws.amazon.com/blogs/compute/more-room-to-build-serverless-services-now-support-payloads-up-to-1-mb
 */
export const MAX_REQUEST_ENTRIES_BYTES = 1024 * 1024;

const utf8Bytes = (value: unknown) => (typeof value === "string" ? Buffer.byteLength(value, "utf8") : 0);

/**
 * An entry's size as EventBridge counts it: Time 14 bytes when given, then the UTF-8 bytes of Source,
 * DetailType, Detail and each of Resources.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
 */
export function putEventsEntrySize(entry: PutEventsEntry): number {
  const resources = Array.isArray(entry.Resources) ? entry.Resources : [];
  return (
    (entry.Time === undefined || entry.Time === null ? 0 : 14) +
    utf8Bytes(entry.Source) +
    utf8Bytes(entry.DetailType) +
    utf8Bytes(entry.Detail) +
    resources.reduce((sum: number, resource) => sum + utf8Bytes(resource), 0)
  );
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const protocol: JsonProtocol = { contentType: "application/x-amz-json-1.1", typePrefix: "" };

/** An entry's bus: EventBusName as a name or an ARN, the default bus when absent. */
const busNameOf = (entry: PutEventsEntry) => {
  const named = typeof entry.EventBusName === "string" && entry.EventBusName !== "" ? entry.EventBusName : "default";
  return isArn(named) ? named.slice(named.indexOf(":event-bus/") + ":event-bus/".length) : named;
};

/** How AWS's service framework prints a refused list: each entry as its Java object. */
const javaEntries = (entries: PutEventsEntry[]) =>
  `[${entries
    .map(
      (entry) =>
        `PutEventsRequestEntry(time=${entry.Time ?? null}, source=${entry.Source ?? null}, resources=${entry.Resources ?? null}, detailType=${entry.DetailType ?? null}, detail=${entry.Detail ?? null}, eventBusName=${entry.EventBusName ?? null}, traceHeader=${entry.TraceHeader ?? null}, kmsKeyIdentifier=null, internalMetadata=null)`,
    )
    .join(", ")}]`;

const validationError = (message: string) => jsonError(protocol, 400, "ValidationException", message);

/**
 * What AWS answers for the request as a whole, or undefined when its entries are to be judged one by one.
 * The messages are those AWS gives (recorded against AWS in LocalStack's snapshot tests,
 * tests/aws/services/events/test_events.snapshot.json): the entry count is the model's length
 * constraint, the size is checked over all entries together.
 */
function requestRefusal(entries: unknown): HttpAnswer | undefined {
  if (entries === undefined || entries === null) {
    return validationError(
      "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null",
    );
  }
  if (!Array.isArray(entries) || entries.some((entry) => typeof entry !== "object" || entry === null)) {
    return jsonError(protocol, 400, "SerializationException", "Entries must be a list of PutEventsRequestEntry");
  }
  const shapeError = entries.map(entryShapeError).find(Boolean);
  if (shapeError) return jsonError(protocol, 400, "SerializationException", shapeError);
  if (entries.length < 1) {
    return validationError(
      "1 validation error detected: Value '[]' at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  }
  if (entries.length > MAX_ENTRIES_PER_REQUEST) {
    return validationError(
      `1 validation error detected: Value '${javaEntries(entries)}' at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES_PER_REQUEST}`,
    );
  }
  const size = entries.reduce((sum: number, entry: PutEventsEntry) => sum + putEventsEntrySize(entry), 0);
  if (size > MAX_REQUEST_ENTRIES_BYTES) {
    return validationError("Total size of the entries in the request is over the limit.");
  }
  return undefined;
}

const stringMembers = ["Source", "DetailType", "Detail", "EventBusName", "TraceHeader"] as const;

/**
 * A member of the wrong JSON type fails deserialization, before any validation, as in AWS's JSON protocol;
 * a null member is an absent one.
 */
function entryShapeError(entry: PutEventsEntry): string | undefined {
  const wrong = stringMembers.find((member) => entry[member] != null && typeof entry[member] !== "string");
  if (wrong) return `${wrong} must be a string`;
  if (entry.Time != null && !(typeof entry.Time === "number" && Number.isFinite(entry.Time))) {
    return "Time must be a timestamp in epoch seconds";
  }
  if (
    entry.Resources != null &&
    !(Array.isArray(entry.Resources) && entry.Resources.every((resource) => typeof resource === "string"))
  ) {
    return "Resources must be a list of strings";
  }
  return undefined;
}

const required = ["Source", "DetailType", "Detail"] as const;

/** A JSON object and nothing else: a string, an array or a serialized string is malformed. */
function detailObject(detail: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(detail);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** AWS's event time: ISO 8601 to the second, in UTC. */
const eventTime = (epochSeconds: number) =>
  new Date(Math.floor(epochSeconds) * 1000).toISOString().replace(".000Z", "Z");

export async function startEventBus(
  options: { port?: number; buses?: readonly string[]; iam?: LocalIam } = {},
): Promise<LocalEventBus> {
  const events: BusEvent[] = [];
  const listeners: ((event: BusEvent) => void)[] = [];
  const buses = new Set(["default", ...(options.buses ?? [])]);

  /** Judges one entry; only an accepted entry becomes an event its listeners see. */
  const accept = (entry: PutEventsEntry): EntryResult => {
    const missing = required.find((member) => !entry[member]);
    if (missing) {
      return {
        ErrorCode: "InvalidArgument",
        ErrorMessage: `Parameter ${missing} is not valid. Reason: ${missing} is a required argument.`,
      };
    }
    const detail = detailObject(entry.Detail as string);
    if (!detail) return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
    const busName = busNameOf(entry);
    // EventBridge itself has accepted events for a bus that does not exist and dropped them
    // (https://github.com/aws/aws-cli/issues/9186); refusing them here shows a misnamed bus at once.
    if (!buses.has(busName)) {
      return { ErrorCode: "ResourceNotFoundException", ErrorMessage: `Event bus ${busName} does not exist.` };
    }
    const event: BusEvent = {
      version: "0",
      id: randomUUID(),
      "detail-type": entry.DetailType as string,
      source: entry.Source as string,
      account: LOCAL_ACCOUNT,
      time: eventTime(typeof entry.Time === "number" ? entry.Time : Date.now() / 1000),
      region: LOCAL_REGION,
      resources: (entry.Resources as string[] | undefined) ?? [],
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
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      writeAnswer(response, jsonError(protocol, 400, "SerializationException", "request body is not JSON"));
      return;
    }
    const entries = (parsed as { Entries?: unknown } | null)?.Entries;
    const refusal = requestRefusal(entries);
    if (refusal) {
      writeAnswer(response, refusal);
      return;
    }
    const accepted = entries as PutEventsEntry[];
    if (options.iam) {
      const busArns = [...new Set(accepted.map((entry) => localArns.eventBus(busNameOf(entry))))];
      const authorization = await options.iam.authorize(
        { method: request.method, url: request.url ?? "/", headers: request.headers, body },
        busArns.map((resource) => ({ action: "events:PutEvents", resource })),
      );
      const denial = jsonRefusal(protocol, authorization);
      if (denial) {
        writeAnswer(response, denial);
        return;
      }
    }
    // One result per entry, in the request's order; a failed entry does not stop the others.
    const results = accepted.map(accept);
    writeAnswer(response, {
      status: 200,
      contentType: protocol.contentType,
      body: JSON.stringify({
        FailedEntryCount: results.filter((result) => "ErrorCode" in result).length,
        Entries: results,
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
