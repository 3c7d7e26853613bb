// API Gateway HTTP API (payload format 2.0) events as a JWT-authorized route delivers them.
import { randomUUID } from "node:crypto";
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from "aws-lambda";

export interface HttpApiRequest {
  method?: string;
  /** The request path, as the client sent it (percent-encoded). */
  path: string;
  query?: Record<string, string>;
  /** Verified token claims; `null` for a route deployed without the JWT authorizer. */
  claims?: Record<string, string | number | boolean | string[]> | null;
  headers?: Record<string, string>;
  /** What API Gateway fills in for a route key with `{parameters}`, already decoded. */
  pathParameters?: Record<string, string>;
}

export function httpApiEvent(request: HttpApiRequest): APIGatewayProxyEventV2WithJWTAuthorizer {
  const method = request.method ?? "GET";
  const query = request.query ?? {};
  const rawQueryString = new URLSearchParams(query).toString();
  const requestContext = {
    accountId: "123456789012",
    apiId: "status-api",
    domainName: "status-api.example.com",
    domainPrefix: "status-api",
    http: { method, path: request.path, protocol: "HTTP/1.1", sourceIp: "203.0.113.10", userAgent: "local" },
    requestId: randomUUID(),
    routeKey: "$default",
    stage: "$default",
    time: new Date().toUTCString(),
    timeEpoch: Date.now(),
    ...(request.claims === null
      ? {}
      : {
          authorizer: { principalId: "", integrationLatency: 0, jwt: { claims: request.claims ?? {}, scopes: null } },
        }),
  };
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: request.path,
    rawQueryString,
    headers: { accept: "application/json", host: "status-api.example.com", ...lowerCaseKeys(request.headers ?? {}) },
    queryStringParameters: rawQueryString === "" ? undefined : query,
    pathParameters: request.pathParameters,
    requestContext,
    isBase64Encoded: false,
  } as APIGatewayProxyEventV2WithJWTAuthorizer;
}

/** Claims of a Cognito-style access token for one tenant. */
export function tenantClaims(tenantId: string, claim = "custom:tenant_id") {
  return { sub: randomUUID(), token_use: "access", scope: "executions/read", [claim]: tenantId };
}

// HTTP API lower-cases header names before the function sees them.
function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}
