// Who signed a request: the access key id in a SigV4 `Authorization` header (or a presigned URL's
// X-Amz-Credential), and the session token temporary credentials send beside it.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-signing-elements.html
import type { IncomingHttpHeaders } from "node:http";

export interface RequestSigner {
  accessKeyId: string;
  sessionToken?: string;
}

const headerCredential = /Credential=([^/,\s]+)\//;

/** The signer of a request, or undefined for an unsigned (anonymous) one. */
export function signerOf(headers: IncomingHttpHeaders, url = "/"): RequestSigner | undefined {
  const query = new URL(url, "http://local").searchParams;
  const accessKeyId =
    headerCredential.exec(String(headers.authorization ?? ""))?.[1] ?? query.get("X-Amz-Credential")?.split("/")[0];
  if (!accessKeyId) return undefined;
  const token = headers["x-amz-security-token"] ?? query.get("X-Amz-Security-Token") ?? undefined;
  return { accessKeyId, sessionToken: Array.isArray(token) ? token[0] : token };
}
