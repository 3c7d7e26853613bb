// The engine's status API as its clients call it: GET with a bearer token, JSON answers.
import type { ExecutionListResponse, ExecutionStatusResponse } from "../schemas/api.ts";
import { OperationError } from "./errors.ts";
import { fieldLines } from "./output.ts";
import type { Target } from "./target.ts";

const TIMEOUT_MS = 15_000;

export interface ApiAnswer {
  httpStatus: number;
  body: unknown;
}

export async function getFromApi(target: Target, path: string, token: string): Promise<ApiAnswer> {
  const url = `${target.apiUrl}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, accept: "application/json" },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const reason = (error as Error).cause ?? error;
    throw new OperationError(`the status API at ${target.apiUrl} does not answer: ${(reason as Error).message}`, {
      cause: error,
    });
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Kept as text: API Gateway's own refusals are JSON, but a proxy's may not be.
  }
  return { httpStatus: response.status, body };
}

/** The API's refusal, said in full: the status, its message, and what usually causes it. */
export function apiRefusal(answer: ApiAnswer, what: string, target: Target): OperationError {
  const message =
    typeof answer.body === "object" && answer.body !== null && "message" in answer.body
      ? String((answer.body as { message: unknown }).message)
      : String(answer.body).slice(0, 300);
  const hint =
    answer.httpStatus === 401
      ? target.local
        ? " (the dev token is signed with the engine's key: was the engine restarted since?)"
        : " (pass a current token the stack's authorizer accepts: --token or ENGINE_TOKEN)"
      : "";
  return new OperationError(`the status API answered ${answer.httpStatus} for ${what}: ${message}${hint}`);
}

export const statusPath = (actionIntentId: string) => `/executions/${encodeURIComponent(actionIntentId)}/status`;

export function listPath(accountId: string, limit?: number, nextToken?: string): string {
  const query = new URLSearchParams();
  if (limit !== undefined) query.set("limit", String(limit));
  if (nextToken !== undefined) query.set("next_token", nextToken);
  const suffix = query.size > 0 ? `?${query}` : "";
  return `/accounts/${encodeURIComponent(accountId)}/executions${suffix}`;
}

export function describeExecution(execution: ExecutionStatusResponse): string[] {
  const error = execution.error_class
    ? `${execution.error_class}${execution.error_code ? ` ${execution.error_code}` : ""}: ${execution.error_message ?? ""}`.trim()
    : undefined;
  return [
    `${execution.action_intent_id}  ${execution.status}`,
    ...fieldLines({
      account: execution.account_id,
      tool: execution.tool_name,
      attempts: execution.attempt_count,
      started: execution.started_at,
      completed: execution.completed_at,
      error,
      "external objects": execution.external_object_refs?.length
        ? execution.external_object_refs.map((ref) => `${ref.system}/${ref.object_type}/${ref.object_id}`).join(", ")
        : undefined,
      compensation: execution.compensation_status,
      trace: execution.execution_trace_id,
    }),
  ];
}

export type { ExecutionListResponse, ExecutionStatusResponse };
