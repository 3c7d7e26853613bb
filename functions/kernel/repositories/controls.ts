import { BatchGetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { GlobalControls, TenantControls } from "#schemas/records.ts";
import {
  GlobalControls as validateGlobalControls,
  TenantControls as validateTenantControls,
} from "#schemas/validators.generated.js";
import { keys } from "../data-layout.ts";
import { TransientError } from "../errors.ts";
import { toDomainRecord } from "./records.ts";

/** The safety controls an execution is subject to; a missing record means nothing is disabled at that level. */
export interface Controls {
  global?: GlobalControls;
  tenant?: TenantControls;
}

/**
 * The global controls and the tenant's, in one strongly consistent BatchGetItem, so an operator's change
 * applies to the next execution that reads them.
 *
 * BatchGetItem may answer with some keys unprocessed (throughput exceeded, internal failure) instead of
 * an error: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html. Reading
 * a partial answer as "no controls" would let an execution past a kill switch, so it is a TransientError:
 * the state machine's Retry backs off with jitter, as AWS advises for unprocessed keys, and a retry loop
 * inside the function would bill its waiting and hide it from the execution history.
 */
export async function getControls(db: DynamoDBDocumentClient, tableName: string, tenantId: string): Promise<Controls> {
  const globalKey = keys.globalControls();
  const tenantKey = keys.tenantControls(tenantId);
  const { Responses, UnprocessedKeys } = await db.send(
    new BatchGetCommand({ RequestItems: { [tableName]: { Keys: [globalKey, tenantKey], ConsistentRead: true } } }),
  );
  if (UnprocessedKeys?.[tableName]?.Keys?.length) {
    throw new TransientError(
      `DynamoDB left controls unprocessed for tenant ${tenantId} (throughput exceeded or an internal failure)`,
    );
  }
  const items = Responses?.[tableName] ?? [];
  const itemAt = (key: { pk: string; sk: string }) => items.find((item) => item.pk === key.pk && item.sk === key.sk);
  const globalItem = itemAt(globalKey);
  const tenantItem = itemAt(tenantKey);
  return {
    global: globalItem && toDomainRecord<GlobalControls>(globalItem, validateGlobalControls, "global controls"),
    tenant:
      tenantItem &&
      toDomainRecord<TenantControls>(tenantItem, validateTenantControls, `controls of tenant ${tenantId}`),
  };
}
