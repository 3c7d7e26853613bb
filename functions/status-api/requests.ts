// Reading a request: the tenant from the verified JWT claims (never from a header), then the route's
// parameters checked against the StatusRequest / ListRequest contracts. A refusal names the parameter.
import type { ErrorObject, ValidateFunction } from "ajv";
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from "aws-lambda";
import { ListRequestSchema, StatusRequestSchema } from "#schemas/api.ts";
import { identifier } from "#schemas/common.ts";
import { ListRequest, StatusRequest } from "#schemas/validators.generated.js";
import { HttpError } from "./http.ts";

export type HttpApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;

const identifierPattern = new RegExp(identifier.pattern);

/**
 * The caller's tenant: the claim the JWT authorizer verified. Without one the caller may see nothing. A
 * refusal names the claim it looked for, never a value from the token.
 */
export function tenantOf(event: HttpApiEvent, claim: string): string {
  // The authorizer block is absent at run time when a route is deployed without the JWT authorizer.
  const claims = event.requestContext?.authorizer?.jwt?.claims;
  if (!claims) {
    throw new HttpError(403, `no verified token reached the status API, so there is no "${claim}" claim to read`);
  }
  const value: unknown = claims[claim];
  if (value === undefined) {
    throw new HttpError(
      403,
      `the token has no "${claim}" claim; send an access token from a user pool whose ` +
        "pre-token-generation trigger adds it, or an ID token that carries it",
    );
  }
  if (typeof value !== "string" || value.length > identifier.maxLength || !identifierPattern.test(value)) {
    throw new HttpError(403, `the token's "${claim}" claim is not a tenant id: it must be ${identifier.description}`);
  }
  return value;
}

export interface StatusQuery {
  actionIntentId: string;
  accountId?: string;
}

export function readStatusRequest(event: HttpApiEvent): StatusQuery {
  checkAgainst(StatusRequest, StatusRequestSchema, event);
  const actionIntentId = event.pathParameters?.action_intent_id as string;
  return { actionIntentId, accountId: event.queryStringParameters?.account_id };
}

export interface ListQuery {
  accountId: string;
  limit: number;
  nextToken?: string;
}

export function readListRequest(event: HttpApiEvent, defaultLimit: number): ListQuery {
  checkAgainst(ListRequest, ListRequestSchema, event);
  const query = event.queryStringParameters ?? {};
  return {
    accountId: event.pathParameters?.account_id as string,
    limit: query.limit === undefined ? defaultLimit : Number(query.limit),
    nextToken: query.next_token,
  };
}

function checkAgainst(validate: ValidateFunction, schema: SchemaFragment, event: HttpApiEvent): void {
  // Only the parts the contract describes: the whole event would drag headers and claims into errors.
  const request = { pathParameters: event.pathParameters, queryStringParameters: event.queryStringParameters };
  if (!validate(request)) {
    throw new HttpError(400, describeParameterErrors(validate.errors, schema), { cause: validate.errors });
  }
}

interface SchemaFragment {
  readonly description?: string;
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly properties?: Readonly<Record<string, SchemaFragment>>;
}

/**
 * One sentence per bad parameter, from the parameter's own schema: its `description` when it has one
 * (`limit must be an integer from 1 to 100`), else its length and pattern.
 */
export function describeParameterErrors(
  errors: readonly ErrorObject[] | null | undefined,
  schema: SchemaFragment,
): string {
  const sentences = new Map<string, string>();
  for (const error of errors ?? []) {
    const path = error.instancePath.split("/").filter((segment) => segment !== "");
    if (error.keyword === "required") path.push(String(error.params.missingProperty));
    const parameter = path.at(-1) ?? "request";
    if (sentences.has(parameter)) continue;
    const fragment = path.reduce<SchemaFragment | undefined>((node, segment) => node?.properties?.[segment], schema);
    const requirement = error.keyword === "required" ? "is required" : `must be ${expectation(fragment, error)}`;
    sentences.set(parameter, `${parameter} ${requirement}`);
  }
  return sentences.size > 0 ? [...sentences.values()].join("; ") : "The request does not match its contract";
}

function expectation(fragment: SchemaFragment | undefined, error: ErrorObject): string {
  if (fragment?.description) return fragment.description;
  if (fragment?.pattern) {
    const length =
      fragment.maxLength === undefined ? "" : `${fragment.minLength ?? 0} to ${fragment.maxLength} characters `;
    return `${length}matching ${fragment.pattern}`;
  }
  return `valid (${error.message ?? error.keyword})`;
}
