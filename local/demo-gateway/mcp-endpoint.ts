// The MCP endpoint: bearer check, call log, held calls and HTTP faults in front of the SDK's Streamable HTTP transport.
// Stateless mode serves each POST with a fresh server and transport (the SDK refuses to reuse a stateless
// transport); stateful mode keeps one per session and routes on `mcp-session-id`.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import type { CallHolds } from "./call-holds.ts";
import { type CallLog, toolCallIn } from "./call-log.ts";
import type { FaultInjector } from "./faults.ts";
import { headerValue, jsonRpcError, readBody, replyJson } from "./http.ts";
import type { TokenService } from "./oauth.ts";
import { createToolServer, type ToolContext } from "./tools.ts";

export type SessionMode = "stateless" | "stateful";
export type ResponseMode = "json" | "sse";

export type McpEndpointParts = {
  mode: SessionMode;
  response: ResponseMode;
  tools: ToolContext;
  tokens: TokenService;
  faults: FaultInjector;
  calls: CallLog;
  holds: CallHolds;
};

export interface McpEndpoint {
  serve(request: IncomingMessage, response: ServerResponse): Promise<void>;
  /** Closes every session; their ids then answer 404, which tells a client to initialize again. */
  expireSessions(): Promise<number>;
  activeSessions(): number;
}

const UNPARSABLE = Symbol("unparsable body");

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return UNPARSABLE;
  }
}

function replyUnauthorized(response: ServerResponse, description: string): void {
  replyJson(
    response,
    401,
    { error: "invalid_token", error_description: description },
    { "www-authenticate": `Bearer error="invalid_token", error_description="${description}"` },
  );
}

export function createMcpEndpoint(parts: McpEndpointParts): McpEndpoint {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const enableJsonResponse = parts.response === "json";

  async function serveStateless(request: IncomingMessage, response: ServerResponse, body: unknown) {
    // A stateless server cannot push anything later, so there is no GET stream and no session to DELETE;
    // the SDK client takes 405 on GET as "no stream offered".
    if (request.method !== "POST") {
      replyJson(response, 405, jsonRpcError(-32000, "Method not allowed: this gateway is stateless"), {
        allow: "POST",
      });
      return;
    }
    const server = createToolServer(parts.tools);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse });
    response.on("close", () => void server.close());
    await server.connect(transport);
    await transport.handleRequest(request, response, body);
  }

  async function serveStateful(request: IncomingMessage, response: ServerResponse, body: unknown) {
    const sessionId = headerValue(request, "mcp-session-id");
    if (sessionId !== undefined) {
      const transport = sessions.get(sessionId);
      if (transport === undefined) {
        // The SDK answers 404 only for a session id that mismatches one transport; with many sessions,
        // routing an id nobody knows is this layer's job, with the same status and body.
        replyJson(response, 404, jsonRpcError(-32001, "Session not found"));
        return;
      }
      await transport.handleRequest(request, response, body);
      return;
    }
    if (request.method !== "POST" || !isInitializeRequest(body)) {
      replyJson(response, 400, jsonRpcError(-32000, "Bad Request: Mcp-Session-Id header is required"));
      return;
    }
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      enableJsonResponse,
      onsessioninitialized: (id) => {
        sessions.set(id, transport);
      },
    });
    // Set before connect: the SDK server chains its own close handling after this one.
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
    };
    await createToolServer(parts.tools).connect(transport);
    await transport.handleRequest(request, response, body);
  }

  return {
    async serve(request, response) {
      const body = request.method === "POST" ? parseJson(await readBody(request)) : undefined;
      const call = toolCallIn(body);
      // Logged before the bearer check, so rejected attempts (401, 404, faults) show in the log too.
      if (call !== undefined) parts.calls.record(call, response, headerValue(request, "mcp-session-id"));

      const bearer = await parts.tokens.verify(request.headers.authorization);
      if (!bearer.valid) {
        replyUnauthorized(response, bearer.description);
        return;
      }
      if (body === UNPARSABLE) {
        replyJson(response, 400, jsonRpcError(-32700, "Parse error: Invalid JSON"));
        return;
      }
      if (call !== undefined) await parts.holds.pass(call);
      const fault = call === undefined ? undefined : parts.faults.faultFor(call);
      if (fault !== undefined) {
        response.writeHead(fault.status, fault.headers).end(fault.body);
        return;
      }
      await (parts.mode === "stateless" ? serveStateless : serveStateful)(request, response, body);
    },

    async expireSessions() {
      const open = [...sessions.values()];
      await Promise.all(open.map((transport) => transport.close()));
      sessions.clear();
      return open.length;
    },

    activeSessions: () => sessions.size,
  };
}
