// A demo MCP gateway standing in for AWS AgentCore Gateway: MCP Streamable HTTP behind an OAuth2
// client-credentials bearer token, with business tools over an in-memory store, fault tools, and admin
// endpoints that let a test see (and reset) every side effect. Loopback only.
//
//   POST /mcp, GET /mcp, DELETE /mcp   MCP Streamable HTTP, `Authorization: Bearer <token>` required
//   POST /oauth2/token                 client credentials (HTTP Basic or form fields), form-encoded
//   GET  /admin/objects[/<id>]         the store; every object_url points at /admin/objects/<id>
//   GET  /admin/calls                  every tools/call with the HTTP status it was answered with
//   GET  /admin/stats                  tokens issued, revocations, open sessions
//   POST /admin/expire-sessions        POST /admin/revoke-tokens        POST /admin/reset
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createCallHolds } from "./call-holds.ts";
import { type CallRecord, createCallLog, type ToolCall } from "./call-log.ts";
import { createFaultInjector } from "./faults.ts";
import { headerValue, readBody, replyJson } from "./http.ts";
import { createMcpEndpoint, type ResponseMode, type SessionMode } from "./mcp-endpoint.ts";
import { createTokenService, type TokenStats } from "./oauth.ts";
import { createObjectStore, type StoredObject } from "./store.ts";

export type { CallRecord, ToolCall } from "./call-log.ts";
export type { ResponseMode, SessionMode } from "./mcp-endpoint.ts";
export type { ExternalObjectRef, StoredObject } from "./store.ts";
export type { LegacyToolSuccess, ToolFailure, ToolOutcome, ToolSuccess } from "./tools.ts";

export type DemoGatewayOptions = {
  mode: SessionMode;
  /** json: one JSON body per POST (`enableJsonResponse`); sse: the SDK's default SSE stream per POST. */
  response: ResponseMode;
  /** 0, the default, takes a free port. */
  port?: number;
  tokenTtlSeconds?: number;
  clientId?: string;
  clientSecret?: string;
  /**
   * false: every call acts, whatever its idempotency key, as a gateway that does not honour keys would;
   * the engine's own exactly-once is then the only thing between a replayed call and a second effect.
   */
  deduplicate?: boolean;
};

export type GatewayStats = TokenStats & { active_sessions: number };

export interface DemoGateway {
  /** The MCP endpoint, e.g. http://127.0.0.1:PORT/mcp */
  url: string;
  origin: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  mode: SessionMode;
  response: ResponseMode;
  objects(): StoredObject[];
  calls(): CallRecord[];
  stats(): GatewayStats;
  /** Closes every MCP session; their ids answer 404 from then on. Resolves to how many were open. */
  expireSessions(): Promise<number>;
  /**
   * Holds each call `matches` picks, after the bearer check and before any fault or tool, until the returned
   * release is called: a test's way to keep a call in flight exactly as long as it needs.
   */
  holdCalls(matches: (call: ToolCall) => boolean): () => void;
  /** Every token issued so far answers 401 from now on. */
  revokeTokens(): void;
  /** Clears objects, idempotency records, the call log, fault counters and token counters; sessions stay. */
  reset(): void;
  stop(): Promise<void>;
}

export const DEFAULT_CLIENT_ID = "demo-gateway-client";
export const DEFAULT_CLIENT_SECRET = "demo-gateway-secret";
export const DEFAULT_TOKEN_TTL_SECONDS = 3600;

export async function startDemoGateway(options: DemoGatewayOptions): Promise<DemoGateway> {
  const clientId = options.clientId ?? DEFAULT_CLIENT_ID;
  const clientSecret = options.clientSecret ?? DEFAULT_CLIENT_SECRET;
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const store = createObjectStore(`${origin}/admin/objects`, { deduplicate: options.deduplicate ?? true });
  const calls = createCallLog();
  const faults = createFaultInjector();
  const holds = createCallHolds();
  const tokens = createTokenService(
    { clientId, clientSecret },
    origin,
    options.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS,
  );
  const stopping = new AbortController();
  const endpoint = createMcpEndpoint({
    mode: options.mode,
    response: options.response,
    tools: { store, stopping: stopping.signal },
    tokens,
    faults,
    calls,
    holds,
  });

  const admin = {
    objects: () => store.list(),
    calls: () => calls.list(),
    stats: (): GatewayStats => ({ ...tokens.stats(), active_sessions: endpoint.activeSessions() }),
    expireSessions: () => endpoint.expireSessions(),
    holdCalls: (matches: (call: ToolCall) => boolean) => holds.hold(matches),
    revokeTokens: () => tokens.revokeAll(),
    reset() {
      store.clear();
      calls.clear();
      faults.reset();
      tokens.resetCounters();
    },
  };

  const adminRoutes: Record<string, () => unknown> = {
    "GET /admin/objects": () => ({ objects: admin.objects() }),
    "GET /admin/calls": () => ({ calls: admin.calls() }),
    "GET /admin/stats": () => admin.stats(),
    "POST /admin/expire-sessions": async () => ({ expired: await admin.expireSessions() }),
    "POST /admin/revoke-tokens": () => {
      admin.revokeTokens();
      return admin.stats();
    },
    "POST /admin/reset": () => {
      admin.reset();
      return admin.stats();
    },
  };

  async function serveAdmin(request: IncomingMessage, response: ServerResponse, pathname: string) {
    const route = adminRoutes[`${request.method} ${pathname}`];
    if (route !== undefined) {
      replyJson(response, 200, await route());
      return;
    }
    // Each object's object_url points here.
    const objectId = request.method === "GET" ? /^\/admin\/objects\/([^/]+)$/.exec(pathname)?.[1] : undefined;
    const object = store.list().find((candidate) => candidate.object_id === objectId);
    if (object === undefined) replyJson(response, 404, { error: "not_found" });
    else replyJson(response, 200, object);
  }

  async function route(request: IncomingMessage, response: ServerResponse) {
    const { pathname } = new URL(request.url ?? "/", origin);
    if (pathname === "/mcp") return endpoint.serve(request, response);
    if (pathname === "/oauth2/token") {
      if (request.method !== "POST") return replyJson(response, 405, { error: "invalid_request" }, { allow: "POST" });
      const reply = await tokens.issue({
        authorization: request.headers.authorization,
        contentType: headerValue(request, "content-type"),
        body: await readBody(request),
      });
      return replyJson(response, reply.status, reply.body, reply.headers);
    }
    if (pathname.startsWith("/admin/")) return serveAdmin(request, response, pathname);
    replyJson(response, 404, { error: "not_found" });
  }

  // Attached only now that every part exists; nothing can arrive before this synchronous code finishes.
  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    route(request, response).catch((error: unknown) => {
      console.error("demo gateway: request failed", error);
      if (!response.headersSent) replyJson(response, 500, { error: "internal_error" });
      else response.destroy();
    });
  });

  return {
    url: `${origin}/mcp`,
    origin,
    tokenUrl: `${origin}/oauth2/token`,
    clientId,
    clientSecret,
    mode: options.mode,
    response: options.response,
    ...admin,
    async stop() {
      if (!server.listening) return;
      stopping.abort();
      holds.releaseAll();
      await endpoint.expireSessions();
      const closed = new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      // Open SSE streams and keep-alive sockets would otherwise hold close() open.
      server.closeAllConnections();
      await closed;
    },
  };
}
