// How each service answers the faults it can have, in its own wire protocol, so the client's own error
// parsing and retry policy run as they would against AWS: the SDK retries throttles and 5xx (standard mode:
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html), the kernel maps what is left.
import { type HttpAnswer, type JsonProtocol, jsonError, s3Error } from "../iam/refusals.ts";
import type { FaultSpec } from "./profile.ts";

/** A service's answer, with the headers some faults carry (Retry-After). */
export type FaultAnswer = HttpAnswer & { headers?: Record<string, string> };

/** DynamoDB's errors carry the service's model namespace. */
const dynamodb: JsonProtocol = {
  contentType: "application/x-amz-json-1.0",
  typePrefix: "com.amazonaws.dynamodb.v20120810#",
};
const json11: JsonProtocol = { contentType: "application/x-amz-json-1.1", typePrefix: "" };

/**
 * DynamoDB cancels a transaction that meets another in flight on one of its items with
 * TransactionCanceledException, one reason per item, `TransactionConflict` on the contested one:
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
 */
function transactionConflict(itemCount: number): HttpAnswer {
  const reasons = Array.from({ length: Math.max(1, itemCount) }, (_, index) =>
    index === 0 ? { Code: "TransactionConflict", Message: "Transaction is ongoing for the item" } : { Code: "None" },
  );
  return {
    status: 400,
    contentType: dynamodb.contentType,
    body: JSON.stringify({
      __type: `${dynamodb.typePrefix}TransactionCanceledException`,
      CancellationReasons: reasons,
      Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((reason) => reason.Code).join(", ")}]`,
    }),
  };
}

/** https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html */
function dynamodbAnswer(kind: FaultSpec["kind"], transactItems: number): HttpAnswer | undefined {
  switch (kind) {
    case "throttle":
      return jsonError(
        dynamodb,
        400,
        "ProvisionedThroughputExceededException",
        "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
      );
    case "throttling-exception":
      return jsonError(dynamodb, 400, "ThrottlingException", "Rate of requests exceeds the allowed throughput.");
    case "server-error":
      return jsonError(dynamodb, 500, "InternalServerError", "Internal server error");
    case "transaction-conflict":
      return transactionConflict(transactItems);
    default:
      return undefined;
  }
}

/** https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html */
function s3Answer(kind: FaultSpec["kind"]): HttpAnswer | undefined {
  if (kind === "throttle") return s3Error(503, "SlowDown", "Please reduce your request rate.");
  if (kind === "server-error")
    return s3Error(500, "InternalError", "We encountered an internal error. Please try again.");
  return undefined;
}

/**
 * Secrets Manager: https://docs.aws.amazon.com/secretsmanager/latest/apireference/CommonErrors.html
 * EventBridge: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html#API_PutEvents_Errors
 */
function json11Answer(kind: FaultSpec["kind"], internalError: string): HttpAnswer | undefined {
  if (kind === "throttle") return jsonError(json11, 400, "ThrottlingException", "Rate exceeded");
  if (kind === "server-error") return jsonError(json11, 500, internalError, "An internal error occurred.");
  return undefined;
}

/**
 * A gateway in trouble answers before MCP sees the request, as the demo gateway's own HTTP faults do: a
 * load balancer's 5xx or a throttle's 429 with Retry-After, a JSON-RPC error body and no result.
 */
function gatewayAnswer(fault: FaultSpec, requestId: unknown): FaultAnswer | undefined {
  const body = (message: string) =>
    JSON.stringify({ jsonrpc: "2.0", id: requestId ?? null, error: { code: -32000, message } });
  if (fault.kind === "throttle") {
    return {
      status: 429,
      contentType: "application/json",
      body: body("Too many requests"),
      headers: { "retry-after": "1" },
    };
  }
  if (fault.kind === "server-error") {
    const status = fault.status ?? 503;
    return { status, contentType: "application/json", body: body(`Gateway fault injected (HTTP ${status})`) };
  }
  return undefined;
}

export interface AnswerContext {
  /** How many items a TransactWriteItems request holds, for its cancellation reasons. */
  transactItems?: number;
  /** The JSON-RPC id of a gateway request, echoed in its error. */
  requestId?: unknown;
}

/** The answer that plays `fault`; undefined for kinds that are no answer (latency, reset). */
export function faultAnswer(fault: FaultSpec, context: AnswerContext = {}): FaultAnswer | undefined {
  switch (fault.service) {
    case "dynamodb":
      return dynamodbAnswer(fault.kind, context.transactItems ?? 1);
    case "s3":
      return s3Answer(fault.kind);
    case "secretsmanager":
      return json11Answer(fault.kind, "InternalServiceError");
    case "eventbridge":
      return json11Answer(fault.kind, "InternalException");
    case "gateway":
      return gatewayAnswer(fault, context.requestId);
    case "lambda":
      return undefined;
  }
}
