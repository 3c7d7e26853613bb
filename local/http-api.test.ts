// The local HTTP API on its own: its authorizer, routing, CORS, event building and response writing.
// The integration here is a fake `invoke` that records the event and answers a canned response; the real
// status function behind it is wired (and tested end to end) by the local engine.
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyResultV2,
  APIGatewayProxyStructuredResultV2,
} from "aws-lambda";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_TENANT_CLAIM } from "../functions/status-api/tenant-claim.ts";
import { JWKS_PATH, type LocalEndpointsFile, type LocalHttpApi, startHttpApi } from "./http-api.ts";
import { authorizerClaims, parseQueryString } from "./http-api-event.ts";
import {
  createLocalSigningKey,
  jwks,
  type LocalSigningKey,
  loadSigningKey,
  type MintOptions,
  mintToken,
  saveSigningKey,
  verifyToken,
} from "./jwt.ts";
import { TokenCliError, tokenFromArgs } from "./token.ts";

const issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_localPool";
const audience = ["status-api-client", "second-client"];
const allowedOrigin = "http://localhost:3000";
const tenantClaim = DEFAULT_TENANT_CLAIM;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One request on a fresh connection, with the path sent exactly as given (no URL normalization). */
function send(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  agent: Agent | false = false,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const call = request(`${baseUrl}${path}`, { method, headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          text: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
    call.on("error", reject);
    call.end();
  });
}

const cannedResponse: APIGatewayProxyStructuredResultV2 = {
  statusCode: 200,
  headers: {
    "Content-Type": "application/json",
    "X-Canned": "yes",
    // The function's own CORS headers: API Gateway ignores them when CORS is configured on the API.
    "Access-Control-Allow-Origin": "https://function-chose-this.example.com",
  },
  body: JSON.stringify({ status: "SUCCEEDED" }),
};

let signingKey: LocalSigningKey;
let api: LocalHttpApi;
let events: APIGatewayProxyEventV2WithJWTAuthorizer[];
let nextResult: () => Promise<APIGatewayProxyResultV2>;

const mint = (overrides: Partial<MintOptions> = {}, key: LocalSigningKey = signingKey) =>
  mintToken(key, { tenantId: "tenant-1", tenantClaim, issuer, clientId: audience[0] as string, ...overrides });

beforeAll(async () => {
  signingKey = await createLocalSigningKey();
  api = await startHttpApi({
    issuer,
    audience,
    corsAllowedOrigins: [allowedOrigin],
    signingKey,
    invoke: async (event) => {
      events.push(event);
      return nextResult();
    },
    onInvokeError: () => {},
  });
});

afterAll(async () => {
  await api?.stop();
});

beforeEach(() => {
  events = [];
  nextResult = async () => cannedResponse;
});

describe("the JWT authorizer", () => {
  it("answers 401 with a bare Bearer challenge when no token is sent, without invoking the function", async () => {
    // Act
    const answer = await send(api.url, "GET", "/executions/intent-1/status");

    // Assess
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.text)).toEqual({ message: "Unauthorized" });
    expect(answer.headers["www-authenticate"]).toBe("Bearer");
    expect(events).toHaveLength(0);
  });

  it.each([
    ["an expired token", () => mint({ issuedAt: Math.floor(Date.now() / 1000) - 7200, ttlSeconds: 3600 }), "expired"],
    ["a token from another issuer", () => mint({ issuer: "https://issuer.example.com" }), "valid issuer"],
    // API Gateway checks aud, or client_id when there is no aud, against the authorizer's audiences:
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
    ["an access token of another app client (client_id)", () => mint({ clientId: "someone-else" }), "valid audience"],
    [
      "an ID token of another app client (aud)",
      () => mint({ tokenUse: "id", clientId: "someone-else" }),
      "valid audience",
    ],
    [
      "a token whose aud names another client, whatever its client_id",
      () => mint({ audience: "someone-else" }),
      "valid audience",
    ],
    [
      "a token signed by another key",
      async () => mint({}, await createLocalSigningKey()),
      "kid names no key of the issuer's JWKS",
    ],
    [
      "a token signed by another key under the trusted kid",
      async () => mint({}, { ...(await createLocalSigningKey()), kid: signingKey.kid }),
      "signature is invalid",
    ],
    ["a token that is not a JWT", async () => "not-a-jwt", "not a valid JWT"],
  ])("answers 401 for %s without invoking the function", async (_case, token, description) => {
    // Prepare
    const authorization = `Bearer ${await token()}`;

    // Act
    const answer = await send(api.url, "GET", "/executions/intent-1/status", { authorization });

    // Assess
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.text)).toEqual({ message: "Unauthorized" });
    expect(answer.headers["www-authenticate"]).toMatch(/^Bearer scope="" error="invalid_token" error_description="/);
    expect(answer.headers["www-authenticate"]).toContain(description);
    expect(events).toHaveLength(0);
  });

  it.each([
    ["an access token by its client_id (it has no aud)", () => mint({ clientId: audience[1] as string })],
    ["an ID token by its aud", () => mint({ tokenUse: "id", clientId: audience[1] as string })],
  ])("accepts %s when it names one of the audiences", async (_case, token) => {
    // Act
    const answer = await send(api.url, "GET", "/executions/intent-1/status", {
      authorization: `Bearer ${await token()}`,
    });

    // Assess
    expect(answer.status).toBe(200);
    expect(events[0]?.requestContext.authorizer.jwt.claims[tenantClaim]).toBe("tenant-1");
  });

  it("accepts the token without the Bearer prefix, as the identity source allows", async () => {
    // Prepare
    const token = await mint();

    // Act
    const answer = await send(api.url, "GET", "/executions/intent-1/status", { authorization: token });

    // Assess
    expect(answer.status).toBe(200);
    expect(events).toHaveLength(1);
  });
});

describe("a request the authorizer accepts", () => {
  it("reaches the function as a payload 2.0 event for the matched route", async () => {
    // Prepare
    const token = await mint({ tenantId: "tenant-7", subject: "user-7" });

    // Act
    const answer = await send(api.url, "GET", "/executions/intent%3A42%2Fx/status?account_id=acct-1&tag=a&tag=b", {
      Authorization: `Bearer ${token}`,
      "X-Custom-Header": "Custom Value",
      "User-Agent": "http-api-test",
      Cookie: "session=abc; theme=dark",
    });

    // Assess
    expect(answer.status).toBe(200);
    expect(events).toHaveLength(1);
    const [event] = events as [APIGatewayProxyEventV2WithJWTAuthorizer];
    expect(event).toMatchObject({
      version: "2.0",
      routeKey: "GET /executions/{action_intent_id}/status",
      rawPath: "/executions/intent%3A42%2Fx/status",
      rawQueryString: "account_id=acct-1&tag=a&tag=b",
      queryStringParameters: { account_id: "acct-1", tag: "a,b" },
      pathParameters: { action_intent_id: "intent:42/x" },
      cookies: ["session=abc", "theme=dark"],
      isBase64Encoded: false,
      requestContext: {
        routeKey: "GET /executions/{action_intent_id}/status",
        stage: "$default",
        http: { method: "GET", path: "/executions/intent%3A42%2Fx/status", sourceIp: "127.0.0.1" },
        requestId: answer.headers["apigw-requestid"],
        authorizer: { jwt: { scopes: null } },
      },
    });
    expect(event.requestContext.http.userAgent).toBe("http-api-test");
    expect(event.headers["x-custom-header"]).toBe("Custom Value");
    expect(event.headers.authorization).toBe(`Bearer ${token}`);
    expect(Object.keys(event.headers).filter((name) => name !== name.toLowerCase())).toEqual([]);
    expect(event.headers).not.toHaveProperty("cookie");
    const { claims } = event.requestContext.authorizer.jwt;
    expect(claims).toMatchObject({
      [tenantClaim]: "tenant-7",
      sub: "user-7",
      iss: issuer,
      token_use: "access",
      client_id: audience[0],
    });
    expect(Object.values(claims).every((value) => typeof value === "string")).toBe(true);
    expect(claims.exp).toMatch(/^\d+$/);
  });

  it("routes the account listing with its own route key and decoded account id", async () => {
    // Prepare
    const token = await mint();

    // Act
    const answer = await send(api.url, "GET", "/accounts/acct%20one/executions?limit=5", {
      authorization: `Bearer ${token}`,
    });

    // Assess
    expect(answer.status).toBe(200);
    expect(events[0]).toMatchObject({
      routeKey: "GET /accounts/{account_id}/executions",
      pathParameters: { account_id: "acct one" },
      queryStringParameters: { limit: "5" },
    });
  });

  it("writes the function's structured result, with the API's CORS headers in place of the function's", async () => {
    // Prepare
    const token = await mint();

    // Act
    const answer = await send(api.url, "GET", "/executions/intent-1/status", {
      authorization: `Bearer ${token}`,
      origin: allowedOrigin,
    });

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("application/json");
    expect(answer.headers["x-canned"]).toBe("yes");
    expect(answer.headers["access-control-allow-origin"]).toBe(allowedOrigin);
    expect(JSON.parse(answer.text)).toEqual({ status: "SUCCEEDED" });
  });

  it("adds no access-control-allow-origin for an origin that is not allowed", async () => {
    // Prepare
    const token = await mint();

    // Act
    const answer = await send(api.url, "GET", "/executions/intent-1/status", {
      authorization: `Bearer ${token}`,
      origin: "https://evil.example.com",
    });

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.headers).not.toHaveProperty("access-control-allow-origin");
  });

  it.each([
    ["a string", "plain text from the function", "plain text from the function"],
    ["an object without statusCode", { status: "RUNNING" }, JSON.stringify({ status: "RUNNING" })],
  ])("answers 200 application/json for %s as payload 2.0 does", async (_case, result, body) => {
    // Prepare
    nextResult = async () => result as APIGatewayProxyResultV2;
    const token = await mint();

    // Act
    const answer = await send(api.url, "GET", "/executions/intent-1/status", { authorization: `Bearer ${token}` });

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("application/json");
    expect(answer.text).toBe(body);
  });

  it("decodes a base64 body and sends the function's cookies as set-cookie", async () => {
    // Prepare
    nextResult = async () => ({
      statusCode: 202,
      headers: { "content-type": "application/octet-stream" },
      cookies: ["a=1", "b=2"],
      body: Buffer.from("raw bytes").toString("base64"),
      isBase64Encoded: true,
    });
    const token = await mint();

    // Act
    const answer = await send(api.url, "GET", "/executions/intent-1/status", { authorization: `Bearer ${token}` });

    // Assess
    expect(answer.status).toBe(202);
    expect(answer.text).toBe("raw bytes");
    expect(answer.headers["set-cookie"]).toEqual(["a=1", "b=2"]);
  });

  it("answers API Gateway's 500 when the function fails", async () => {
    // Prepare
    nextResult = async () => {
      throw new Error("boom");
    };
    const token = await mint();

    // Act
    const answer = await send(api.url, "GET", "/executions/intent-1/status", { authorization: `Bearer ${token}` });

    // Assess
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.text)).toEqual({ message: "Internal Server Error" });
  });
});

describe("routing", () => {
  it.each([
    ["GET", "/executions/intent-1"],
    ["GET", "/executions/intent-1/status/extra"],
    ["POST", "/executions/intent-1/status"],
    ["GET", "/"],
  ])("answers 404 Not Found for %s %s, before any token check", async (method, path) => {
    // Prepare
    const token = await mint();

    // Act
    const withToken = await send(api.url, method, path, { authorization: `Bearer ${token}` });
    const withoutToken = await send(api.url, method, path);

    // Assess
    for (const answer of [withToken, withoutToken]) {
      expect(answer.status).toBe(404);
      expect(JSON.parse(answer.text)).toEqual({ message: "Not Found" });
    }
    expect(events).toHaveLength(0);
  });

  it("serves the public JWKS without a token, with no private key material", async () => {
    // Act
    const answer = await send(api.url, "GET", JWKS_PATH);

    // Assess
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.text) as { keys: Record<string, unknown>[] };
    expect(body).toEqual(jwks(signingKey));
    expect(body.keys).toEqual([expect.objectContaining({ kid: signingKey.kid, kty: "RSA", alg: "RS256" })]);
    expect(body.keys[0]).not.toHaveProperty("d");
  });
});

describe("CORS preflight", () => {
  it("answers 204 with the allowed methods, headers and max age for an allowed origin, without a token", async () => {
    // Act
    const answer = await send(api.url, "OPTIONS", "/executions/intent-1/status", {
      origin: allowedOrigin,
      "access-control-request-method": "GET",
      "access-control-request-headers": "authorization",
    });

    // Assess
    expect(answer.status).toBe(204);
    expect(answer.headers).toMatchObject({
      "access-control-allow-origin": allowedOrigin,
      "access-control-allow-methods": "GET,OPTIONS",
      "access-control-allow-headers": "authorization,content-type",
      "access-control-max-age": "600",
    });
    expect(events).toHaveLength(0);
  });

  it("grants nothing to an origin that is not allowed", async () => {
    // Act
    const answer = await send(api.url, "OPTIONS", "/executions/intent-1/status", {
      origin: "https://evil.example.com",
      "access-control-request-method": "GET",
    });

    // Assess
    expect(answer.status).toBe(204);
    expect(Object.keys(answer.headers).filter((name) => name.startsWith("access-control-"))).toEqual([]);
    expect(events).toHaveLength(0);
  });

  it("is not answered when the API has no CORS configuration: OPTIONS has no route", async () => {
    // Prepare
    const noCors = await startHttpApi({ issuer, audience, corsAllowedOrigins: [], signingKey, invoke: async () => "" });

    try {
      // Act
      const answer = await send(noCors.url, "OPTIONS", "/executions/intent-1/status", {
        origin: allowedOrigin,
        "access-control-request-method": "GET",
      });

      // Assess
      expect(answer.status).toBe(404);
      expect(answer.headers).not.toHaveProperty("access-control-allow-origin");
    } finally {
      await noCors.stop();
    }
  });

  it("refuses a wildcard origin at start", async () => {
    // Act
    const starting = startHttpApi({ issuer, audience, corsAllowedOrigins: ["*"], signingKey, invoke: async () => "" });

    // Assess
    await expect(starting).rejects.toThrow(/exact origins/);
  });
});

describe("the server", () => {
  it("rejects a port already in use, naming the port", async () => {
    // Act
    const second = startHttpApi({
      port: api.port,
      issuer,
      audience,
      corsAllowedOrigins: [],
      signingKey,
      invoke: async () => "",
    });

    // Assess
    await expect(second).rejects.toThrow(`port ${api.port} is already in use`);
  });

  it("stops while a client holds a keep-alive connection open", async () => {
    // Prepare
    const other = await startHttpApi({ issuer, audience, corsAllowedOrigins: [], signingKey, invoke: async () => "" });
    const agent = new Agent({ keepAlive: true });
    await send(other.url, "GET", JWKS_PATH, {}, agent);

    try {
      // Act
      const stopped = await Promise.race([
        other.stop().then(() => "stopped"),
        new Promise((resolve) => setTimeout(resolve, 2000, "still open")),
      ]);

      // Assess
      expect(stopped).toBe("stopped");
      await expect(send(other.url, "GET", JWKS_PATH)).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      agent.destroy();
    }
  });
});

describe("tokens", () => {
  it("mints a Cognito-style access token that verifies against the JWKS", async () => {
    // Prepare
    const before = Math.floor(Date.now() / 1000);

    // Act
    const token = await mint({ tenantId: "tenant-9", ttlSeconds: 600, subject: "user-9" });
    const verified = await verifyToken(jwks(signingKey), token, { issuer, audience });

    // Assess
    expect(verified.ok).toBe(true);
    if (!verified.ok) return;
    expect(verified.claims).toMatchObject({
      sub: "user-9",
      token_use: "access",
      scope: "executions/read",
      client_id: audience[0],
      iss: issuer,
      [tenantClaim]: "tenant-9",
    });
    expect(verified.claims).not.toHaveProperty("aud");
    expect(verified.claims.exp).toBe((verified.claims.iat as number) + 600);
    expect(verified.claims.iat).toBeGreaterThanOrEqual(before);
  });

  it("mints a Cognito-style ID token, whose app client is its aud", async () => {
    // Act
    const token = await mint({ tokenUse: "id", tenantId: "tenant-9" });
    const verified = await verifyToken(jwks(signingKey), token, { issuer, audience });

    // Assess
    expect(verified.ok).toBe(true);
    if (!verified.ok) return;
    expect(verified.claims).toMatchObject({ token_use: "id", aud: audience[0], [tenantClaim]: "tenant-9" });
    expect(verified.claims).not.toHaveProperty("client_id");
    expect(verified.claims).not.toHaveProperty("scope");
  });

  it.each([
    ["expired", () => mint({ issuedAt: Math.floor(Date.now() / 1000) - 120, ttlSeconds: 60 })],
    ["wrong_issuer", () => mint({ issuer: "https://other.example.com" })],
    ["wrong_audience", () => mint({ clientId: "other-client" })],
    ["bad_signature", async () => mint({}, await createLocalSigningKey())],
    ["malformed", async () => "a.b.c"],
    ["not_yet_valid", () => mint({ issuedAt: Math.floor(Date.now() / 1000) + 600 })],
  ])("refuses a token with reason %s", async (reason, token) => {
    // Act
    const verified = await verifyToken(signingKey, await token(), { issuer, audience });

    // Assess
    expect(verified).toMatchObject({ ok: false, reason });
  });

  it("keeps the signing key across processes through its file", async () => {
    // Prepare
    const directory = mkdtempSync(join(tmpdir(), "jwt-key-"));
    const file = join(directory, "nested", "jwt-signing-key.json");

    try {
      // Act
      saveSigningKey(file, signingKey);
      const loaded = loadSigningKey(file);
      const token = await mint({}, loaded);

      // Assess
      expect(loaded.kid).toBe(signingKey.kid);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(await verifyToken(jwks(signingKey), token, { issuer, audience })).toMatchObject({ ok: true });
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it("hands claims to the function the way the authorizer stringifies them", () => {
    // Act
    const claims = authorizerClaims({
      sub: "user-1",
      exp: 1787996002,
      email_verified: true,
      "cognito:groups": ["admin", "poweruser"],
      address: { country: "NZ" },
      nothing: null,
    });

    // Assess
    expect(claims).toEqual({
      sub: "user-1",
      exp: "1787996002",
      email_verified: "true",
      "cognito:groups": "[admin poweruser]",
      address: '{"country":"NZ"}',
    });
  });

  it("joins a repeated query parameter's values with commas", () => {
    // Act
    const parameters = parseQueryString("a=1&b=x%20y&a=2&c");

    // Assess
    expect(parameters).toEqual({ a: "1,2", b: "x y", c: "" });
    expect(parseQueryString("")).toBeUndefined();
  });
});

describe("npm run token", () => {
  let root: string;

  const writeEndpoints = (httpApi: LocalEndpointsFile) => {
    writeFileSync(join(root, ".local", "endpoints.json"), JSON.stringify({ region: "us-east-1", httpApi }));
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "token-cli-"));
    saveSigningKey(join(root, ".local", "jwt-signing-key.json"), signingKey);
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it("mints a token the running HTTP API accepts for the tenant", async () => {
    // Prepare
    writeEndpoints({ url: api.url, issuer, audience, tenantClaim, signingKeyFile: ".local/jwt-signing-key.json" });

    // Act
    const token = await tokenFromArgs(["--tenant", "tenant-cli", "--ttl", "120"], { root });
    const answer = await send(api.url, "GET", "/executions/intent-1/status", { authorization: `Bearer ${token}` });

    // Assess
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(answer.status).toBe(200);
    const claims = events[0]?.requestContext.authorizer.jwt.claims ?? {};
    expect(claims).toMatchObject({
      token_use: "access",
      client_id: audience[0],
      scope: "executions/read",
      [tenantClaim]: "tenant-cli",
    });
    expect(claims).not.toHaveProperty("aud");
    expect(Number(claims.exp) - Number(claims.iat)).toBe(120);
  });

  it("mints the ID token of the same sign-in with --token-use id", async () => {
    // Prepare
    writeEndpoints({ url: api.url, issuer, audience, tenantClaim, signingKeyFile: ".local/jwt-signing-key.json" });

    // Act
    const token = await tokenFromArgs(["--tenant", "tenant-cli", "--token-use", "id"], { root });
    const answer = await send(api.url, "GET", "/executions/intent-1/status", { authorization: `Bearer ${token}` });

    // Assess
    expect(answer.status).toBe(200);
    const claims = events[0]?.requestContext.authorizer.jwt.claims ?? {};
    expect(claims).toMatchObject({ token_use: "id", aud: audience[0], [tenantClaim]: "tenant-cli" });
    expect(claims).not.toHaveProperty("client_id");
  });

  it("says the engine is not running when there is no endpoints file", async () => {
    // Act
    const minting = tokenFromArgs(["--tenant", "tenant-1"], { root });

    // Assess
    await expect(minting).rejects.toThrow(TokenCliError);
    await expect(minting).rejects.toThrow(/local engine is not running.*\.local\/endpoints\.json/);
  });

  it("says the engine is not running when nothing answers at the recorded URL", async () => {
    // Prepare
    const stopped = await startHttpApi({
      issuer,
      audience,
      corsAllowedOrigins: [],
      signingKey,
      invoke: async () => "",
    });
    await stopped.stop();
    writeEndpoints({ url: stopped.url, issuer, audience, tenantClaim, signingKeyFile: ".local/jwt-signing-key.json" });

    // Act
    const minting = tokenFromArgs(["--tenant", "tenant-1"], { root });

    // Assess
    await expect(minting).rejects.toThrow(/local engine is not running: nothing answers at/);
  });

  it.each([
    [[], /--tenant is required/],
    [["--tenant", "tenant#1"], /is not a tenant id: it must be 1 to 128 letters/],
    [["--tenant", "-starts-with-dash"], /tenant/],
    [["--tenant", "tenant-1", "--ttl", "soon"], /--ttl must be a whole number of seconds/],
    [["--tenant", "tenant-1", "--ttl", "0"], /--ttl must be a whole number of seconds/],
    [["--tenant", "tenant-1", "--verbose"], /Unknown option '--verbose'/],
    [["--tenant", "tenant-1", "--token-use", "refresh"], /--token-use must be access or id, got "refresh"/],
  ])("refuses the arguments %j", async (args, message) => {
    // Prepare
    writeEndpoints({ url: api.url, issuer, audience, tenantClaim, signingKeyFile: ".local/jwt-signing-key.json" });

    // Act
    const minting = tokenFromArgs(args, { root });

    // Assess
    await expect(minting).rejects.toThrow(message);
  });
});
