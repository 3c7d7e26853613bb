// The local token issuer and verifier: an RSA signing key the engine keeps in its state directory, tokens
// shaped like the access and ID tokens a Cognito user pool issues for one tenant, and the verification API
// Gateway's JWT authorizer performs (signature against the issuer's JWKS, then iss, aud or client_id, exp,
// nbf, iat).
import { createHash, createPrivateKey, type JsonWebKey, type KeyObject, randomUUID } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from "jose";
import { DEFAULT_TENANT_CLAIM } from "../functions/status-api/tenant-claim.ts";

/** The scope a local token carries; the deployed routes ask for none, so any value passes. */
export const DEFAULT_SCOPE = "executions/read";

/** Cognito's default access token lifetime. */
export const DEFAULT_TTL_SECONDS = 3600;

/** API Gateway's JWT authorizer supports only RSA-based algorithms; Cognito signs with RS256. */
const signingAlgorithm = "RS256";
const acceptedAlgorithms = ["RS256", "RS384", "RS512"];

export interface LocalSigningKey {
  /** The key id every token names in its header and the JWKS publishes (the public key's JWK thumbprint). */
  kid: string;
  alg: typeof signingAlgorithm;
  privateKey: KeyObject;
  /** The public half as it appears in the JWKS. */
  publicJwk: JWK;
  /** The private key as a JWK, for `saveSigningKey`. */
  privateJwk: JWK;
}

export async function createLocalSigningKey(): Promise<LocalSigningKey> {
  const { privateKey } = await generateKeyPair(signingAlgorithm, { extractable: true, modulusLength: 2048 });
  return signingKeyFromJwk(await exportJWK(privateKey));
}

/**
 * The key kept in `file` from an earlier run, so tokens minted before a restart still verify; a new one,
 * saved there, when there is none.
 */
export async function loadOrCreateSigningKey(file: string): Promise<{ key: LocalSigningKey; created: boolean }> {
  if (existsSync(file)) return { key: loadSigningKey(file), created: false };
  const key = await createLocalSigningKey();
  saveSigningKey(file, key);
  return { key, created: true };
}

/** Writes the private JWK (with its `kid` and `alg`) as JSON, readable by the owner only. */
export function saveSigningKey(file: string, key: LocalSigningKey): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(key.privateJwk, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

export function loadSigningKey(file: string): LocalSigningKey {
  let jwk: unknown;
  try {
    jwk = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`cannot read the signing key ${file}: ${(error as Error).message}`, { cause: error });
  }
  if (!isRsaPrivateJwk(jwk)) throw new Error(`${file} does not hold an RSA private JWK`);
  const key = signingKeyFromJwk(jwk);
  if (jwk.kid !== undefined && jwk.kid !== key.kid) {
    throw new Error(`${file} names kid ${jwk.kid}, but its key's thumbprint is ${key.kid}`);
  }
  return key;
}

/** The public JWKS a verifier trusts: the one signing key, without its private members. */
export function jwks(key: LocalSigningKey): JSONWebKeySet {
  return { keys: [{ ...key.publicJwk }] };
}

/** Cognito's two JWTs: an access token (`token_use` access) and an ID token (`token_use` id). */
export type TokenUse = "access" | "id";

export interface MintOptions {
  /** The tenant written under `tenantClaim`; left out, the token has no tenant claim at all. */
  tenantId?: string;
  /** Default `tenant_id`, the status API's default. */
  tenantClaim?: string;
  issuer: string;
  /** The app client id: an access token carries it as `client_id`, an ID token as `aud`. */
  clientId: string;
  /** Default `access`. */
  tokenUse?: TokenUse;
  /**
   * An `aud` for an access token too, which Cognito never writes but other issuers do; API Gateway then
   * checks it instead of `client_id`.
   */
  audience?: string;
  /** Default 3600. */
  ttlSeconds?: number;
  /** Default a random UUID, as Cognito's `sub` is. */
  subject?: string;
  /** Space-separated scopes of an access token; default `executions/read`. */
  scope?: string;
  /** `iat` in epoch seconds, default now; a past value with a short TTL gives an already expired token. */
  issuedAt?: number;
}

/**
 * A signed token with the claims Cognito writes into an access token (`client_id`, `scope`, no `aud`) or
 * an ID token (`aud`), plus the tenant claim a pre-token-generation trigger would add.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html
 */
export async function mintToken(key: LocalSigningKey, options: MintOptions): Promise<string> {
  const issuedAt = options.issuedAt ?? Math.floor(Date.now() / 1000);
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw new Error("ttlSeconds must be a positive integer");
  const tokenUse = options.tokenUse ?? "access";
  const shape =
    tokenUse === "access"
      ? { scope: options.scope ?? DEFAULT_SCOPE, client_id: options.clientId }
      : { aud: options.clientId };
  const jwt = new SignJWT({
    token_use: tokenUse,
    ...shape,
    auth_time: issuedAt,
    jti: randomUUID(),
    ...(options.tenantId === undefined ? {} : { [options.tenantClaim ?? DEFAULT_TENANT_CLAIM]: options.tenantId }),
  })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT" })
    .setSubject(options.subject ?? randomUUID())
    .setIssuer(options.issuer)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttlSeconds);
  if (options.audience !== undefined) jwt.setAudience(options.audience);
  return jwt.sign(key.privateKey);
}

export interface VerifyOptions {
  issuer: string;
  /** The authorizer's audiences: the token's `aud`, or its `client_id` when it has no `aud`, must be one. */
  audience: string | readonly string[];
}

export type TokenFailureReason =
  | "malformed"
  | "bad_signature"
  | "expired"
  | "not_yet_valid"
  | "wrong_issuer"
  | "wrong_audience";

export type TokenVerification =
  | { ok: true; claims: JWTPayload }
  | { ok: false; reason: TokenFailureReason; message: string };

const refuse = (reason: TokenFailureReason, message: string): TokenVerification => ({ ok: false, reason, message });

/**
 * Verifies a token the way API Gateway's JWT authorizer does: it must name a key (`kid`) of the JWKS and
 * carry a valid RSA signature by it, come from the issuer, be for one of the audiences (`aud`, or
 * `client_id` when there is no `aud`), and be inside its `exp`, `nbf` and `iat`. `token_use` is not
 * checked, as API Gateway does not check it: an access token and an ID token of the app client both pass.
 * Never throws for a bad token.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
 */
export async function verifyToken(
  keys: JSONWebKeySet | LocalSigningKey,
  token: string,
  options: VerifyOptions,
): Promise<TokenVerification> {
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    return refuse("malformed", "the token is not a valid JWT");
  }
  if (typeof kid !== "string" || kid === "") return refuse("malformed", "the token header has no kid");

  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(token, createLocalJWKSet("keys" in keys ? keys : jwks(keys)), {
      issuer: options.issuer,
      algorithms: acceptedAlgorithms,
      requiredClaims: ["exp"],
    }));
  } catch (error) {
    return describeJoseFailure(error);
  }

  const audiences: readonly string[] = typeof options.audience === "string" ? [options.audience] : options.audience;
  // API Gateway reads client_id only when the token has no aud (Cognito access tokens have none).
  const presented = claims.aud ?? claims.client_id;
  const presentedList = Array.isArray(presented) ? presented : [presented];
  if (!presentedList.some((value) => typeof value === "string" && audiences.includes(value))) {
    return refuse("wrong_audience", "the token does not have a valid audience");
  }
  if (typeof claims.iat === "number" && claims.iat > Math.floor(Date.now() / 1000)) {
    return refuse("not_yet_valid", "the token was issued in the future");
  }
  return { ok: true, claims };
}

function describeJoseFailure(error: unknown): TokenVerification {
  const { code, claim } = (error ?? {}) as { code?: string; claim?: string };
  switch (code) {
    case "ERR_JWT_EXPIRED":
      return refuse("expired", "the token has expired");
    case "ERR_JWKS_NO_MATCHING_KEY":
      return refuse("bad_signature", "the token's kid names no key of the issuer's JWKS");
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
    case "ERR_JWKS_MULTIPLE_MATCHING_KEYS":
      return refuse("bad_signature", "the token signature is invalid");
    case "ERR_JOSE_ALG_NOT_ALLOWED":
    case "ERR_JOSE_NOT_SUPPORTED":
      return refuse("bad_signature", "the token is not signed with an RSA algorithm");
    case "ERR_JWT_CLAIM_VALIDATION_FAILED":
      if (claim === "iss") return refuse("wrong_issuer", "the token does not have a valid issuer");
      if (claim === "nbf") return refuse("not_yet_valid", "the token is not valid yet");
      return refuse("malformed", `the token's ${claim ?? "claims"} claim is missing or invalid`);
    default:
      return refuse("malformed", "the token is not a valid JWT");
  }
}

type RsaPrivateJwk = JWK & { kty: "RSA"; n: string; e: string; d: string };

function isRsaPrivateJwk(value: unknown): value is RsaPrivateJwk {
  if (typeof value !== "object" || value === null) return false;
  const jwk = value as Record<string, unknown>;
  return jwk.kty === "RSA" && ["n", "e", "d"].every((member) => typeof jwk[member] === "string");
}

function signingKeyFromJwk(jwk: JWK): LocalSigningKey {
  const { kty, n, e, d, p, q, dp, dq, qi } = jwk;
  if (kty !== "RSA" || !n || !e || !d) throw new Error("the signing key must be an RSA private JWK");
  // RFC 7638 thumbprint: SHA-256 of the required members in lexicographic order.
  const kid = createHash("sha256").update(JSON.stringify({ e, kty, n })).digest("base64url");
  const privateJwk: JWK = { kty, n, e, d, p, q, dp, dq, qi, kid, alg: signingAlgorithm, use: "sig" };
  const privateKey = createPrivateKey({ key: privateJwk as JsonWebKey, format: "jwk" });
  return {
    kid,
    alg: signingAlgorithm,
    privateKey,
    publicJwk: { kty, n, e, kid, alg: signingAlgorithm, use: "sig" },
    privateJwk,
  };
}
