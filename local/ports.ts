// The local engine's ports: each configurable by one environment variable, with a documented default.
import { createServer } from "node:net";
import { PortUnavailableError } from "./start-errors.ts";

export const localPorts = {
  api: { env: "ENGINE_API_PORT", default: 3000 },
  gateway: { env: "ENGINE_GATEWAY_PORT", default: 3100 },
  events: { env: "ENGINE_EVENTS_PORT", default: 4010 },
  s3: { env: "ENGINE_S3_PORT", default: 4569 },
  secrets: { env: "ENGINE_SECRETS_PORT", default: 4584 },
  dynamodb: { env: "ENGINE_DYNAMODB_PORT", default: 8000 },
  console: { env: "ENGINE_CONSOLE_PORT", default: 3300 },
} as const;

export type PortName = keyof typeof localPorts;
export type PortChoice = Record<PortName, number>;

/** Ports from the environment, defaults otherwise; a value that is not a port fails naming its variable. */
export function portsFromEnv(env: NodeJS.ProcessEnv = process.env): PortChoice {
  return Object.fromEntries(
    Object.entries(localPorts).map(([name, { env: variable, default: fallback }]) => {
      const raw = env[variable];
      const port = raw === undefined ? fallback : Number(raw);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new PortUnavailableError(`${variable} must be a port number from 0 to 65535, got "${raw}"`);
      }
      return [name, port];
    }),
  ) as PortChoice;
}

/** Every port the engine will bind, all at once and before anything starts (0 means any free port). */
export async function assertPortsFree(ports: PortChoice): Promise<void> {
  for (const [name, port] of Object.entries(ports) as [PortName, number][]) {
    if (port === 0) continue;
    const server = createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", resolve);
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new PortUnavailableError(
        `port ${port} (${name}) is ${code === "EADDRINUSE" ? "in use" : `not available (${code})`}; set ${localPorts[name].env} to another port, or 0 for any free one`,
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }
}
