// How each service answers a request IAM refuses, in its own protocol: the JSON services (DynamoDB,
// EventBridge, Secrets Manager) with a typed error body and 400, S3 with its XML error document.
import type { ServerResponse } from "node:http";
import { type Authorization, denialMessage } from "./authorizer.ts";

export interface HttpAnswer {
  status: number;
  contentType: string;
  body: string;
}

export function writeAnswer(response: ServerResponse, answer: HttpAnswer): void {
  response.writeHead(answer.status, {
    "content-type": answer.contentType,
    "content-length": Buffer.byteLength(answer.body),
    "x-amzn-requestid": crypto.randomUUID(),
  });
  response.end(answer.body);
}

export interface JsonProtocol {
  contentType: "application/x-amz-json-1.0" | "application/x-amz-json-1.1";
  /** What precedes the error name in `__type`, e.g. `com.amazon.coral.service#` (DynamoDB). */
  typePrefix: string;
}

export const jsonError = (protocol: JsonProtocol, status: number, type: string, message: string): HttpAnswer => ({
  status,
  contentType: protocol.contentType,
  body: JSON.stringify({ __type: `${protocol.typePrefix}${type}`, Message: message }),
});

const signatureMismatch =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.";

/** undefined when the request is to be served. */
export function jsonRefusal(protocol: JsonProtocol, authorization: Authorization): HttpAnswer | undefined {
  switch (authorization.outcome) {
    case "allowed":
      return undefined;
    case "unsigned":
      return jsonError(protocol, 400, "MissingAuthenticationTokenException", "Request is missing Authentication Token");
    case "invalid-token":
      return jsonError(
        protocol,
        400,
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
      );
    case "signature-mismatch":
      return jsonError(protocol, 400, "InvalidSignatureException", signatureMismatch);
    case "denied":
      return jsonError(protocol, 400, "AccessDeniedException", authorization.message);
  }
}

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);

export const s3Error = (status: number, code: string, message: string): HttpAnswer => ({
  status,
  contentType: "application/xml",
  body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message><RequestId>${crypto.randomUUID()}</RequestId><HostId>local</HostId></Error>`,
});

/**
 * S3's answers. Same-account denials name the principal, the action and the reason, the resource quoted:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html
 */
export function s3Refusal(authorization: Authorization): HttpAnswer | undefined {
  switch (authorization.outcome) {
    case "allowed":
      return undefined;
    case "unsigned":
      // Anonymous: the bucket blocks public access and no bucket policy grants it.
      return s3Error(403, "AccessDenied", "Access Denied");
    case "invalid-token":
      return s3Error(400, "InvalidToken", "The provided token is malformed or otherwise invalid.");
    case "signature-mismatch":
      return s3Error(403, "SignatureDoesNotMatch", signatureMismatch);
    case "denied":
      return s3Error(403, "AccessDenied", denialMessage(authorization.decision, true));
  }
}
