// The execution status API behind an HTTP API with a JWT authorizer (payload v2):
//   GET /executions/{action_intent_id}/status[?account_id=]   one execution, in one DynamoDB round trip
//   GET /accounts/{account_id}/executions[?limit=&next_token=] one account's executions, newest first
// The tenant comes only from the verified token; every key read leads with it, so another tenant's
// execution is simply not found.
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import httpCors from "@middy/http-cors";
import httpErrorHandler from "@middy/http-error-handler";
import httpRouterHandler, { type Route } from "@middy/http-router";
import type { APIGatewayProxyResultV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { documentClient } from "#kernel/clients/dynamodb.ts";
import { correlate } from "#kernel/correlation.ts";
import { traceHandler } from "#kernel/handler-tracing.ts";
import { middyOptions } from "#kernel/middy-options.ts";
import { logger, metrics } from "#kernel/powertools.ts";
import { getExecutionWithIntent, listExecutionsByAccount } from "#kernel/repositories/executions.ts";
import { readStatusApiConfig } from "./config.ts";
import { executionView, listView } from "./execution-view.ts";
import {
  HttpError,
  internalErrorBody,
  jsonResponse,
  logHttpError,
  serviceUnavailable,
  transientFailuresAsUnavailable,
  unroutable,
} from "./http.ts";
import { decodePageToken } from "./page-token.ts";
import { type HttpApiEvent, readListRequest, readStatusRequest, tenantOf } from "./requests.ts";
import { statusRoutes } from "./routes.ts";

const config = readStatusApiConfig();

export async function executionStatus(event: HttpApiEvent): Promise<APIGatewayProxyStructuredResultV2> {
  const tenantId = tenantOf(event, config.tenantClaim);
  const query = readStatusRequest(event);
  correlate({ tenant_id: tenantId, action_intent_id: query.actionIntentId });

  const found = await getExecutionWithIntent(documentClient, config.tables, tenantId, query.actionIntentId);
  if (!found.complete) throw serviceUnavailable();

  const view = executionView(query.actionIntentId, found, Math.floor(Date.now() / 1000));
  // Another account's execution gets the same answer as a missing one, so the answer reveals nothing.
  if (!view || (query.accountId !== undefined && view.account_id !== query.accountId)) {
    throw new HttpError(404, `No execution found for action_intent_id ${query.actionIntentId}`);
  }
  return jsonResponse(200, view);
}

export async function accountExecutions(event: HttpApiEvent): Promise<APIGatewayProxyStructuredResultV2> {
  const tenantId = tenantOf(event, config.tenantClaim);
  const query = readListRequest(event, config.defaultPageSize);
  correlate({ tenant_id: tenantId, account_id: query.accountId });

  const startKey =
    query.nextToken === undefined ? undefined : decodePageToken(query.nextToken, tenantId, query.accountId);
  if (query.nextToken !== undefined && startKey === undefined) {
    throw new HttpError(400, "next_token is not a page token of this account's executions");
  }
  const page = await listExecutionsByAccount(
    documentClient,
    config.tables.executions,
    tenantId,
    query.accountId,
    query.limit,
    startKey,
  );
  return jsonResponse(200, listView(query.accountId, page));
}

/** Preflight, for when the HTTP API routes OPTIONS here unauthenticated; httpCors adds the CORS headers. */
async function preflight(): Promise<APIGatewayProxyStructuredResultV2> {
  return { statusCode: 204, headers: { "Cache-Control": "no-store" }, body: "" };
}

const statusPath = statusRoutes.executionStatus.path;
const listPath = statusRoutes.accountExecutions.path;

const routes: Route<HttpApiEvent, APIGatewayProxyResultV2>[] = [
  { method: "GET", path: statusPath, handler: executionStatus },
  { method: "GET", path: listPath, handler: accountExecutions },
  { method: "OPTIONS", path: statusPath, handler: preflight },
  { method: "OPTIONS", path: listPath, handler: preflight },
];

export const handler = middy<HttpApiEvent, APIGatewayProxyResultV2>(middyOptions)
  .use(traceHandler())
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  // Before the error handler, so its onError runs after the error response exists and decorates it too.
  .use(
    httpCors({
      origins: config.allowedOrigins,
      methods: "GET, OPTIONS",
      headers: "Authorization, Content-Type",
      maxAge: 600,
    }),
  )
  .use(httpErrorHandler({ logger: logHttpError, fallbackMessage: internalErrorBody }))
  .use(transientFailuresAsUnavailable())
  .handler(httpRouterHandler({ routes, notFoundResponse: unroutable(routes) }));
