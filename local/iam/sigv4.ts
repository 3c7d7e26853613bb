// Who signed a request, and whether the signature is theirs: the access key id in a SigV4 `Authorization`
// header (or a presigned URL's X-Amz-Credential), the session token temporary credentials send beside it,
// and the signature recomputed from the request with the key's secret, as AWS does before anything else.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
import { createHash, createHmac } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";

export interface SignedRequest {
  method: string;
  /** The request target as received: path and query, still encoded. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A request read whole, as a proxy in front of a service judges it before sending it on. */
export async function readWholeRequest(incoming: IncomingMessage): Promise<SignedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return {
    method: incoming.method ?? "GET",
    url: incoming.url ?? "/",
    headers: incoming.headers,
    body: Buffer.concat(chunks),
  };
}

export interface RequestSigner {
  accessKeyId: string;
  sessionToken?: string;
}

const headerCredential = /Credential=([^/,\s]+)\//;

/** The signer of a request, or undefined for an unsigned (anonymous) one. */
export function signerOf(request: Pick<SignedRequest, "headers" | "url">): RequestSigner | undefined {
  const query = new URL(request.url, "http://local").searchParams;
  const accessKeyId =
    headerCredential.exec(String(request.headers.authorization ?? ""))?.[1] ??
    query.get("X-Amz-Credential")?.split("/")[0];
  if (!accessKeyId) return undefined;
  const token = request.headers["x-amz-security-token"] ?? query.get("X-Amz-Security-Token") ?? undefined;
  return { accessKeyId, sessionToken: Array.isArray(token) ? token[0] : token };
}

const encodeRfc3986 = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();

function canonicalQuery(query: string): string {
  return query
    .split("&")
    .filter(Boolean)
    .map((pair) => {
      const [name = "", value = ""] = pair.split(/=(.*)/s);
      return [encodeRfc3986(decodeURIComponent(name)), encodeRfc3986(decodeURIComponent(value.replace(/\+/g, " ")))];
    })
    .sort(([a = "", x = ""], [b = "", y = ""]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
}

/**
 * Whether an `Authorization: AWS4-HMAC-SHA256 ...` header was computed with `secretAccessKey` over this
 * request. S3 signs its path as sent; the other services sign it encoded once more. A presigned URL (query
 * authentication) is not checked here: no function sends one.
 */
export function signatureMatches(request: SignedRequest, secretAccessKey: string): boolean {
  const authorization = String(request.headers.authorization ?? "");
  const parsed = /^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$/.exec(
    authorization.trim(),
  );
  if (!parsed) return !authorization;
  const [, credential = "", signedHeaders = "", signature = ""] = parsed;
  const [, date = "", region = "", service = "", terminator] = credential.split("/");
  if (terminator !== "aws4_request") return false;
  const [rawPath = "/", rawQuery = ""] = request.url.split(/\?(.*)/s);
  const path = service === "s3" ? rawPath : rawPath.split("/").map(encodeRfc3986).join("/");
  const header = (name: string) => {
    const value = request.headers[name];
    return (Array.isArray(value) ? value.join(",") : (value ?? "")).trim().replace(/\s+/g, " ");
  };
  const payloadHash = header("x-amz-content-sha256") || sha256(request.body);
  const canonicalRequest = [
    request.method,
    path,
    canonicalQuery(rawQuery),
    ...signedHeaders.split(";").map((name) => `${name}:${header(name)}`),
    "",
    signedHeaders,
    payloadHash,
  ].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", header("x-amz-date"), scope, sha256(canonicalRequest)].join("\n");
  return (
    createHmac("sha256", signingKey(secretAccessKey, date, region, service))
      .update(stringToSign)
      .digest("hex") === signature
  );
}

/** Derived signing keys: one per secret, day, region and service, as the SDKs cache them. */
const signingKeys = new Map<string, Buffer>();

/** The key a day's signatures for one service are made with: four HMACs, computed once per day and service. */
function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const cacheKey = `${secretAccessKey}/${date}/${region}/${service}`;
  let key = signingKeys.get(cacheKey);
  if (!key) {
    key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), "aws4_request");
    // Days go by and engines restart with new keys: a bound keeps the cache from growing for ever.
    if (signingKeys.size >= 1000) signingKeys.clear();
    signingKeys.set(cacheKey, key);
  }
  return key;
}
