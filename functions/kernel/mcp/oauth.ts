// OAuth2 client credentials against a Cognito-style token endpoint. The access token is cached per
// container until shortly before it expires, so warm invocations share it; concurrent callers share
// one request for a new token.
import ky, { HTTPError, TimeoutError } from "ky";
import { PermanentError, TransientError } from "../errors.ts";

export interface TokenProviderOptions {
  tokenUrl: string;
  clientId: string;
  /** Read lazily, so a cold start that never calls the gateway never reads the secret. */
  clientSecret: () => Promise<string>;
  scope?: string;
  timeoutMs: number;
  /** Renew this long before the token's stated expiry, so a token never expires in flight. */
  refreshMarginSeconds?: number;
}

export interface TokenProvider {
  /** A valid access token; `forceRefresh` after the gateway rejected the cached one. */
  accessToken(options?: { forceRefresh?: boolean }): Promise<string>;
}

interface TokenResponse {
  access_token?: unknown;
  expires_in?: unknown;
}

export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  const margin = (options.refreshMarginSeconds ?? 60) * 1000;
  let cached: { token: string; renewAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  async function requestToken(): Promise<string> {
    const secret = await options.clientSecret();
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    if (options.scope) form.set("scope", options.scope);
    let body: TokenResponse;
    try {
      body = await ky
        .post(options.tokenUrl, {
          body: form,
          headers: { authorization: `Basic ${Buffer.from(`${options.clientId}:${secret}`).toString("base64")}` },
          timeout: options.timeoutMs,
          retry: 0,
        })
        .json<TokenResponse>();
    } catch (error) {
      throw tokenError(error);
    }
    if (typeof body.access_token !== "string" || body.access_token === "") {
      throw new PermanentError("token endpoint answered without an access_token", { errorClass: "AUTH" });
    }
    const lifetimeMs = (typeof body.expires_in === "number" ? body.expires_in : 300) * 1000;
    cached = { token: body.access_token, renewAt: Date.now() + Math.max(0, lifetimeMs - margin) };
    return body.access_token;
  }

  return {
    async accessToken({ forceRefresh = false } = {}) {
      if (!forceRefresh && cached && Date.now() < cached.renewAt) return cached.token;
      inFlight ??= requestToken().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
  };
}

function tokenError(error: unknown): Error {
  if (error instanceof HTTPError) {
    const status = error.response.status;
    if (status === 429 || status >= 500) {
      return new TransientError(`token endpoint answered ${status}`, {
        cause: error,
        errorClass: status === 429 ? "RATE_LIMIT" : "DOWNSTREAM",
      });
    }
    return new PermanentError(`token endpoint refused the client credentials (${status})`, {
      cause: error,
      errorClass: "AUTH",
    });
  }
  if (error instanceof TimeoutError) {
    return new TransientError("token endpoint timed out", { cause: error, errorClass: "TIMEOUT" });
  }
  if (error instanceof SyntaxError) {
    return new PermanentError("token endpoint answered with a body that is not JSON", {
      cause: error,
      errorClass: "AUTH",
    });
  }
  return new TransientError(`token endpoint unreachable: ${(error as Error).message}`, { cause: error });
}
