// Starts the local PutEvents endpoint for one test file and points the functions' EventBridge client at
// it. Call before importing a handler: the endpoint is part of the client's configuration.
import { afterAll } from "vitest";
import { type LocalEventBus, startEventBus } from "../../local/event-bus.ts";

export async function useLocalEventBus(): Promise<LocalEventBus> {
  const bus = await startEventBus();
  process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = bus.endpoint;
  afterAll(() => bus.stop());
  return bus;
}
