// Binds an HTTP server to loopback and stops it with every open connection, so that a stopped engine leaves no
// keep-alive socket behind; `agent` is the upstream agent a proxy forwards through, destroyed with it.
import type { Agent, Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface LoopbackServer {
  endpoint: string;
  stop(): Promise<void>;
}

export async function listenOnLoopback(server: Server, port = 0, agent?: Agent): Promise<LoopbackServer> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => {
      const closed = new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      server.closeAllConnections();
      agent?.destroy();
      await closed;
    },
  };
}
