import { ProvisionedThroughputExceededException } from "@aws-sdk/client-dynamodb";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { documentClient } from "#kernel/clients/dynamodb.ts";
import type { ExecutionRecord } from "#schemas/records.ts";
import { ErrorResponse, ExecutionListResponse, ExecutionStatusResponse } from "#schemas/validators.generated.js";
import { type LocalHttpApi, startHttpApi } from "../../local/http-api.ts";
import { type HttpApiRequest, httpApiEvent, tenantClaims } from "../../local/http-api-event.ts";
import { createLocalSigningKey, type LocalSigningKey, type MintOptions, mintToken } from "../../local/jwt.ts";
import { seedRunningAttempt } from "../../tests/support/attempts.ts";
import { lambdaContext, seedIntent, tableNames, uniqueTenant } from "../../tests/support/fixtures.ts";
import { functionLogs } from "../../tests/support/function-output.ts";
import { parseAllowedOrigins } from "./config.ts";
import { decodePageToken, encodePageToken } from "./page-token.ts";

const allowedOrigin = "https://console.example.com";
process.env.CORS_ALLOWED_ORIGINS = `${allowedOrigin}, https://ops.example.com`;
// Configuration is read at import, so the handler is loaded once the environment above is in place.
const { handler } = await import("./handler.ts");

const nowEpoch = () => Math.floor(Date.now() / 1000);

interface Answer {
  statusCode: number | undefined;
  headers: Record<string, unknown>;
  body: Record<string, unknown>;
}

async function call(request: HttpApiRequest): Promise<Answer> {
  const response = (await handler(
    httpApiEvent(request),
    lambdaContext("status-api"),
  )) as APIGatewayProxyStructuredResultV2;
  return {
    statusCode: response.statusCode,
    headers: (response.headers ?? {}) as Record<string, unknown>,
    body: response.body ? (JSON.parse(response.body) as Record<string, unknown>) : {},
  };
}

function getStatus(tenantId: string, actionIntentId: string, extra: Omit<HttpApiRequest, "path"> = {}) {
  return call({ path: `/executions/${actionIntentId}/status`, claims: tenantClaims(tenantId), ...extra });
}

function listExecutions(tenantId: string, accountId: string, query: Record<string, string> = {}) {
  return call({ path: `/accounts/${accountId}/executions`, query, claims: tenantClaims(tenantId) });
}

const seedExecution = (overrides: Partial<ExecutionRecord> & { tenant_id: string }) => seedRunningAttempt(overrides);

/** Response fields that would leak storage keys or internals if they ever reached a caller. */
const internalFields = ["pk", "sk", "gsi1pk", "gsi1sk", "tenant_id", "execution_id", "idempotency_key"];

function expectErrorBody(answer: Answer, statusCode: number, mentions?: string) {
  expect(answer.statusCode).toBe(statusCode);
  expect(answer.headers["Content-Type"]).toBe("application/json");
  expect(ErrorResponse(answer.body)).toBe(true);
  if (mentions) expect(answer.body.message).toContain(mentions);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("GET /executions/{action_intent_id}/status", () => {
  it("answers RUNNING from the attempt, without storage keys or the execution ARN", async () => {
    // Prepare
    const tenant_id = uniqueTenant();
    const intent = await seedIntent({ tenant_id });
    const record = await seedExecution({ tenant_id, action_intent_id: intent.action_intent_id });

    // Act
    const answer = await getStatus(tenant_id, intent.action_intent_id);

    // Assess
    expect(answer.statusCode).toBe(200);
    expect(ExecutionStatusResponse(answer.body)).toBe(true);
    expect(answer.body).toEqual({
      action_intent_id: intent.action_intent_id,
      account_id: intent.account_id,
      status: "RUNNING",
      execution_trace_id: record.execution_trace_id,
      attempt_count: 1,
      started_at: record.started_at,
      updated_at: record.updated_at,
      expires_at_epoch: intent.expires_at_epoch,
    });
    for (const field of internalFields) expect(answer.body).not.toHaveProperty(field);
  });

  it("answers SUCCEEDED with the tool and the external objects it wrote", async () => {
    const tenant_id = uniqueTenant();
    const external_object_refs = [{ system: "crm", object_type: "task", object_id: "T-1" }];
    const record = await seedExecution({
      tenant_id,
      status: "SUCCEEDED",
      completed_at: new Date().toISOString(),
      tool_name: "crm.create_task",
      external_object_refs,
      compensation_status: "NONE",
    });

    const answer = await getStatus(tenant_id, record.action_intent_id);

    expect(answer.statusCode).toBe(200);
    expect(ExecutionStatusResponse(answer.body)).toBe(true);
    expect(answer.body).toMatchObject({
      status: "SUCCEEDED",
      completed_at: record.completed_at,
      tool_name: "crm.create_task",
      external_object_refs,
      compensation_status: "NONE",
    });
  });

  it("answers FAILED with the recorded error", async () => {
    const tenant_id = uniqueTenant();
    const record = await seedExecution({
      tenant_id,
      status: "FAILED",
      completed_at: new Date().toISOString(),
      error_code: "TOOL_ERROR",
      error_class: "DOWNSTREAM",
      error_message: "CRM answered 502",
    });

    const answer = await getStatus(tenant_id, record.action_intent_id);

    expect(answer.statusCode).toBe(200);
    expect(ExecutionStatusResponse(answer.body)).toBe(true);
    expect(answer.body).toMatchObject({
      status: "FAILED",
      error_code: "TOOL_ERROR",
      error_class: "DOWNSTREAM",
      error_message: "CRM answered 502",
    });
  });

  it("answers EXPIRED for a recorded failure of class EXPIRED", async () => {
    const tenant_id = uniqueTenant();
    const record = await seedExecution({
      tenant_id,
      status: "FAILED",
      error_code: "IntentExpiredError",
      error_class: "EXPIRED",
      completed_at: new Date().toISOString(),
    });

    const answer = await getStatus(tenant_id, record.action_intent_id);

    expect(answer.statusCode).toBe(200);
    expect(ExecutionStatusResponse(answer.body)).toBe(true);
    expect(answer.body).toMatchObject({ status: "EXPIRED", error_class: "EXPIRED" });
  });

  it("answers EXPIRED for an intent past its expiry that never started", async () => {
    const tenant_id = uniqueTenant();
    const intent = await seedIntent({ tenant_id, expires_at_epoch: nowEpoch() - 60 });

    const answer = await getStatus(tenant_id, intent.action_intent_id);

    expect(answer.statusCode).toBe(200);
    expect(ExecutionStatusResponse(answer.body)).toBe(true);
    expect(answer.body).toEqual({
      action_intent_id: intent.action_intent_id,
      account_id: intent.account_id,
      status: "EXPIRED",
      expires_at_epoch: intent.expires_at_epoch,
    });
  });

  it("answers PENDING for an intent still in date that has not started", async () => {
    const tenant_id = uniqueTenant();
    const intent = await seedIntent({ tenant_id, expires_at_epoch: nowEpoch() + 3600 });

    const answer = await getStatus(tenant_id, intent.action_intent_id);

    expect(answer.statusCode).toBe(200);
    expect(ExecutionStatusResponse(answer.body)).toBe(true);
    expect(answer.body).toMatchObject({ status: "PENDING", expires_at_epoch: intent.expires_at_epoch });
  });

  it("answers 404 when neither an execution nor an intent exists", async () => {
    const answer = await getStatus(uniqueTenant(), "intent-never-stored");

    expectErrorBody(answer, 404, "intent-never-stored");
  });

  it("answers 404 for another tenant's execution, exactly as for a missing one", async () => {
    const owner = uniqueTenant();
    const intent = await seedIntent({ tenant_id: owner });
    await seedExecution({ tenant_id: owner, action_intent_id: intent.action_intent_id });
    const stranger = uniqueTenant();

    const asStranger = await getStatus(stranger, intent.action_intent_id);
    const asOwner = await getStatus(owner, intent.action_intent_id);

    expectErrorBody(asStranger, 404);
    expect(asStranger.body).toEqual({ message: `No execution found for action_intent_id ${intent.action_intent_id}` });
    expect(asOwner.statusCode).toBe(200);
  });

  it("answers 404 when account_id names another account than the execution's or the intent's", async () => {
    const tenant_id = uniqueTenant();
    const record = await seedExecution({ tenant_id, account_id: "account-a" });
    const intentOnly = await seedIntent({ tenant_id, account_id: "account-a" });

    const recordMismatch = await getStatus(tenant_id, record.action_intent_id, { query: { account_id: "account-b" } });
    const intentMismatch = await getStatus(tenant_id, intentOnly.action_intent_id, {
      query: { account_id: "account-b" },
    });
    const matching = await getStatus(tenant_id, record.action_intent_id, { query: { account_id: "account-a" } });

    expectErrorBody(recordMismatch, 404);
    expectErrorBody(intentMismatch, 404);
    expect(matching.statusCode).toBe(200);
  });

  it.each([
    ["contains '#'", "intent#1"],
    ["starts with '.'", ".hidden"],
    ["is longer than 128 characters", "i".repeat(129)],
  ])("answers 400 naming action_intent_id when it %s", async (_case, actionIntentId) => {
    const answer = await getStatus(uniqueTenant(), encodeURIComponent(actionIntentId), {
      pathParameters: { action_intent_id: actionIntentId },
    });

    expectErrorBody(answer, 400, "action_intent_id");
  });

  it("answers 400 naming account_id when the account_id query parameter is malformed", async () => {
    const answer = await getStatus(uniqueTenant(), "intent-1", { query: { account_id: "acct#1" } });

    expectErrorBody(answer, 400, "account_id");
  });

  it("answers 503 asking for a retry when the batch read leaves keys unprocessed", async () => {
    vi.spyOn(documentClient, "send").mockResolvedValueOnce({
      Responses: {},
      UnprocessedKeys: { [tableNames.executions]: { Keys: [{ pk: "p", sk: "s" }] } },
    } as never);

    const answer = await getStatus(uniqueTenant(), "intent-1", { headers: { origin: allowedOrigin } });

    expectErrorBody(answer, 503, "retry");
    expect(answer.headers["Retry-After"]).toBe("1");
    expect(answer.headers["Access-Control-Allow-Origin"]).toBe(allowedOrigin);
    expect(functionLogs()).toEqual([
      expect.objectContaining({ level: "WARN", message: "request deferred", statusCode: 503 }),
    ]);
  });

  it("answers 503 when DynamoDB throttles beyond the SDK's retries", async () => {
    vi.spyOn(documentClient, "send").mockRejectedValueOnce(
      new ProvisionedThroughputExceededException({ message: "throughput exceeded", $metadata: {} }),
    );

    const answer = await getStatus(uniqueTenant(), "intent-1");

    expectErrorBody(answer, 503, "retry");
    expect(functionLogs()).toEqual([
      expect.objectContaining({
        level: "WARN",
        message: "request deferred",
        cause: expect.objectContaining({ name: "ProvisionedThroughputExceededException" }),
      }),
    ]);
  });

  it("answers a generic 500 for an unexpected fault, without its details", async () => {
    vi.spyOn(documentClient, "send").mockRejectedValueOnce(new Error("socket hang up at 10.0.0.12"));

    const answer = await getStatus(uniqueTenant(), "intent-1", { headers: { origin: allowedOrigin } });

    expectErrorBody(answer, 500);
    expect(answer.body).toEqual({ message: "Internal server error" });
    expect(answer.headers["Access-Control-Allow-Origin"]).toBe(allowedOrigin);
    // The details the caller is not shown are in the function's log, for the operator.
    expect(functionLogs()).toEqual([
      expect.objectContaining({
        level: "ERROR",
        message: "request failed",
        error: expect.objectContaining({ message: "socket hang up at 10.0.0.12" }),
      }),
    ]);
  });
});

describe("GET /accounts/{account_id}/executions", () => {
  async function seedAccountHistory(tenant_id: string, account_id: string, count: number) {
    const records: ExecutionRecord[] = [];
    for (let minute = 0; minute < count; minute += 1) {
      const startedAt = new Date(Date.UTC(2026, 10, 1, 9, minute)).toISOString();
      records.push(await seedExecution({ tenant_id, account_id, started_at: startedAt, updated_at: startedAt }));
    }
    return records;
  }

  it("pages through one account's executions newest first, with a next_token until the last page", async () => {
    // Prepare
    const tenant_id = uniqueTenant();
    const records = await seedAccountHistory(tenant_id, "account-1", 5);
    await seedAccountHistory(tenant_id, "account-2", 2);
    const newestFirst = records.map((record) => record.action_intent_id).reverse();

    // Act
    const first = await listExecutions(tenant_id, "account-1", { limit: "2" });
    const second = await listExecutions(tenant_id, "account-1", {
      limit: "2",
      next_token: String(first.body.next_token),
    });
    const third = await listExecutions(tenant_id, "account-1", {
      limit: "2",
      next_token: String(second.body.next_token),
    });

    // Assess
    const pages = [first, second, third];
    for (const page of pages) {
      expect(page.statusCode).toBe(200);
      expect(ExecutionListResponse(page.body)).toBe(true);
      expect(page.body.account_id).toBe("account-1");
    }
    const ids = pages.map((page) =>
      (page.body.executions as { action_intent_id: string }[]).map((execution) => execution.action_intent_id),
    );
    expect(ids).toEqual([newestFirst.slice(0, 2), newestFirst.slice(2, 4), newestFirst.slice(4)]);
    expect(third.body).not.toHaveProperty("next_token");
    expect(JSON.stringify(pages.map((page) => page.body))).not.toMatch(/TENANT#|execution_id|arn:aws:states/);
  });

  it("uses the default page size when no limit is given", async () => {
    const tenant_id = uniqueTenant();
    await seedAccountHistory(tenant_id, "account-1", 3);

    const answer = await listExecutions(tenant_id, "account-1");

    expect(answer.statusCode).toBe(200);
    expect(ExecutionListResponse(answer.body)).toBe(true);
    expect(answer.body.executions).toHaveLength(3);
    expect(answer.body).not.toHaveProperty("next_token");
  });

  it("shows no executions of the same account id under another tenant", async () => {
    const owner = uniqueTenant();
    await seedAccountHistory(owner, "account-1", 2);

    const answer = await listExecutions(uniqueTenant(), "account-1");

    expect(answer.statusCode).toBe(200);
    expect(answer.body).toEqual({ account_id: "account-1", executions: [] });
  });

  it.each(["0", "101", "abc", "2.5", ""])("answers 400 naming limit for limit=%j", async (limit) => {
    const answer = await listExecutions(uniqueTenant(), "account-1", { limit });

    expectErrorBody(answer, 400);
    expect(answer.body.message).toBe("limit must be an integer from 1 to 100");
  });

  it.each([
    ["not base64url JSON", "bm90LWpzb24"],
    ["a JSON array", encodePageToken([1, 2] as never)],
    ["a key without the index attributes", encodePageToken({ pk: "TENANT#x", sk: "EXECUTION#y" })],
    ["characters outside base64url", "abc%def"],
  ])("answers 400 naming next_token for %s", async (_case, next_token) => {
    const answer = await listExecutions(uniqueTenant(), "account-1", { next_token });

    expectErrorBody(answer, 400, "next_token");
  });

  it("answers 400 to a next_token taken from another tenant's page", async () => {
    const owner = uniqueTenant();
    await seedAccountHistory(owner, "account-1", 3);
    const ownersPage = await listExecutions(owner, "account-1", { limit: "1" });
    const next_token = String(ownersPage.body.next_token);

    const answer = await listExecutions(uniqueTenant(), "account-1", { next_token });

    expect(ownersPage.body.next_token).toEqual(expect.any(String));
    expectErrorBody(answer, 400, "next_token");
  });

  it("answers 400 to a next_token taken from another account's page of the same tenant", async () => {
    const tenant_id = uniqueTenant();
    await seedAccountHistory(tenant_id, "account-1", 3);
    const page = await listExecutions(tenant_id, "account-1", { limit: "1" });

    const answer = await listExecutions(tenant_id, "account-2", { next_token: String(page.body.next_token) });

    expectErrorBody(answer, 400, "next_token");
  });

  it("answers 400 naming account_id when the path's account_id is malformed", async () => {
    const answer = await call({
      path: "/accounts/acct%231/executions",
      pathParameters: { account_id: "acct#1" },
      claims: tenantClaims(uniqueTenant()),
    });

    expectErrorBody(answer, 400, "account_id");
  });
});

describe("tenant from the token", () => {
  it("answers 403 naming the claim to a token without it, echoing nothing from the token", async () => {
    const { tenant_id: _left_out, ...claims } = tenantClaims("tenant-unseen");

    const answer = await call({ path: "/executions/intent-1/status", claims: { ...claims, sub: "user-secret-7" } });

    expectErrorBody(
      answer,
      403,
      'the token has no "tenant_id" claim; send an access token from a user pool whose pre-token-generation ' +
        "trigger adds it, or an ID token that carries it",
    );
    expect(JSON.stringify(answer.body)).not.toContain("user-secret-7");
  });

  it.each([
    ["a tenant claim that is not a string", { tenant_id: 42 }],
    ["a tenant claim that is not an identifier", { tenant_id: "tenant#other" }],
  ])("answers 403 for a token with %s, naming the claim but not its value", async (_case, claims) => {
    const answer = await call({ path: "/executions/intent-1/status", claims });

    expectErrorBody(answer, 403, 'the token\'s "tenant_id" claim is not a tenant id');
    expect(String(answer.body.message)).not.toContain("tenant#other");
  });

  it("answers 403 when the route carries no JWT authorizer at all", async () => {
    const answer = await call({ path: "/accounts/account-1/executions", claims: null });

    expectErrorBody(answer, 403, '"tenant_id"');
  });

  it("ignores an x-tenant-id header: the tenant is the token's", async () => {
    const owner = uniqueTenant();
    const intent = await seedIntent({ tenant_id: owner });

    const answer = await getStatus(uniqueTenant(), intent.action_intent_id, { headers: { "x-tenant-id": owner } });

    expectErrorBody(answer, 404);
  });
});

describe("CORS and routing", () => {
  it("allows a configured origin to read a successful answer", async () => {
    const tenant_id = uniqueTenant();
    const intent = await seedIntent({ tenant_id });

    const answer = await getStatus(tenant_id, intent.action_intent_id, { headers: { Origin: allowedOrigin } });

    expect(answer.statusCode).toBe(200);
    expect(answer.headers["Access-Control-Allow-Origin"]).toBe(allowedOrigin);
    expect(answer.headers.Vary).toContain("Origin");
  });

  it("allows a configured origin to read an error answer", async () => {
    const answer = await getStatus(uniqueTenant(), "intent-missing", { headers: { origin: allowedOrigin } });

    expectErrorBody(answer, 404);
    expect(answer.headers["Access-Control-Allow-Origin"]).toBe(allowedOrigin);
  });

  it("gives an origin that is not configured no CORS permission, on success or error", async () => {
    const tenant_id = uniqueTenant();
    const intent = await seedIntent({ tenant_id });
    const origin = "https://evil.example.net";

    const success = await getStatus(tenant_id, intent.action_intent_id, { headers: { origin } });
    const failure = await listExecutions(tenant_id, "account-1", { limit: "0" });
    const failureWithOrigin = await call({
      path: "/accounts/account-1/executions",
      query: { limit: "0" },
      claims: tenantClaims(tenant_id),
      headers: { origin },
    });

    expect(success.statusCode).toBe(200);
    expect(failure.statusCode).toBe(400);
    expect(failureWithOrigin.statusCode).toBe(400);
    for (const answer of [success, failure, failureWithOrigin]) {
      expect(answer.headers).not.toHaveProperty("Access-Control-Allow-Origin");
    }
  });

  it("answers a preflight for a configured origin with the allowed method and headers", async () => {
    const answer = await call({
      method: "OPTIONS",
      path: "/executions/intent-1/status",
      claims: null,
      headers: { origin: allowedOrigin, "access-control-request-method": "GET" },
    });

    expect(answer.statusCode).toBe(204);
    expect(answer.headers).toMatchObject({
      "Access-Control-Allow-Origin": allowedOrigin,
      "Access-Control-Allow-Methods": "GET, OPTIONS",
      "Access-Control-Allow-Headers": "Authorization, Content-Type",
    });
  });

  it("answers 404 JSON with CORS headers for an unknown route", async () => {
    const answer = await call({
      path: "/executions/intent-1/logs",
      claims: tenantClaims(uniqueTenant()),
      headers: { origin: allowedOrigin },
    });

    expectErrorBody(answer, 404);
    expect(answer.headers["Access-Control-Allow-Origin"]).toBe(allowedOrigin);
  });

  it("answers 405 with Allow for a method the route does not serve", async () => {
    const answer = await call({
      method: "DELETE",
      path: "/executions/intent-1/status",
      claims: tenantClaims(uniqueTenant()),
      headers: { origin: allowedOrigin },
    });

    expectErrorBody(answer, 405, "DELETE");
    expect(answer.headers.Allow).toBe("GET, OPTIONS");
    expect(answer.headers["Access-Control-Allow-Origin"]).toBe(allowedOrigin);
  });
});

describe("behind the local JWT authorizer, with Cognito-shaped tokens", () => {
  const issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_statusApi";
  const clientId = "status-api-client";
  let signingKey: LocalSigningKey;
  let api: LocalHttpApi;

  beforeAll(async () => {
    signingKey = await createLocalSigningKey();
    api = await startHttpApi({
      issuer,
      audience: [clientId],
      corsAllowedOrigins: [],
      signingKey,
      invoke: (event) => handler(event, lambdaContext("status-api")),
    });
  });

  afterAll(() => api?.stop());

  async function statusWith(token: string, actionIntentId: string) {
    const response = await fetch(`${api.url}/executions/${actionIntentId}/status`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const mint = (options: Partial<MintOptions>) => mintToken(signingKey, { issuer, clientId, ...options });

  it.each([
    ["an access token", "access"],
    ["an ID token", "id"],
  ] as const)("answers %s that carries the tenant claim with the tenant's execution", async (_case, tokenUse) => {
    // Prepare
    const tenant_id = uniqueTenant();
    const intent = await seedIntent({ tenant_id });

    // Act
    const answer = await statusWith(await mint({ tenantId: tenant_id, tokenUse }), intent.action_intent_id);

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ action_intent_id: intent.action_intent_id });
  });

  it("answers 403 naming the claim to an access token without it, as a pool without the trigger issues", async () => {
    const intent = await seedIntent({ tenant_id: uniqueTenant() });

    const answer = await statusWith(await mint({}), intent.action_intent_id);

    expect(answer.status).toBe(403);
    expect(answer.body.message).toMatch(/^the token has no "tenant_id" claim; send an access token/);
  });

  it("answers 403 to a token carrying only Cognito's custom:tenant_id attribute claim", async () => {
    const tenant_id = uniqueTenant();
    const intent = await seedIntent({ tenant_id });

    const token = await mint({ tenantId: tenant_id, tenantClaim: "custom:tenant_id", tokenUse: "id" });
    const answer = await statusWith(token, intent.action_intent_id);

    expect(answer.status).toBe(403);
    expect(answer.body.message).toContain('"tenant_id"');
  });

  it.each([
    ["an access token of another app client", { clientId: "another-client" }],
    ["an ID token of another app client", { clientId: "another-client", tokenUse: "id" }],
  ] as const)("answers 401 to %s, before the function runs", async (_case, options) => {
    const tenant_id = uniqueTenant();
    const intent = await seedIntent({ tenant_id });

    const answer = await statusWith(await mint({ tenantId: tenant_id, ...options }), intent.action_intent_id);

    expect(answer).toEqual({ status: 401, body: { message: "Unauthorized" } });
  });
});

describe("configuration and page tokens", () => {
  it("accepts exact origins and refuses '*' and wildcard hosts", () => {
    expect(parseAllowedOrigins(" https://a.example.com ,http://localhost:5173,")).toEqual([
      "https://a.example.com",
      "http://localhost:5173",
    ]);
    expect(parseAllowedOrigins("")).toEqual([]);
    expect(() => parseAllowedOrigins("*")).toThrow(/CORS_ALLOWED_ORIGINS/);
    expect(() => parseAllowedOrigins("https://*.example.com")).toThrow(/wildcard/);
    expect(() => parseAllowedOrigins("https://a.example.com/path")).toThrow(/CORS_ALLOWED_ORIGINS/);
  });

  it("round-trips a page key only for the tenant and account it belongs to", () => {
    const lastKey = {
      pk: "TENANT#t1",
      sk: "EXECUTION#intent-9",
      gsi1pk: "TENANT#t1#ACCOUNT#a1",
      gsi1sk: "2026-11-01T09:00:00.000Z#intent-9",
    };
    const token = encodePageToken(lastKey);

    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodePageToken(token, "t1", "a1")).toEqual(lastKey);
    expect(decodePageToken(token, "t2", "a1")).toBeUndefined();
    expect(decodePageToken(token, "t1", "a2")).toBeUndefined();
    expect(decodePageToken(encodePageToken({ ...lastKey, extra: 1 }), "t1", "a1")).toBeUndefined();
  });
});
