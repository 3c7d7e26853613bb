// StartExecution: loads the approved intent and claims it for this Step Functions execution with one
// conditional write. Another execution's claim makes this one a duplicate that touches nothing and ends in
// DuplicateApprovalError, which the state machine catches into its DuplicateIgnored Succeed state.
import { randomUUID } from "node:crypto";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { documentClient } from "#kernel/clients/dynamodb.ts";
import { tableNameFromEnv } from "#kernel/config.ts";
import { correlate } from "#kernel/correlation.ts";
import { DuplicateApprovalError, IntentNotFoundError } from "#kernel/errors.ts";
import { idempotencyKeyFor } from "#kernel/idempotency.ts";
import { Metric } from "#kernel/metric-names.ts";
import { statePipeline } from "#kernel/pipeline.ts";
import { logger, metrics } from "#kernel/powertools.ts";
import { startAttempt } from "#kernel/repositories/executions.ts";
import { getIntent } from "#kernel/repositories/intents.ts";
import type { ExecutionRecord } from "#schemas/records.ts";
import type { StarterInput, StarterOutput } from "#schemas/states.ts";
import { StarterInput as validateInput, StarterOutput as validateOutput } from "#schemas/validators.generated.js";

const config = {
  intentsTable: tableNameFromEnv("intents"),
  executionsTable: tableNameFromEnv("executions"),
};

export async function startExecution(
  input: StarterInput,
  db: DynamoDBDocumentClient,
  tableNames: typeof config,
): Promise<StarterOutput> {
  const intent = await getIntent(db, tableNames.intentsTable, input.tenant_id, input.action_intent_id);
  if (!intent) {
    throw new IntentNotFoundError(`action intent ${input.action_intent_id} not found for tenant ${input.tenant_id}`);
  }
  const now = new Date().toISOString();
  const idempotencyKey = idempotencyKeyFor(input.tenant_id, input.action_intent_id);
  const attempt: ExecutionRecord = {
    action_intent_id: input.action_intent_id,
    tenant_id: input.tenant_id,
    account_id: input.account_id,
    status: "RUNNING",
    execution_id: input.execution_id,
    execution_trace_id: randomUUID(),
    decision_trace_id: intent.trace_id,
    attempt_count: 1,
    action_type: intent.action_type,
    registry_version: intent.registry_version,
    idempotency_key: idempotencyKey,
    started_at: now,
    updated_at: now,
  };
  const result = await startAttempt(db, tableNames.executionsTable, attempt);
  // A retried StartExecution of this same execution finds its own attempt and carries on with it.
  const claimed = result.written ? attempt : result.existing;
  correlate({ execution_trace_id: claimed.execution_trace_id });
  if (claimed.execution_id !== input.execution_id) {
    logger.info("duplicate approval ignored", { existing_status: claimed.status });
    metrics.addMetric(Metric.DuplicateIgnored.name, MetricUnit.Count, 1);
    throw new DuplicateApprovalError(
      `action intent ${input.action_intent_id} is held by another execution (status ${claimed.status})`,
    );
  }
  return {
    duplicate: false,
    execution_trace_id: claimed.execution_trace_id,
    attempt_count: claimed.attempt_count,
    started_at: claimed.started_at,
    registry_version: intent.registry_version,
    action_type: intent.action_type,
    idempotency_key: idempotencyKey,
    decision_trace_id: claimed.decision_trace_id ?? intent.trace_id,
  };
}

export const handler = statePipeline<StarterInput, StarterOutput>(
  { input: validateInput, output: validateOutput },
  (input) => startExecution(input, documentClient, config),
);
