// Reads a request on the wire the way its service would, into what a fault can select on: the operation,
// the logical targets it touches, the function that signed it, and a stable subject for seeded decisions.
import type { IncomingHttpHeaders } from "node:http";
import type { FaultService } from "../../schemas/fault-profile.ts";
import type { AnswerContext } from "./answers.ts";
import { type FaultRequest, stableSubject } from "./plan.ts";
import type { TargetNames } from "./targets.ts";

export interface WireRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface DescribedRequest {
  request: FaultRequest;
  context: AnswerContext;
}

/** Who signed a request: the access key of its SigV4 credential scope, as the function's role issued it. */
export function signerKey(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  return typeof authorization === "string" ? /Credential=([^/,\s]+)\//.exec(authorization)?.[1] : undefined;
}

type Json = Record<string, unknown>;

function parseJson(body: Buffer): Json | undefined {
  try {
    const value: unknown = JSON.parse(body.toString("utf8") || "{}");
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

const logicalOf = (names: TargetNames) => {
  const byPhysical = new Map(Object.entries(names).map(([logical, physical]) => [physical, logical]));
  return (physical: unknown) => (typeof physical === "string" ? (byPhysical.get(physical) ?? physical) : undefined);
};

/** The key attributes of DynamoDB items: enough to tell items apart, nothing that changes per run. */
const keyAttributes = new Set(["pk", "sk", "id", "action_type", "registry_version", "gsi1pk"]);

function itemKeys(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(itemKeys);
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value as Json).flatMap(([name, member]) => {
    if (name === "Key") return [member];
    if (name === "Item" && typeof member === "object" && member !== null) {
      return [Object.fromEntries(Object.entries(member as Json).filter(([attribute]) => keyAttributes.has(attribute)))];
    }
    // Values change from call to call (timestamps) except a query's key condition, read below.
    if (name === "ExpressionAttributeValues") return [];
    return itemKeys(member);
  });
}

function describeDynamodb(request: WireRequest, tables: TargetNames): DescribedRequest | undefined {
  const operation = String(request.headers["x-amz-target"] ?? "").split(".")[1];
  const body = parseJson(request.body);
  if (!operation || !body) return undefined;
  const logical = logicalOf(tables);
  const transactItems = Array.isArray(body.TransactItems) ? (body.TransactItems as Json[]) : [];
  const physical = [
    body.TableName,
    ...Object.keys((body.RequestItems as Json | undefined) ?? {}),
    ...transactItems.flatMap((item) => Object.values(item).map((part) => (part as Json | undefined)?.TableName)),
  ];
  const targets = [...new Set(physical.map(logical).filter((name): name is string => name !== undefined))];
  return {
    request: {
      service: "dynamodb",
      operation,
      targets,
      subject: stableSubject(
        `${operation} ${targets.join(",")} ${JSON.stringify(itemKeys(body))} ${
          operation === "Query" ? JSON.stringify(body.ExpressionAttributeValues) : ""
        }`,
      ),
    },
    context: { transactItems: transactItems.length },
  };
}

/** Path-style S3 requests, as the functions send them (S3_FORCE_PATH_STYLE). */
function describeS3(request: WireRequest, buckets: TargetNames): DescribedRequest {
  const path = new URL(request.url, "http://local").pathname;
  const [bucket = "", ...key] = path.slice(1).split("/");
  const operation =
    { PUT: "PutObject", GET: "GetObject", HEAD: "HeadObject", DELETE: "DeleteObject" }[request.method] ??
    `${request.method}Object`;
  const target = logicalOf(buckets)(decodeURIComponent(bucket)) ?? bucket;
  return {
    request: { service: "s3", operation, targets: [target], subject: stableSubject(`${operation} ${key.join("/")}`) },
    context: {},
  };
}

function describeSecretsManager(request: WireRequest, secrets: TargetNames): DescribedRequest {
  const operation = String(request.headers["x-amz-target"] ?? "").split(".")[1] ?? "";
  const secretId = String(parseJson(request.body)?.SecretId ?? "");
  const target = Object.entries(secrets).find(([, physical]) => physical === secretId || physical.startsWith(secretId));
  return {
    request: {
      service: "secretsmanager",
      operation,
      targets: [target?.[0] ?? secretId],
      subject: `${operation} ${secretId}`,
    },
    context: {},
  };
}

function describeEventBridge(request: WireRequest, buses: TargetNames): DescribedRequest {
  const operation = String(request.headers["x-amz-target"] ?? "").split(".")[1] ?? "";
  const entries = (parseJson(request.body)?.Entries as Json[] | undefined) ?? [];
  const logical = logicalOf(buses);
  const about = entries.map((entry) => {
    const detail = parseJson(Buffer.from(String(entry.Detail ?? "")));
    return `${String(entry.DetailType)}:${String(detail?.action_intent_id ?? "")}`;
  });
  return {
    request: {
      service: "eventbridge",
      operation,
      targets: [...new Set(entries.map((entry) => logical(entry.EventBusName ?? "default") ?? "default"))],
      subject: stableSubject(`${operation} ${about.join(",")}`),
    },
    context: {},
  };
}

/**
 * MCP over Streamable HTTP: a POST carries one JSON-RPC message (a tool call names its tool and idempotency
 * key); the token endpoint is the OAuth client-credentials grant. GET streams and DELETEs are not judged.
 */
function describeGateway(request: WireRequest): DescribedRequest | undefined {
  if (request.method !== "POST") return undefined;
  const path = new URL(request.url, "http://local").pathname;
  if (path.endsWith("/oauth2/token")) {
    return { request: { service: "gateway", operation: "token", targets: [], subject: "token" }, context: {} };
  }
  const message = parseJson(request.body);
  if (!message || typeof message.method !== "string") return undefined;
  const params = (message.params as Json | undefined) ?? {};
  const tool = message.method === "tools/call" && typeof params.name === "string" ? params.name : undefined;
  const key = ((params.arguments as Json | undefined)?.idempotency_key as string | undefined) ?? "";
  return {
    request: {
      service: "gateway",
      operation: message.method,
      targets: tool ? [tool] : [],
      subject: tool ? `${tool} ${key}` : message.method,
    },
    context: { requestId: message.id },
  };
}

export function describeRequest(
  service: Exclude<FaultService, "lambda">,
  request: WireRequest,
  names: TargetNames,
): DescribedRequest | undefined {
  switch (service) {
    case "dynamodb":
      return describeDynamodb(request, names);
    case "s3":
      return describeS3(request, names);
    case "secretsmanager":
      return describeSecretsManager(request, names);
    case "eventbridge":
      return describeEventBridge(request, names);
    case "gateway":
      return describeGateway(request);
  }
}
