// Exactly-once inside the engine: a call made through `exactlyOnce` runs at most once per key, whatever
// the gateway behind it does with keys. Express workflows run an execution at least once, and a Standard
// task retried after a Lambda service error may already have run
// (https://docs.aws.amazon.com/step-functions/latest/dg/choosing-workflow-type.html), so the claim lives in
// the idempotency table (@aws-lambda-powertools/idempotency, DynamoDB persistence): a replay gets the first
// call's stored result, a concurrent duplicate is told to come back later, and the same key with other
// arguments is refused.
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyInconsistentStateError,
  IdempotencyPersistenceLayerError,
  IdempotencyValidationError,
  makeIdempotent,
} from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Context } from "aws-lambda";
import { dynamoDbClient } from "./clients/dynamodb-client.ts";
import { PermanentError, ToolCallInProgressError, TransientError, toStateError } from "./errors.ts";
import { logger } from "./powertools.ts";

export interface ExactlyOnceOptions {
  tableName: string;
  /** Leads every record's key, so two kinds of call never share a record. */
  keyPrefix: string;
  /** JMESPath to the key in the call's argument. */
  keyPath: string;
  /** JMESPath to what must be the same on every call with that key. */
  validationPath: string;
  /** How long a completed call's result is replayed. */
  expiresAfterSeconds: number;
  client?: DynamoDBClient;
}

/**
 * Runs the call, or returns the result its key already has. `context` ties an in-progress claim to the
 * function's remaining time, so a claim left by an invocation that timed out lets a later one call again.
 */
export type ExactlyOnce<TArgs, TResult> = (args: TArgs, context?: Context) => Promise<TResult>;

/**
 * Errors of the idempotency layer, named for the state machine: a call still in progress elsewhere is worth
 * retrying once its claim can no longer be held (ToolCallInProgressError, which InvokeTool retries with a
 * guaranteed wait); a record that expired while read is worth retrying at once; the same key with different
 * arguments never succeeds.
 */
export function toExactlyOnceError(error: unknown): unknown {
  if (error instanceof IdempotencyValidationError) {
    return new PermanentError(`the same idempotency key was used with different arguments: ${error.message}`, {
      cause: error,
      errorClass: "VALIDATION",
    });
  }
  if (error instanceof IdempotencyAlreadyInProgressError) {
    return new ToolCallInProgressError(`the call is in progress elsewhere: ${error.message}`, { cause: error });
  }
  if (error instanceof IdempotencyInconsistentStateError) {
    return new TransientError(`the call's idempotency record changed while read: ${error.message}`, { cause: error });
  }
  if (error instanceof IdempotencyPersistenceLayerError && error.cause instanceof Error) {
    const cause = toStateError(error.cause);
    return cause === error.cause ? error : cause;
  }
  return error;
}

export function exactlyOnce<TArgs extends object, TResult>(
  call: (args: TArgs) => Promise<TResult>,
  options: ExactlyOnceOptions,
): ExactlyOnce<TArgs, TResult> {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: options.keyPath,
    payloadValidationJmesPath: options.validationPath,
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: options.expiresAfterSeconds,
  });
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: options.tableName,
    awsSdkV3Client: options.client ?? dynamoDbClient,
  });
  // What each call answered, until its record is complete: the idempotency layer runs the call with the
  // arguments it was given, so they identify the call.
  const answered = new WeakMap<TArgs, TResult>();
  // The result as the record keeps it (JSON: undefined fields dropped, which DynamoDB cannot marshal), so
  // the first call and every replay answer the same value.
  const asRecorded = async (args: TArgs) => {
    const result = JSON.parse(JSON.stringify(await call(args))) as TResult;
    answered.set(args, result);
    return result;
  };
  const once = makeIdempotent(asRecorded, { persistenceStore, config, keyPrefix: options.keyPrefix });
  return async (args, context) => {
    if (context) config.registerLambdaContext(context);
    try {
      return await once(args);
    } catch (error) {
      const result = answered.get(args);
      // The call ran and answered; only completing its record failed (DynamoDB throttled past the SDK's
      // retries). Failing now would leave the claim in progress until it expires, every retry refused,
      // and the call's effect recorded as a FAILED outcome: its answer is the truth, so it is returned.
      if (result !== undefined && error instanceof IdempotencyPersistenceLayerError) {
        logger.warn("the call's result could not be saved to its idempotency record; answering it anyway", {
          error,
        });
        return result;
      }
      throw toExactlyOnceError(error);
    } finally {
      answered.delete(args);
    }
  };
}
