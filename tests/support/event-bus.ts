// Starts the local PutEvents endpoint for one test file and points the functions' EventBridge client at
// it. Call before importing a handler: the endpoint is part of the client's configuration.
// In front of the bus sits a switch that can refuse PutEvents the two ways EventBridge does: a 200 whose
// entry failed (`FailedEntryCount` 1), or a 500 `InternalException`, which the SDK retries and then throws.
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll } from "vitest";
import { type LocalEventBus, startEventBus } from "../../local/event-bus.ts";
import { testEventBus } from "./local-aws.ts";

export type PutEventsRefusal = "failed-entry" | "internal-error";

export interface TestEventBus extends LocalEventBus {
  /** Refuses every PutEvents call from now on, in that way, until `accept()`. */
  refuse(answer: PutEventsRefusal): void;
  accept(): void;
  /** Calls `listener` as each PutEvents request arrives, before it is answered; returns the unsubscribe. */
  onRequest(listener: () => void): () => void;
}

const refusals: Record<PutEventsRefusal, { status: number; body: unknown }> = {
  "failed-entry": {
    status: 200,
    body: {
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: "InternalFailure", ErrorMessage: "the event could not be stored" }],
    },
  },
  "internal-error": { status: 500, body: { __type: "InternalException", message: "internal failure" } },
};

export async function useLocalEventBus(): Promise<TestEventBus> {
  const bus = await startEventBus({ buses: [testEventBus] });
  const upstream = new URL(bus.endpoint);
  const listeners: (() => void)[] = [];
  let refusal: PutEventsRefusal | undefined;

  const front = createServer((incoming, outgoing) => {
    for (const listener of listeners) listener();
    if (refusal) {
      const { status, body } = refusals[refusal];
      incoming.resume();
      outgoing.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
      outgoing.end(JSON.stringify(body));
      return;
    }
    // A fresh connection per request, so stopping the bus never waits on one this switch keeps alive.
    const { connection: _connection, ...headers } = incoming.headers;
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: incoming.url,
        method: incoming.method,
        headers,
        agent: false,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on("error", (error) => outgoing.destroy(error));
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = endpoint;

  const stop = async () => {
    await new Promise<void>((resolve, reject) => {
      front.close((error) => (error ? reject(error) : resolve()));
      front.closeAllConnections();
    });
    await bus.stop();
  };
  afterAll(stop);
  return {
    endpoint,
    events: bus.events,
    onEvent: bus.onEvent,
    stop,
    refuse: (answer) => {
      refusal = answer;
    },
    accept: () => {
      refusal = undefined;
    },
    onRequest: (listener) => {
      listeners.push(listener);
      return () => listeners.splice(listeners.indexOf(listener), 1);
    },
  };
}
