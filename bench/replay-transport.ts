// Record-and-replay transport for the warm-overhead measurement. The handler and the bare business function
// make the same calls through the same clients; against the local engines each call costs milliseconds
// with jitter far above the microseconds being measured. So, after a warm-up that records each distinct
// request's real answer, both sides get that answer replayed in-process: everything the functions and
// the SDK do (serialize, sign, parse, validate, log) still runs, only the wait for the network is gone.
//
// AWS SDK clients: the client's own request handler (NodeHttpHandler) is wrapped. Fetch (the MCP client
// and OAuth, through ky; the S3 PUT, through aws4fetch): globalThis.fetch is wrapped; JSON-RPC replies get the request's id, as the
// client checks it.
import { Readable } from "node:stream";

type SdkRequest = { method: string; path: string; headers: Record<string, string>; body?: unknown };
type SdkResponse = { statusCode: number; reason?: string; headers: Record<string, string>; body: unknown };
type RequestHandler = { handle(request: SdkRequest, options?: unknown): Promise<{ response: SdkResponse }> };
type ClientWithConfig = { config: unknown };

interface StoredSdkAnswer {
  statusCode: number;
  reason?: string;
  headers: Record<string, string>;
  body: Buffer;
}
interface StoredFetchAnswer {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: string;
}

export interface ReplayTransport {
  /** Record real answers (the default) or replay recorded ones; an unrecorded request in replay mode fails. */
  mode: "record" | "replay";
  readonly recorded: number;
  restore(): void;
}

async function collect(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === "string" || Buffer.isBuffer(body)) return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** The tables a DynamoDB JSON request names, so two GetItems on different tables are told apart. */
function tablesOf(body: unknown): string {
  const text =
    typeof body === "string" ? body : body instanceof Uint8Array ? Buffer.from(body).toString("utf8") : undefined;
  if (text === undefined) return "";
  try {
    const parsed = JSON.parse(text) as {
      TableName?: string;
      RequestItems?: Record<string, unknown>;
      TransactItems?: Record<string, { TableName?: string }>[];
    };
    return [
      parsed.TableName,
      ...Object.keys(parsed.RequestItems ?? {}),
      ...(parsed.TransactItems ?? []).map((item) => Object.values(item)[0]?.TableName),
    ]
      .filter(Boolean)
      .join(",");
  } catch {
    return "";
  }
}

const sdkKey = (request: SdkRequest) =>
  `${request.method} ${request.path} ${request.headers["x-amz-target"] ?? ""} ${tablesOf(request.body)}`;

function withRequestId(body: string, contentType: string, id: unknown): string {
  if (id === undefined) return body;
  const rewrite = (json: string) => {
    const message = JSON.parse(json) as Record<string, unknown>;
    if ("id" in message) message.id = id;
    return JSON.stringify(message);
  };
  if (contentType.includes("text/event-stream")) {
    return body
      .split("\n")
      .map((line) => (line.startsWith("data: ") ? `data: ${rewrite(line.slice(6))}` : line))
      .join("\n");
  }
  return contentType.includes("json") && body ? rewrite(body) : body;
}

const nullBodyStatuses = new Set([101, 204, 205, 304]);

export function installReplayTransport(clients: readonly ClientWithConfig[]): ReplayTransport {
  const sdkAnswers = new Map<string, StoredSdkAnswer>();
  const fetchAnswers = new Map<string, StoredFetchAnswer>();
  const restorers: (() => void)[] = [];
  const transport: ReplayTransport = {
    mode: "record",
    get recorded() {
      return sdkAnswers.size + fetchAnswers.size;
    },
    restore: () => {
      for (const restore of restorers.splice(0)) restore();
    },
  };

  for (const client of clients) {
    const handler = (client.config as { requestHandler: RequestHandler }).requestHandler;
    const original = handler.handle;
    handler.handle = async (request, options) => {
      const key = sdkKey(request);
      let answer = sdkAnswers.get(key);
      if (!answer || transport.mode === "record") {
        if (transport.mode === "replay") throw new Error(`replay: nothing recorded for ${key}`);
        const { response } = await original.call(handler, request, options);
        answer = {
          statusCode: response.statusCode,
          reason: response.reason,
          headers: response.headers,
          body: await collect(response.body),
        };
        sdkAnswers.set(key, answer);
      }
      return {
        response: {
          statusCode: answer.statusCode,
          reason: answer.reason,
          headers: { ...answer.headers },
          body: Readable.from([answer.body]),
        },
      };
    };
    restorers.push(() => {
      handler.handle = original;
    });
  }

  const originalFetch = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const text = request.method === "POST" ? await request.clone().text() : "";
    let rpc: { method?: string; id?: unknown } = {};
    try {
      rpc = text.startsWith("{") ? (JSON.parse(text) as typeof rpc) : {};
    } catch {
      rpc = {};
    }
    const key = `${request.method} ${new URL(request.url).pathname} ${rpc.method ?? ""}`;
    let answer = fetchAnswers.get(key);
    if (!answer || transport.mode === "record") {
      if (transport.mode === "replay") throw new Error(`replay: nothing recorded for ${key}`);
      // Seconds of replay leave the kept-alive socket idle; the gateway may close it as the next request
      // goes out. One more attempt is the benchmark's business, not the function's (it makes one).
      const response = await originalFetch(request.clone()).catch(() => originalFetch(request));
      answer = {
        status: response.status,
        statusText: response.statusText,
        headers: [...response.headers],
        body: await response.text(),
      };
      fetchAnswers.set(key, answer);
    }
    const headers = new Headers(answer.headers);
    headers.delete("content-length");
    const body = withRequestId(answer.body, headers.get("content-type") ?? "", rpc.id);
    return new Response(nullBodyStatuses.has(answer.status) ? null : body, {
      status: answer.status,
      statusText: answer.statusText,
      headers,
    });
  };
  restorers.push(() => {
    globalThis.fetch = originalFetch;
  });
  return transport;
}
