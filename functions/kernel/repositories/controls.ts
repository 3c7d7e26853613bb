import { type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import type { TenantControls } from "#schemas/records.ts";
import { TenantControls as validateTenantControls } from "#schemas/validators.generated.js";
import { keys } from "../data-layout.ts";
import { toDomainRecord } from "./records.ts";

/** The tenant's safety controls; undefined when none were ever set. */
export async function getTenantControls(
  db: DynamoDBDocumentClient,
  tableName: string,
  tenantId: string,
): Promise<TenantControls | undefined> {
  const { Item } = await db.send(
    new GetCommand({ TableName: tableName, Key: keys.tenantControls(tenantId), ConsistentRead: true }),
  );
  return Item
    ? toDomainRecord<TenantControls>(Item, validateTenantControls, `controls of tenant ${tenantId}`)
    : undefined;
}
