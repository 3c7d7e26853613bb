// A Cognito-style OAuth2 client-credentials token endpoint and the bearer check in front of the MCP endpoint.
// Tokens are HS256 JWTs signed with a key made at start; revoking every token replaces the key, so tokens
// issued before the revocation fail verification exactly like forged ones.
import { randomBytes, randomUUID } from "node:crypto";
import { errors, jwtVerify, SignJWT } from "jose";

export type OAuthClient = { clientId: string; clientSecret: string };

export type TokenRequest = {
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
};

export type OAuthReply = {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
};

export type BearerCheck = { valid: true; clientId: string } | { valid: false; description: string };

export type TokenStats = { tokens_issued: number; revocations: number };

export interface TokenService {
  issue(request: TokenRequest): Promise<OAuthReply>;
  verify(authorization: string | undefined): Promise<BearerCheck>;
  revokeAll(): void;
  stats(): TokenStats;
  /** Zeroes the counters only: tokens already issued stay valid. */
  resetCounters(): void;
}

const newSigningKey = () => new Uint8Array(randomBytes(32));

function oauthError(status: number, error: string, description: string, headers: Record<string, string> = {}) {
  return { status, headers, body: { error, error_description: description } } satisfies OAuthReply;
}

/** RFC 6749 2.3.1: HTTP Basic first, then `client_id`/`client_secret` form fields as Cognito also accepts. */
function presentedCredentials(request: TokenRequest, form: URLSearchParams) {
  const basic = /^Basic\s+(\S+)$/i.exec(request.authorization ?? "")?.[1];
  if (basic !== undefined) {
    const decoded = Buffer.from(basic, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return colon < 0
      ? { usedBasic: true, clientId: decoded, clientSecret: undefined }
      : { usedBasic: true, clientId: decoded.slice(0, colon), clientSecret: decoded.slice(colon + 1) };
  }
  return {
    usedBasic: false,
    clientId: form.get("client_id") ?? undefined,
    clientSecret: form.get("client_secret") ?? undefined,
  };
}

export function createTokenService(client: OAuthClient, issuer: string, tokenTtlSeconds: number): TokenService {
  let signingKey = newSigningKey();
  let tokensIssued = 0;
  let revocations = 0;

  return {
    async issue(request) {
      const mediaType = request.contentType?.split(";")[0]?.trim().toLowerCase();
      if (mediaType !== "application/x-www-form-urlencoded") {
        return oauthError(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded");
      }
      const form = new URLSearchParams(request.body);
      const presented = presentedCredentials(request, form);
      if (presented.clientId !== client.clientId || presented.clientSecret !== client.clientSecret) {
        // RFC 6749 5.2: a client that tried HTTP Basic is told which scheme to use again.
        const challenge: Record<string, string> = presented.usedBasic ? { "www-authenticate": "Basic" } : {};
        return oauthError(401, "invalid_client", "unknown client or wrong secret", challenge);
      }
      if (form.get("grant_type") !== "client_credentials") {
        return oauthError(400, "unsupported_grant_type", "only grant_type=client_credentials is supported");
      }
      const accessToken = await new SignJWT({ client_id: client.clientId, token_use: "access" })
        .setProtectedHeader({ alg: "HS256" })
        .setIssuer(issuer)
        .setSubject(client.clientId)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime(`${tokenTtlSeconds}s`)
        .sign(signingKey);
      tokensIssued += 1;
      return {
        status: 200,
        headers: { "cache-control": "no-store" },
        body: { access_token: accessToken, token_type: "Bearer", expires_in: tokenTtlSeconds },
      };
    },

    async verify(authorization) {
      const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
      if (token === undefined) return { valid: false, description: "missing bearer token" };
      try {
        const { payload } = await jwtVerify(token, signingKey, { issuer, algorithms: ["HS256"] });
        return { valid: true, clientId: String(payload.client_id) };
      } catch (error) {
        const description = error instanceof errors.JWTExpired ? "token expired" : "token unknown or revoked";
        return { valid: false, description };
      }
    },

    revokeAll() {
      signingKey = newSigningKey();
      revocations += 1;
    },
    stats: () => ({ tokens_issued: tokensIssued, revocations }),
    resetCounters() {
      tokensIssued = 0;
      revocations = 0;
    },
  };
}
