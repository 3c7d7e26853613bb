// Recording an outcome: execution record, ledger entry and signal record in one TransactWriteItems, so
// the three can never half-succeed and a replay cannot write any of them twice.
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { SignalRecord } from "#schemas/events.ts";
import type { ExecutionRecord, LedgerEvent } from "#schemas/records.ts";
import { keys } from "../data-layout.ts";
import { PermanentError, TransientError } from "../errors.ts";
import { executionItem, toExecutionRecord } from "./executions.ts";
import { setExpression } from "./records.ts";

export interface OutcomeTables {
  executions: string;
  ledger: string;
  signals: string;
}

export interface OutcomeWrite {
  record: ExecutionRecord;
  ledgerEvent: LedgerEvent;
  signal: SignalRecord;
  /** RecordFailure may run before StartExecution wrote anything; RecordOutcome always follows an attempt. */
  createIfAbsent: boolean;
}

export type OutcomeWriteResult = { written: true } | { written: false; current?: ExecutionRecord };

const ownRunningAttempt = "execution_id = :execution_id AND #status = :running";

export async function writeOutcome(
  db: DynamoDBDocumentClient,
  tableNames: OutcomeTables,
  { record, ledgerEvent, signal, createIfAbsent }: OutcomeWrite,
): Promise<OutcomeWriteResult> {
  const { pk, sk, ...fields } = executionItem(record);
  const update = setExpression(fields);
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableNames.executions,
              Key: { pk, sk },
              UpdateExpression: update.expression,
              ConditionExpression: createIfAbsent
                ? `attribute_not_exists(pk) OR (${ownRunningAttempt})`
                : ownRunningAttempt,
              ExpressionAttributeNames: { ...update.names, "#status": "status" },
              ExpressionAttributeValues: {
                ...update.values,
                ":execution_id": record.execution_id,
                ":running": "RUNNING",
              },
              ReturnValuesOnConditionCheckFailure: "ALL_OLD",
            },
          },
          {
            Put: {
              TableName: tableNames.ledger,
              Item: { ...keys.outcomeLedgerEvent(record.tenant_id, record.action_intent_id), ...ledgerEvent },
              ConditionExpression: "attribute_not_exists(pk)",
            },
          },
          {
            Put: {
              TableName: tableNames.signals,
              Item: { ...keys.signal(record.tenant_id, record.action_intent_id), ...signal },
              ConditionExpression: "attribute_not_exists(pk)",
            },
          },
        ],
      }),
    );
    return { written: true };
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const [recordReason, ...others] = error.CancellationReasons ?? [];
    if (recordReason?.Code === "ConditionalCheckFailed") {
      return {
        written: false,
        current: recordReason.Item ? toExecutionRecord(unmarshall(recordReason.Item)) : undefined,
      };
    }
    if (others.some((reason) => reason.Code === "ConditionalCheckFailed")) {
      throw new PermanentError(
        `intent ${record.action_intent_id} has a ledger entry or signal but its execution record is still RUNNING`,
        { cause: error, errorClass: "UNKNOWN" },
      );
    }
    throw new TransientError(`outcome transaction cancelled: ${error.message}`, { cause: error });
  }
}
