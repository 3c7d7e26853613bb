// A minimal MCP client over Streamable HTTP: JSON-RPC POSTs answered as JSON or as an SSE stream,
// `initialize` once per container, the session id when the gateway issues one, and a new session when
// the gateway says the old one is gone. One attempt per call: retrying is the state machine's job.
import { createParser } from "eventsource-parser";
import ky, { NetworkError, TimeoutError } from "ky";
import { PermanentError, TransientError } from "../errors.ts";
import type { TokenProvider } from "./oauth.ts";

export const MCP_PROTOCOL_VERSION = "2025-06-18";

export interface McpClientOptions {
  url: string;
  timeoutMs: number;
  tokens: TokenProvider;
  clientInfo: { name: string; version: string };
  /** Told about every 429 before it becomes an error, so throttles are counted once, where they happen. */
  onThrottle?: () => void;
}

export interface JsonRpcResponse {
  jsonrpc: "2.0";
  id: string | number | null;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/** The gateway's answer to one request, as received, with the JSON-RPC response found in it. */
export interface McpReply {
  status: number;
  contentType: string;
  rawBody: string;
  response: JsonRpcResponse;
}

/** A reply that could not be read as MCP; carries the raw body so the caller can keep it as evidence. */
export class MalformedReplyError extends PermanentError {
  readonly rawBody: string;
  readonly contentType: string;
  constructor(message: string, rawBody: string, contentType: string) {
    super(message);
    this.rawBody = rawBody;
    this.contentType = contentType;
  }
}

interface Session {
  /** Absent when the gateway is stateless. */
  id?: string;
  protocolVersion: string;
}

export interface McpClient {
  callTool(name: string, toolArguments: Record<string, unknown>): Promise<McpReply>;
  /** One page of `tools/list`; the next page's cursor is the result's `nextCursor`. */
  listTools(cursor?: string): Promise<McpReply>;
}

export function createMcpClient(options: McpClientOptions): McpClient {
  let session: Promise<Session> | undefined;
  let nextId = 1;

  async function post(message: object, current: Session | undefined, forceTokenRefresh = false): Promise<Response> {
    const token = await options.tokens.accessToken({ forceRefresh: forceTokenRefresh });
    const headers: Record<string, string> = {
      accept: "application/json, text/event-stream",
      authorization: `Bearer ${token}`,
    };
    if (current) headers["mcp-protocol-version"] = current.protocolVersion;
    if (current?.id) headers["mcp-session-id"] = current.id;
    try {
      return await ky.post(options.url, {
        json: message,
        headers,
        // One deadline for the whole exchange: an SSE reply's headers arrive at once, its body much later.
        signal: AbortSignal.timeout(options.timeoutMs),
        timeout: false,
        retry: 0,
        throwHttpErrors: false,
      });
    } catch (error) {
      if (isTimeout(error)) {
        throw new TransientError(`gateway did not answer within ${options.timeoutMs} ms`, {
          cause: error,
          errorClass: "TIMEOUT",
        });
      }
      if (error instanceof NetworkError || error instanceof TypeError) {
        throw new TransientError(`gateway unreachable: ${(error as Error).message}`, { cause: error });
      }
      throw error;
    }
  }

  /** Sends once; after a 401/403, renews the token and sends once more, then gives up as AUTH. */
  async function postAuthorized(message: object, current: Session | undefined): Promise<Response> {
    let response = await post(message, current);
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      response = await post(message, current, true);
      if (response.status === 401 || response.status === 403) {
        throw new PermanentError(`gateway refused the credentials (${response.status}) after a token refresh`, {
          errorClass: "AUTH",
        });
      }
    }
    return response;
  }

  async function request(
    method: string,
    params: object,
    current: Session | undefined,
  ): Promise<{ reply: McpReply; headers: Headers }> {
    const id = nextId++;
    const response = await postAuthorized({ jsonrpc: "2.0", id, method, params }, current);
    if (response.status === 404 && current?.id) {
      await response.body?.cancel();
      throw new SessionGoneError();
    }
    rejectHttpFailure(response, options.onThrottle);
    const reply = await readReply(response, id, options.timeoutMs);
    return { reply, headers: response.headers };
  }

  async function openSession(): Promise<Session> {
    const { reply, headers } = await request(
      "initialize",
      { protocolVersion: MCP_PROTOCOL_VERSION, capabilities: {}, clientInfo: options.clientInfo },
      undefined,
    );
    const result = reply.response.result as { protocolVersion?: unknown } | undefined;
    if (reply.response.error || typeof result?.protocolVersion !== "string") {
      throw new PermanentError(
        `gateway refused initialize: ${reply.response.error?.message ?? "no protocolVersion in the result"}`,
      );
    }
    const opened: Session = { id: headers.get("mcp-session-id") ?? undefined, protocolVersion: result.protocolVersion };
    const acknowledged = await postAuthorized({ jsonrpc: "2.0", method: "notifications/initialized" }, opened);
    await acknowledged.body?.cancel();
    rejectHttpFailure(acknowledged, options.onThrottle);
    return opened;
  }

  function currentSession(): Promise<Session> {
    session ??= openSession().catch((error: unknown) => {
      session = undefined;
      throw error;
    });
    return session;
  }

  async function requestInSession(method: string, params: object): Promise<McpReply> {
    try {
      return (await request(method, params, await currentSession())).reply;
    } catch (error) {
      if (!(error instanceof SessionGoneError)) throw error;
      // The gateway forgot the session (restart, expiry): the request never reached a tool, so it is safe to send again.
      session = undefined;
      return (await request(method, params, await currentSession())).reply;
    }
  }

  return {
    callTool: (name, toolArguments) => requestInSession("tools/call", { name, arguments: toolArguments }),
    listTools: (cursor) => requestInSession("tools/list", cursor === undefined ? {} : { cursor }),
  };
}

class SessionGoneError extends Error {
  override name = "SessionGoneError";
}

function rejectHttpFailure(response: Response, onThrottle: (() => void) | undefined): void {
  const { status } = response;
  if (status === 429) {
    onThrottle?.();
    throw new TransientError("gateway throttled the call (429)", { errorClass: "RATE_LIMIT" });
  }
  if (status >= 500) throw new TransientError(`gateway answered ${status}`);
  if (status >= 400) throw new PermanentError(`gateway rejected the request (${status})`);
}

function isTimeout(error: unknown): boolean {
  return error instanceof TimeoutError || (error instanceof DOMException && error.name === "TimeoutError");
}

/** Reads the JSON-RPC response with the given id from a JSON body or an SSE stream. */
async function readReply(response: Response, id: number, timeoutMs: number): Promise<McpReply> {
  const contentType = response.headers.get("content-type") ?? "";
  let rawBody: string;
  try {
    rawBody = await response.text();
  } catch (error) {
    if (isTimeout(error)) {
      throw new TransientError(`gateway reply did not complete within ${timeoutMs} ms`, {
        cause: error,
        errorClass: "TIMEOUT",
      });
    }
    throw new TransientError(`gateway reply broke off: ${(error as Error).message}`, { cause: error });
  }
  const messages = contentType.includes("text/event-stream") ? sseMessages(rawBody) : [rawBody];
  for (const text of messages) {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      continue;
    }
    for (const candidate of Array.isArray(message) ? message : [message]) {
      if (isJsonRpcResponse(candidate) && candidate.id === id) {
        return { status: response.status, contentType, rawBody, response: candidate };
      }
    }
  }
  throw new MalformedReplyError(
    `gateway reply (${response.status}, ${contentType || "no content type"}) holds no JSON-RPC response to request ${id}`,
    rawBody,
    contentType,
  );
}

function sseMessages(body: string): string[] {
  const data: string[] = [];
  const parser = createParser({ onEvent: (event) => data.push(event.data) });
  parser.feed(body);
  parser.reset({ consume: true });
  return data;
}

function isJsonRpcResponse(value: unknown): value is JsonRpcResponse {
  if (typeof value !== "object" || value === null) return false;
  const message = value as Record<string, unknown>;
  return message.jsonrpc === "2.0" && "id" in message && ("result" in message || "error" in message);
}
