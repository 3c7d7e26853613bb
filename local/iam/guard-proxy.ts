// A loopback proxy that puts IAM in front of an engine that accepts any credentials (DynamoDB Local) or
// checks only that a key exists (s3rver): each request is read whole, judged, and either answered with
// the service's refusal or sent on unchanged, Host header included, and the engine's answer streamed back.
import { Agent, createServer, request as forward } from "node:http";
import { type LoopbackServer, listenOnLoopback } from "../loopback-server.ts";
import { type HttpAnswer, writeAnswer } from "./refusals.ts";
import type { SignedRequest } from "./sigv4.ts";

export type GuardProxy = LoopbackServer;

export async function startGuardProxy(options: {
  upstream: string;
  port?: number;
  /** The refusal to answer with, or undefined to serve the request. */
  judge(request: SignedRequest): Promise<HttpAnswer | undefined>;
}): Promise<GuardProxy> {
  const upstream = new URL(options.upstream);
  const agent = new Agent({ keepAlive: true });
  const server = createServer(async (incoming, outgoing) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const request: SignedRequest = {
      method: incoming.method ?? "GET",
      url: incoming.url ?? "/",
      headers: incoming.headers,
      body: Buffer.concat(chunks),
    };
    let refusal: HttpAnswer | undefined;
    try {
      refusal = await options.judge(request);
    } catch (error) {
      refusal = {
        status: 500,
        contentType: "text/plain",
        body: `the local IAM guard could not judge this request: ${(error as Error).message}`,
      };
    }
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
  return listenOnLoopback(server, options.port, agent);
}
