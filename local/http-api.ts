// A stand-in for the deployed status API (infra/api/index.ts) on loopback: an API Gateway HTTP API on its
// `$default` stage with the status routes, each behind a JWT authorizer trusting the local signing key,
// API-level CORS, and an AWS_PROXY integration with payload format 2.0. A request reaches `invoke` only
// when it matches a route and carries a token API Gateway would accept; everything else is answered here
// the way API Gateway answers it.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from "aws-lambda";
import { statusRoutes } from "../functions/status-api/routes.ts";
import { authorizerClaims, payloadV2Event } from "./http-api-event.ts";
import { jwks, type LocalSigningKey, type TokenVerification, verifyToken } from "./jwt.ts";

/** Unauthenticated: the keys the local authorizer trusts. Not a route of the deployed API. */
export const JWKS_PATH = "/.well-known/jwks.json";

/** The `httpApi` section of `.local/endpoints.json`: what `npm run token` needs to mint a token. */
export interface LocalEndpointsFile {
  /** Base URL of the local HTTP API, e.g. `http://127.0.0.1:4010` (the `$default` stage serves at the root). */
  url: string;
  /** The issuer the authorizer accepts (`iss`). */
  issuer: string;
  /** The audiences the authorizer accepts (`aud`, or `client_id`); tokens are minted for the first. */
  audience: string[];
  /** The claim the status function reads the tenant from (`TENANT_CLAIM`). */
  tenantClaim: string;
  /** The private signing key, relative to the repository root or absolute: `.local/jwt-signing-key.json`. */
  signingKeyFile: string;
}

export type InvokeStatusFunction = (event: APIGatewayProxyEventV2WithJWTAuthorizer) => Promise<APIGatewayProxyResultV2>;

export interface HttpApiOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  issuer: string;
  audience: string[];
  /** Exact origins; none means no CORS configuration, as for the deployed API. */
  corsAllowedOrigins: string[];
  signingKey: LocalSigningKey;
  /** The integration: called with the event API Gateway would send the function. */
  invoke: InvokeStatusFunction;
  /** Told about a function that threw (the client gets API Gateway's 500); default: printed to stderr. */
  onInvokeError?: (error: unknown, event: APIGatewayProxyEventV2WithJWTAuthorizer) => void;
}

export interface LocalHttpApi {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** The deployed API's CORS configuration (infra/api/index.ts `corsConfiguration`), kept in step by hand. */
const cors = {
  allowMethods: ["GET", "OPTIONS"],
  allowHeaders: ["authorization", "content-type"],
  maxAgeSeconds: 600,
};

interface Route {
  routeKey: string;
  method: string;
  pattern: RegExp;
  parameterNames: string[];
}

/** The HTTP API's routes: exactly the status routes the infra declares. */
const routes: Route[] = Object.values(statusRoutes).map(({ method, path }) => routeOf(method, path));

export async function startHttpApi(options: HttpApiOptions): Promise<LocalHttpApi> {
  for (const origin of options.corsAllowedOrigins) {
    if (origin.includes("*") || !URL.canParse(origin) || new URL(origin).origin !== origin) {
      throw new Error(`corsAllowedOrigins must be exact origins like https://app.example.com, got "${origin}"`);
    }
  }
  if (options.audience.length === 0) throw new Error("the HTTP API needs at least one audience");
  const trusted = jwks(options.signingKey);
  const onInvokeError =
    options.onInvokeError ??
    ((error: unknown, event: APIGatewayProxyEventV2WithJWTAuthorizer) =>
      console.error(`local HTTP API: ${event.routeKey} failed:`, error));

  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      console.error("local HTTP API: could not answer a request:", error);
      if (!response.headersSent) send(response, 500, { "content-type": "application/json" }, internalError);
      else response.destroy();
    });
  });

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const receivedAt = new Date();
    const method = request.method ?? "GET";
    const target = request.url ?? "/";
    const queryStart = target.indexOf("?");
    const rawPath = queryStart < 0 ? target : target.slice(0, queryStart);
    const rawQueryString = queryStart < 0 ? "" : target.slice(queryStart + 1);
    const body = await readBody(request);

    const origin = header(request, "origin");
    const corsConfigured = options.corsAllowedOrigins.length > 0;
    const allowedOrigin = origin !== undefined && options.corsAllowedOrigins.includes(origin) ? origin : undefined;
    const answer = (status: number, headers: Record<string, string | string[]>, content: string | Buffer) =>
      send(response, status, withCors(headers, allowedOrigin, requestId), content);
    const message = (status: number, text: string, headers: Record<string, string> = {}) =>
      answer(status, { "content-type": "application/json", ...headers }, JSON.stringify({ message: text }));

    // With CORS configured, API Gateway answers every preflight itself: no route, no token needed.
    if (corsConfigured && method === "OPTIONS" && origin && header(request, "access-control-request-method")) {
      const preflight: Record<string, string> = allowedOrigin
        ? {
            "access-control-allow-methods": cors.allowMethods.join(","),
            "access-control-allow-headers": cors.allowHeaders.join(","),
            "access-control-max-age": String(cors.maxAgeSeconds),
          }
        : {};
      answer(204, preflight, "");
      return;
    }

    if (method === "GET" && rawPath === JWKS_PATH) {
      answer(200, { "content-type": "application/json" }, JSON.stringify(trusted));
      return;
    }

    const matched = matchRoute(method, rawPath);
    if (matched === "undecodable") return message(400, "Bad Request");
    if (!matched) return message(404, "Not Found");

    const verification = await authorize(header(request, "authorization"));
    if (verification.ok !== true) {
      return message(401, "Unauthorized", { "www-authenticate": challenge(verification) });
    }

    const headers = payloadHeaders(request);
    const cookies = headers.cookie?.split(/[;,]\s*/).filter((cookie) => cookie !== "");
    delete headers.cookie;
    const event = payloadV2Event({
      method,
      routeKey: matched.route.routeKey,
      rawPath,
      rawQueryString,
      headers,
      cookies,
      pathParameters: matched.pathParameters,
      claims: authorizerClaims(verification.claims),
      // The deployed routes ask for no authorization scopes, and such a route's event carries none.
      scopes: null,
      sourceIp: sourceIpOf(request),
      userAgent: headers["user-agent"] ?? "",
      domainName: (headers.host ?? "127.0.0.1").replace(/:\d+$/, ""),
      protocol: `HTTP/${request.httpVersion}`,
      requestId,
      receivedAt,
      ...requestBody(body, headers["content-type"]),
    });

    let result: APIGatewayProxyResultV2;
    try {
      result = await options.invoke(event);
    } catch (error) {
      onInvokeError(error, event);
      return message(500, "Internal Server Error");
    }
    const integration = integrationResponse(result, corsConfigured);
    if (!integration) {
      onInvokeError(new Error(`malformed Lambda proxy response: ${JSON.stringify(result)}`), event);
      return message(500, "Internal Server Error");
    }
    answer(integration.statusCode, integration.headers, integration.body);
  }

  async function authorize(authorization: string | undefined): Promise<TokenVerification | { ok: "missing" }> {
    // The identity source may hold the token alone or prefixed with "Bearer".
    const token = authorization?.replace(/^bearer\s+/i, "").trim();
    if (!token) return { ok: "missing" } as const;
    return verifyToken(trusted, token, { issuer: options.issuer, audience: options.audience });
  }

  const port = await new Promise<number>((resolve, reject) => {
    const requested = options.port ?? 0;
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "EADDRINUSE"
          ? new Error(`port ${requested} is already in use`, { cause: error })
          : new Error(`cannot listen on 127.0.0.1:${requested}: ${error.message}`, { cause: error }),
      );
    });
    server.listen(requested, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

const internalError = JSON.stringify({ message: "Internal Server Error" });

/**
 * The `www-authenticate` API Gateway sends with a refused token: `Bearer scope="" error="invalid_token"
 * error_description="..."`. AWS publishes that layout with "the token does not have a valid audience";
 * the other descriptions are this stand-in's own. A request without a token gets the bare scheme.
 */
function challenge(verification: Exclude<TokenVerification, { ok: true }> | { ok: "missing" }): string {
  if (verification.ok === "missing") return "Bearer";
  return `Bearer scope="" error="invalid_token" error_description="${verification.message.replaceAll('"', "'")}"`;
}

function routeOf(method: string, path: string): Route {
  const parameterNames: string[] = [];
  const source = path
    .split("/")
    .map((segment) => {
      const parameter = /^\{([^}+]+)(\+?)\}$/.exec(segment);
      if (!parameter) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      parameterNames.push(parameter[1] as string);
      return parameter[2] ? "(.+)" : "([^/]+)";
    })
    .join("/");
  return { routeKey: `${method} ${path}`, method, pattern: new RegExp(`^${source}$`), parameterNames };
}

type RouteMatch = { route: Route; pathParameters: Record<string, string> };

function matchRoute(method: string, rawPath: string): RouteMatch | "undecodable" | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const found = route.pattern.exec(rawPath);
    if (!found) continue;
    const pathParameters: Record<string, string> = {};
    try {
      route.parameterNames.forEach((name, index) => {
        pathParameters[name] = decodeURIComponent(found[index + 1] as string);
      });
    } catch {
      return "undecodable";
    }
    return { route, pathParameters };
  }
  return undefined;
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

/** Request headers as the function sees them: lower-case names, repeats joined with commas, plus the
 * forwarding headers API Gateway adds. */
function payloadHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) {
    const name = (request.rawHeaders[index] as string).toLowerCase();
    const value = request.rawHeaders[index + 1] as string;
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const { localPort } = request.socket;
  headers["x-forwarded-for"] = headers["x-forwarded-for"]
    ? `${headers["x-forwarded-for"]}, ${sourceIpOf(request)}`
    : sourceIpOf(request);
  headers["x-forwarded-port"] = String(localPort ?? "");
  headers["x-forwarded-proto"] = "http";
  headers["x-amzn-trace-id"] ??=
    `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replaceAll("-", "").slice(0, 24)}`;
  return headers;
}

function sourceIpOf(request: IncomingMessage): string {
  return (request.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, "");
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const textContent = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+(json|xml))/i;

function requestBody(body: Buffer, contentType: string | undefined): { body?: string; isBase64Encoded: boolean } {
  if (body.length === 0) return { isBase64Encoded: false };
  if (contentType && textContent.test(contentType)) return { body: body.toString("utf8"), isBase64Encoded: false };
  return { body: body.toString("base64"), isBase64Encoded: true };
}

interface IntegrationResponse {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: string | Buffer;
}

/**
 * Reads the function's result as payload format 2.0 does: an object with `statusCode` is the response;
 * anything else that is valid JSON is a 200 `application/json` body (a string as it is, anything else as
 * JSON). With CORS configured, CORS headers from the function are dropped, as API Gateway ignores them.
 */
function integrationResponse(
  result: APIGatewayProxyResultV2,
  corsConfigured: boolean,
): IntegrationResponse | undefined {
  if (typeof result !== "object" || result === null || !("statusCode" in result)) {
    const body = typeof result === "string" ? result : (JSON.stringify(result) ?? "null");
    return { statusCode: 200, headers: { "content-type": "application/json" }, body };
  }
  const { statusCode, headers = {}, cookies = [], body = "", isBase64Encoded = false } = result;
  if (statusCode === undefined || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) return;
  if (typeof body !== "string") return;
  const responseHeaders: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === "content-length" || lower === "transfer-encoding" || lower === "connection") continue;
    if (corsConfigured && lower.startsWith("access-control-")) continue;
    responseHeaders[name] = String(value);
  }
  if (cookies.length > 0) responseHeaders["set-cookie"] = cookies;
  return { statusCode, headers: responseHeaders, body: isBase64Encoded ? Buffer.from(body, "base64") : body };
}

function withCors(
  headers: Record<string, string | string[]>,
  allowedOrigin: string | undefined,
  requestId: string,
): Record<string, string | string[]> {
  return {
    ...headers,
    ...(allowedOrigin ? { "access-control-allow-origin": allowedOrigin } : {}),
    "apigw-requestid": requestId,
  };
}

function send(
  response: ServerResponse,
  status: number,
  headers: Record<string, string | string[]>,
  content: string | Buffer,
): void {
  response.writeHead(status, { ...headers, "content-length": String(Buffer.byteLength(content)) });
  response.end(content);
}
