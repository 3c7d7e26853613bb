// IAM in front of DynamoDB Local, which accepts any credentials. Each request is read as DynamoDB reads
// it (the X-Amz-Target operation, the JSON body) into the (action, resource) pairs IAM checks; a refused
// request gets DynamoDB's AccessDeniedException, 400, and never reaches the table.

import { isArn, localArns } from "./arns.ts";
import type { LocalIam } from "./authorizer.ts";
import type { IamRequest } from "./evaluate.ts";
import type { RequestGuard } from "./guard-proxy.ts";
import { type JsonProtocol, jsonRefusal } from "./refusals.ts";

type Body = Record<string, unknown>;

const tableArn = (table: unknown) => {
  const name = String(table);
  return isArn(name) ? name : localArns.table(name);
};

/** The item operation each part of a transaction is authorized as. */
const transactionActions = {
  Put: "PutItem",
  Update: "UpdateItem",
  Delete: "DeleteItem",
  ConditionCheck: "ConditionCheckItem",
  Get: "GetItem",
} as const;

/**
 * What IAM checks for one DynamoDB request. Batch operations are authorized per table under their own
 * action; each part of a transaction under its item operation's action, with the enclosing operation in
 * the request context:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
 */
export function dynamodbPermissions(operation: string, body: Body): IamRequest[] {
  switch (operation) {
    case "BatchGetItem":
    case "BatchWriteItem":
      return Object.keys((body.RequestItems as Body | undefined) ?? {}).map((table) => ({
        action: `dynamodb:${operation}`,
        resource: tableArn(table),
      }));
    case "TransactWriteItems":
    case "TransactGetItems":
      return ((body.TransactItems as Body[] | undefined) ?? []).flatMap((item) =>
        Object.entries(item).flatMap(([kind, part]) => {
          const action = transactionActions[kind as keyof typeof transactionActions];
          if (!action) return [];
          return [
            {
              action: `dynamodb:${action}`,
              resource: tableArn((part as Body).TableName),
              context: { "dynamodb:EnclosingOperation": operation },
            },
          ];
        }),
      );
    default: {
      if (body.TableName === undefined) return [{ action: `dynamodb:${operation}`, resource: "*" }];
      const table = tableArn(body.TableName);
      const indexed = (operation === "Query" || operation === "Scan") && typeof body.IndexName === "string";
      return [{ action: `dynamodb:${operation}`, resource: indexed ? `${table}/index/${body.IndexName}` : table }];
    }
  }
}

/** DynamoDB speaks JSON 1.0; its authorization errors come from the service framework's namespace. */
export const dynamodbProtocol: JsonProtocol = {
  contentType: "application/x-amz-json-1.0",
  typePrefix: "com.amazon.coral.service#",
};

/** IAM in front of DynamoDB Local at `upstream`: each operation is judged as the permissions it needs. */
export function dynamodbGuard(upstream: string, iam: LocalIam): RequestGuard {
  return {
    upstream,
    judge: async (request) => {
      const operation = String(request.headers["x-amz-target"] ?? "").split(".")[1];
      // Not an operation call (a health check, a malformed request): DynamoDB Local answers it.
      if (!operation) return undefined;
      let body: Body;
      try {
        body = JSON.parse(request.body.toString("utf8") || "{}") as Body;
      } catch {
        return undefined;
      }
      const authorization = await iam.authorize(request, dynamodbPermissions(operation, body));
      return jsonRefusal(dynamodbProtocol, authorization);
    },
  };
}
