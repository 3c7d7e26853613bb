// IAM in front of an engine that accepts any credentials (DynamoDB Local) or checks only that a key exists
// (s3rver): a guard is the engine's endpoint and a judge that reads a whole request and answers with the
// service's refusal, or with nothing to serve it. A guard proxy is that judge on a loopback port of its own,
// sending what it serves on unchanged, Host header included, and streaming the engine's answer back; a front
// that already proxies the functions' requests (the fault proxies) runs the same judge in its own hop instead.
import { Agent, createServer, request as forward } from "node:http";
import { type LoopbackServer, listenOnLoopback } from "../loopback-server.ts";
import { type HttpAnswer, writeAnswer } from "./refusals.ts";
import { readWholeRequest, type SignedRequest } from "./sigv4.ts";

export type GuardProxy = LoopbackServer;

export interface RequestGuard {
  /** The engine behind the guard. */
  upstream: string;
  /** The refusal to answer with, or undefined to serve the request. */
  judge(request: SignedRequest): Promise<HttpAnswer | undefined>;
}

/** The guard's answer, with a judge that failed answered as the proxy's own 500 rather than served. */
export async function guardAnswer(guard: RequestGuard, request: SignedRequest): Promise<HttpAnswer | undefined> {
  try {
    return await guard.judge(request);
  } catch (error) {
    return {
      status: 500,
      contentType: "text/plain",
      body: `the local IAM guard could not judge this request: ${(error as Error).message}`,
    };
  }
}

export async function startGuardProxy(guard: RequestGuard, port?: number): Promise<GuardProxy> {
  const upstream = new URL(guard.upstream);
  const agent = new Agent({ keepAlive: true });
  const server = createServer(async (incoming, outgoing) => {
    const request = await readWholeRequest(incoming);
    const refusal = await guardAnswer(guard, request);
    if (refusal) {
      writeAnswer(outgoing, refusal);
      return;
    }
    const { connection: _connection, "keep-alive": _keepAlive, ...headers } = incoming.headers;
    const sent = forward(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers,
        agent,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    sent.on("error", (error) => outgoing.destroy(error));
    sent.end(request.body);
  });
  return listenOnLoopback(server, port, agent);
}
