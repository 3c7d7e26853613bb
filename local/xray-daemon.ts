// An X-Ray daemon stand-in: receives trace documents over UDP on loopback the way the X-Ray SDK sends them
// (a `{"format":"json","version":1}` header line, then one segment or subsegment document).
import { createSocket } from "node:dgram";

export interface TraceDocument {
  trace_id: string;
  id: string;
  name: string;
  parent_id?: string;
  type?: "subsegment";
  start_time: number;
  end_time?: number;
  in_progress?: boolean;
  origin?: string;
  error?: boolean;
  fault?: boolean;
  throttle?: boolean;
  namespace?: string;
  annotations?: Record<string, string | number | boolean>;
  metadata?: Record<string, unknown>;
  cause?: unknown;
  subsegments?: TraceDocument[];
  [field: string]: unknown;
}

export interface XRayDaemon {
  /** `host:port`, as AWS_XRAY_DAEMON_ADDRESS takes it. */
  address: string;
  onDocument(listener: (document: TraceDocument) => void): void;
  stop(): Promise<void>;
}

export async function startXRayDaemon(options: { port?: number } = {}): Promise<XRayDaemon> {
  const socket = createSocket("udp4");
  const listeners: ((document: TraceDocument) => void)[] = [];
  socket.on("message", (message) => {
    const text = message.toString("utf8");
    const body = text.slice(text.indexOf("\n") + 1);
    try {
      const document = JSON.parse(body) as TraceDocument;
      for (const listener of listeners) listener(document);
    } catch {
      // The daemon drops what it cannot parse, as the real one does.
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(options.port ?? 0, "127.0.0.1", resolve);
  });
  const { port } = socket.address();
  return {
    address: `127.0.0.1:${port}`,
    onDocument: (listener) => listeners.push(listener),
    stop: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

/** A new X-Ray trace id: `1-<epoch seconds, hex>-<96 random bits, hex>`. */
export function newTraceId(now = Date.now()): string {
  return `1-${Math.floor(now / 1000)
    .toString(16)
    .padStart(8, "0")}-${randomHex(12)}`;
}

export function newSegmentId(): string {
  return randomHex(8);
}

function randomHex(bytes: number): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("hex");
}
