// A loopback proxy in front of one service, where a fault is played as the network and the service would
// play it: an error answer instead of the service's (before it acts), the service's answer replaced by an
// error or a reset connection once it has acted (after), or a delay. Requests are forwarded unchanged,
// Host header included, so SigV4 signatures made for this endpoint still verify behind it. In front of an
// engine that local IAM guards (DynamoDB Local, s3rver), the proxy runs the guard's judge itself and sends
// straight to the engine: one hop on the functions' path, not two, with the same refusals.
import { Agent, createServer, request as forward, type IncomingMessage, type ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { guardAnswer, type RequestGuard } from "../iam/guard-proxy.ts";
import { type HttpAnswer, writeAnswer } from "../iam/refusals.ts";
import { readWholeRequest } from "../iam/sigv4.ts";
import { type LoopbackServer, listenOnLoopback } from "../loopback-server.ts";
import type { FaultAnswer } from "./answers.ts";
import type { FaultDecision } from "./plan.ts";
import type { WireRequest } from "./requests.ts";

export interface WireFault {
  decision: FaultDecision;
  /** The error to answer with; absent for latency and reset. */
  answer?: FaultAnswer;
}

export type FaultProxy = LoopbackServer;

interface UpstreamAnswer {
  status: number;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

function writeFault(outgoing: ServerResponse, answer: FaultAnswer): void {
  outgoing.writeHead(answer.status, {
    ...answer.headers,
    "content-type": answer.contentType,
    "content-length": Buffer.byteLength(answer.body),
    "x-amzn-requestid": crypto.randomUUID(),
  });
  outgoing.end(answer.body);
}

/** Drops the client's connection with a TCP reset, as a load balancer or a crashed peer does. */
function reset(incoming: IncomingMessage): void {
  incoming.socket.resetAndDestroy();
}

/** The guard's refusal as the service's whole answer, for faults played after it. */
const refusalAnswer = (refusal: HttpAnswer): UpstreamAnswer => ({
  status: refusal.status,
  headers: { "content-type": refusal.contentType, "x-amzn-requestid": crypto.randomUUID() },
  body: Buffer.from(refusal.body),
});

export async function startFaultProxy(options: {
  /** The service's endpoint, or the engine behind it with its IAM guard's judge. */
  upstream: string | RequestGuard;
  port?: number;
  judge(request: WireRequest): WireFault | undefined;
}): Promise<FaultProxy> {
  const guard = typeof options.upstream === "string" ? undefined : options.upstream;
  const upstream = new URL(typeof options.upstream === "string" ? options.upstream : options.upstream.upstream);
  const agent = new Agent({ keepAlive: true });
  const refusalOf = (request: WireRequest) => (guard ? guardAnswer(guard, request) : Promise.resolve(undefined));

  const send = (request: WireRequest, onAnswer: (answer: IncomingMessage) => void, onError: (error: Error) => void) => {
    const { connection: _connection, "keep-alive": _keepAlive, ...headers } = request.headers;
    const sent = forward(
      { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers, agent },
      onAnswer,
    );
    sent.on("error", onError);
    sent.end(request.body);
  };

  /** Streams the service's answer back as it comes. */
  const relay = async (request: WireRequest, outgoing: ServerResponse) => {
    const refusal = await refusalOf(request);
    if (refusal) return writeAnswer(outgoing, refusal);
    send(
      request,
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
      (error) => outgoing.destroy(error),
    );
  };

  /** The service's whole answer, for faults played after it acted. */
  const complete = async (request: WireRequest) => {
    const refusal = await refusalOf(request);
    if (refusal) return refusalAnswer(refusal);
    return new Promise<UpstreamAnswer>((resolve, reject) =>
      send(
        request,
        async (answer) => {
          const chunks: Buffer[] = [];
          try {
            for await (const chunk of answer) chunks.push(chunk as Buffer);
            resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) });
          } catch (error) {
            reject(error);
          }
        },
        reject,
      ),
    );
  };

  async function serve(incoming: IncomingMessage, outgoing: ServerResponse) {
    const request: WireRequest = await readWholeRequest(incoming);
    const fault = options.judge(request);
    if (!fault) return relay(request, outgoing);
    const { decision, answer } = fault;
    const kind = decision.fault.kind;
    if (decision.at === "before") {
      if (decision.delayMs > 0) await sleep(decision.delayMs);
      // A client that gave up meanwhile never had its request delivered.
      if (outgoing.destroyed || incoming.socket.destroyed) return;
      if (answer) return writeFault(outgoing, answer);
      if (kind === "reset") return reset(incoming);
      // latency: delivered late, answered as the service answers.
      return relay(request, outgoing);
    }
    // After: the service acts on the request whatever happens to its answer.
    const served = await complete(request);
    if (decision.delayMs > 0) await sleep(decision.delayMs);
    if (outgoing.destroyed || incoming.socket.destroyed) return;
    if (answer) return writeFault(outgoing, answer);
    if (kind === "reset") return reset(incoming);
    outgoing.writeHead(served.status, served.headers);
    outgoing.end(served.body);
  }

  const server = createServer((incoming, outgoing) => {
    serve(incoming, outgoing).catch((error: unknown) => {
      if (!outgoing.headersSent) {
        writeFault(outgoing, { status: 502, contentType: "text/plain", body: `fault proxy: ${String(error)}` });
      } else outgoing.destroy();
    });
  });
  return listenOnLoopback(server, options.port, agent);
}
