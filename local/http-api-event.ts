// API Gateway HTTP API (payload format 2.0) events as a JWT-authorized route delivers them: one builder,
// `payloadV2Event`, used by the local HTTP API (local/http-api.ts) with what came over the wire, and
// `httpApiEvent`, the shorthand tests and the walkthrough use to call a handler directly.
import { randomUUID } from "node:crypto";
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from "aws-lambda";
import { DEFAULT_TENANT_CLAIM } from "../functions/status-api/tenant-claim.ts";

type ClaimValue = string | number | boolean | string[];

/** Everything a payload 2.0 event carries, as API Gateway has already normalized it. */
export interface PayloadV2Parts {
  method: string;
  /** `$default`, or the matched route's key, e.g. `GET /executions/{action_intent_id}/status`. */
  routeKey: string;
  /** The request path as the client sent it (percent-encoded). */
  rawPath: string;
  /** The query string as the client sent it, without `?`. */
  rawQueryString: string;
  /** Lower-case names, repeated headers already joined with commas, no `cookie` (see `cookies`). */
  headers: Record<string, string>;
  cookies?: string[];
  /** What API Gateway fills in for a route key with `{parameters}`, already decoded. */
  pathParameters?: Record<string, string>;
  /** The authorizer's claims; `null` for a route deployed without the JWT authorizer. */
  claims: Record<string, ClaimValue> | null;
  /** The route's authorization scopes the token met; `null` for a route that asks for none. */
  scopes?: string[] | null;
  sourceIp: string;
  userAgent: string;
  domainName: string;
  protocol?: string;
  requestId?: string;
  body?: string;
  isBase64Encoded?: boolean;
  accountId?: string;
  apiId?: string;
  /** When API Gateway received the request; default now. */
  receivedAt?: Date;
}

export function payloadV2Event(parts: PayloadV2Parts): APIGatewayProxyEventV2WithJWTAuthorizer {
  const receivedAt = parts.receivedAt ?? new Date();
  const queryStringParameters = parseQueryString(parts.rawQueryString);
  const event = {
    version: "2.0",
    routeKey: parts.routeKey,
    rawPath: parts.rawPath,
    rawQueryString: parts.rawQueryString,
    ...(parts.cookies?.length ? { cookies: parts.cookies } : {}),
    headers: parts.headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext: {
      accountId: parts.accountId ?? "123456789012",
      apiId: parts.apiId ?? "status-api",
      // Observed events carry neither principalId nor integrationLatency for a JWT authorizer.
      ...(parts.claims === null ? {} : { authorizer: { jwt: { claims: parts.claims, scopes: parts.scopes ?? null } } }),
      domainName: parts.domainName,
      domainPrefix: parts.domainName.split(".")[0] ?? parts.domainName,
      http: {
        method: parts.method,
        path: parts.rawPath,
        protocol: parts.protocol ?? "HTTP/1.1",
        sourceIp: parts.sourceIp,
        userAgent: parts.userAgent,
      },
      requestId: parts.requestId ?? randomUUID(),
      routeKey: parts.routeKey,
      stage: "$default",
      time: requestTime(receivedAt),
      timeEpoch: receivedAt.getTime(),
    },
    ...(parts.pathParameters ? { pathParameters: parts.pathParameters } : {}),
    ...(parts.body === undefined ? {} : { body: parts.body }),
    isBase64Encoded: parts.isBase64Encoded ?? false,
  };
  return event as APIGatewayProxyEventV2WithJWTAuthorizer;
}

export interface HttpApiRequest {
  method?: string;
  /** The request path, as the client sent it (percent-encoded). */
  path: string;
  query?: Record<string, string>;
  /** Verified token claims; `null` for a route deployed without the JWT authorizer. */
  claims?: Record<string, ClaimValue> | null;
  headers?: Record<string, string>;
  /** What API Gateway fills in for a route key with `{parameters}`, already decoded. */
  pathParameters?: Record<string, string>;
  /** Default `$default`. */
  routeKey?: string;
}

/** A payload 2.0 event for calling a handler directly, with a test client's usual headers. */
export function httpApiEvent(request: HttpApiRequest): APIGatewayProxyEventV2WithJWTAuthorizer {
  return payloadV2Event({
    method: request.method ?? "GET",
    routeKey: request.routeKey ?? "$default",
    rawPath: request.path,
    rawQueryString: new URLSearchParams(request.query ?? {}).toString(),
    headers: { accept: "application/json", host: "status-api.example.com", ...lowerCaseKeys(request.headers ?? {}) },
    pathParameters: request.pathParameters,
    claims: request.claims === null ? null : (request.claims ?? {}),
    sourceIp: "203.0.113.10",
    userAgent: "local",
    domainName: "status-api.example.com",
  });
}

/** Claims of a Cognito access token for one tenant, with the claim a pre-token-generation trigger adds. */
export function tenantClaims(tenantId: string, claim = DEFAULT_TENANT_CLAIM) {
  return {
    sub: randomUUID(),
    token_use: "access",
    client_id: "status-api-client",
    scope: "executions/read",
    [claim]: tenantId,
  };
}

/**
 * `queryStringParameters` as API Gateway builds it: decoded, a repeated name's values joined with commas,
 * and no field at all for an empty query string.
 */
export function parseQueryString(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString === "") return undefined;
  const parameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    parameters[name] = name in parameters ? `${parameters[name]},${value}` : value;
  }
  return parameters;
}

/**
 * Token claims as the JWT authorizer hands them to the function: every value a string. Numbers and
 * booleans as written (`"exp": "1787996002"`), a list the way Go prints a slice (`cognito:groups` as
 * `"[admin poweruser]"`), a null claim left out. Nested objects are JSON text, a case no capture showed.
 */
export function authorizerClaims(payload: Record<string, unknown>): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (value !== null && value !== undefined) claims[name] = claimText(value);
  }
  return claims;
}

function claimText(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return `[${value.map(claimText).join(" ")}]`;
  if (typeof value === "object" && value !== null) return JSON.stringify(value);
  return String(value);
}

const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `requestContext.time` in API Gateway's format, e.g. `12/Mar/2020:19:03:58 +0000`. */
export function requestTime(date: Date): string {
  const two = (value: number) => String(value).padStart(2, "0");
  return (
    `${two(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`
  );
}

// HTTP API lower-cases header names before the function sees them.
function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}
