// The status API's routes: matched by the handler's router, declared as HTTP API routes by the infra.
export const statusRoutes = {
  executionStatus: { method: "GET", path: "/executions/{action_intent_id}/status" },
  accountExecutions: { method: "GET", path: "/accounts/{account_id}/executions" },
} as const;
