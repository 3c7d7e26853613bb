// HTTP answers of the status API: every error body is `{ message }` as JSON (ErrorResponse). 4xx messages
// are meant for the caller; 5xx ones are replaced by a generic message unless marked safe to show.
import type { MiddlewareObj } from "@middy/core";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { TransientError, toStateError } from "#kernel/errors.ts";
import { logger } from "#kernel/powertools.ts";

const jsonHeaders = { "Content-Type": "application/json", "Cache-Control": "no-store" } as const;

/**
 * An error with the answer it stands for. @middy/http-error-handler sends `message` as the body, so the
 * message is the JSON body and `detail` keeps the plain text for logs.
 */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly expose: boolean;
  readonly detail: string;
  readonly headers: Record<string, string>;

  constructor(
    statusCode: number,
    detail: string,
    options: ErrorOptions & { headers?: Record<string, string>; expose?: boolean } = {},
  ) {
    super(JSON.stringify({ message: detail }), options);
    this.name = "HttpError";
    this.statusCode = statusCode;
    this.detail = detail;
    this.expose = options.expose ?? statusCode < 500;
    this.headers = { ...jsonHeaders, ...options.headers };
  }
}

export function jsonResponse(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { ...jsonHeaders }, body: JSON.stringify(body) };
}

export const internalErrorBody = JSON.stringify({ message: "Internal server error" });

/**
 * For @middy/http-error-handler: a refused request is routine, a busy store is worth a warning (its cause
 * says which), anything else is a fault.
 */
export function logHttpError(error: unknown): void {
  if (error instanceof HttpError && error.statusCode < 500) {
    logger.info("request refused", { statusCode: error.statusCode, reason: error.detail });
  } else if (error instanceof HttpError && error.statusCode === 503) {
    logger.warn("request deferred", { statusCode: error.statusCode, reason: error.detail, cause: error.cause });
  } else {
    logger.error("request failed", error instanceof Error ? error : String(error));
  }
}

/**
 * Throttling and server faults that the SDK's own retries did not overcome are a moment's unavailability,
 * not a broken server: they answer 503 with Retry-After. Must run before @middy/http-error-handler's
 * onError, i.e. be `use`d after it.
 */
export function transientFailuresAsUnavailable(): MiddlewareObj {
  return {
    onError: (request) => {
      const error = request.error;
      if (!error || error instanceof HttpError) return;
      if (toStateError(error) instanceof TransientError) {
        request.error = serviceUnavailable({ cause: error });
      }
    },
  };
}

export function serviceUnavailable(options: ErrorOptions = {}): HttpError {
  return new HttpError(503, "The execution store is busy; retry the request shortly", {
    ...options,
    expose: true,
    headers: { "Retry-After": "1" },
  });
}

export interface RouteShape {
  readonly method: string;
  readonly path: string;
}

/** `/executions/{action_intent_id}/status` -> a pattern matching that path with any one-segment value. */
function pathPattern(template: string): RegExp {
  return new RegExp(`^${template.replace(/\{[^/}]+\}/g, "[^/]+")}/?$`);
}

/**
 * For @middy/http-router's `notFoundResponse`: a path some route serves with another method answers 405
 * with `Allow`; any other path answers 404.
 */
export function unroutable(routes: readonly RouteShape[]) {
  const patterns = routes.map((route) => ({ method: route.method, pattern: pathPattern(route.path) }));
  return ({ method, path }: { method: string; path: string }): never => {
    const allowed = patterns.filter((route) => route.pattern.test(path)).map((route) => route.method);
    if (allowed.length > 0) {
      throw new HttpError(405, `Method ${method} is not allowed here; use ${allowed.join(" or ")}`, {
        headers: { Allow: allowed.join(", ") },
      });
    }
    throw new HttpError(404, "No such resource");
  };
}
