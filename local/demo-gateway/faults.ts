// HTTP-level faults for the demo.* tools. A real gateway fails this way in front of MCP (load balancer 503,
// throttling 429, a proxy answering garbage), so these replies are written before the SDK transport sees the
// request: the client gets no JSON-RPC response at all, only the HTTP status and body below.
import type { ToolCall } from "./call-log.ts";

export type HttpFault = {
  status: number;
  headers: Record<string, string>;
  body: string;
};

export interface FaultInjector {
  /** The reply to send instead of handling the call, or undefined to let the call through. */
  faultFor(call: ToolCall): HttpFault | undefined;
  /** Forgets how often each `demo.flaky` key has failed, so the next calls fail again. */
  reset(): void;
}

export const DEFAULT_RETRY_AFTER_SECONDS = 1;

function errorReply(call: ToolCall, status: number, message: string, headers: Record<string, string> = {}): HttpFault {
  return {
    status,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ jsonrpc: "2.0", id: call.requestId, error: { code: -32000, message } }),
  };
}

/** A 200 whose body is JSON but no JSON-RPC message, or not JSON at all, while claiming to be JSON. */
function malformedReply(call: ToolCall): HttpFault {
  const body =
    call.arguments.reply === "not_json"
      ? "<html><body>502 Bad Gateway</body></html>"
      : JSON.stringify({ status: "ok", note: "this reply is JSON but not a JSON-RPC message" });
  return { status: 200, headers: { "content-type": "application/json" }, body };
}

const isCount = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;

export function createFaultInjector(): FaultInjector {
  const flakyCallsByKey = new Map<string, number>();

  const flakyFault = (call: ToolCall): HttpFault | undefined => {
    const failTimes = call.arguments.fail_times;
    // Malformed arguments go through, so the tool's input validation answers them.
    if (call.idempotencyKey === undefined || !isCount(failTimes)) return undefined;
    const callsSoFar = (flakyCallsByKey.get(call.idempotencyKey) ?? 0) + 1;
    flakyCallsByKey.set(call.idempotencyKey, callsSoFar);
    return callsSoFar <= failTimes
      ? errorReply(call, 503, `Service unavailable (demo.flaky failure ${callsSoFar} of ${failTimes})`)
      : undefined;
  };

  return {
    faultFor(call) {
      switch (call.name) {
        case "demo.flaky":
          return flakyFault(call);
        case "demo.throttled": {
          const retryAfter = call.arguments.retry_after_seconds;
          const seconds = isCount(retryAfter) ? retryAfter : DEFAULT_RETRY_AFTER_SECONDS;
          return errorReply(call, 429, "Too many requests", { "retry-after": String(seconds) });
        }
        case "demo.malformed":
          return malformedReply(call);
        default:
          return undefined;
      }
    },
    reset: () => flakyCallsByKey.clear(),
  };
}
