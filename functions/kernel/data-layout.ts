// The engine's DynamoDB tables: key attributes, indexes and TTL, declared once and used by the Pulumi
// program, the local engine and the repositories. Tenant-owned keys lead with `TENANT#<tenant_id>` so an
// IAM `dynamodb:LeadingKeys` condition can confine a principal to one tenant.

export type KeyType = "S" | "N";

export interface TableLayout {
  /** Environment variable a function reads the physical table name from. */
  readonly envVar: string;
  readonly partitionKey: { readonly name: string; readonly type: KeyType };
  /** Absent for a table keyed by its partition key alone. */
  readonly sortKey?: { readonly name: string; readonly type: KeyType };
  readonly globalIndexes: readonly {
    readonly name: string;
    readonly partitionKey: { readonly name: string; readonly type: KeyType };
    readonly sortKey: { readonly name: string; readonly type: KeyType };
  }[];
  readonly ttlAttribute?: string;
}

const stringKeys = { partitionKey: { name: "pk", type: "S" }, sortKey: { name: "sk", type: "S" } } as const;

export const tables = {
  intents: { envVar: "INTENTS_TABLE_NAME", ...stringKeys, globalIndexes: [] },
  registry: {
    envVar: "REGISTRY_TABLE_NAME",
    partitionKey: { name: "action_type", type: "S" },
    sortKey: { name: "registry_version", type: "N" },
    globalIndexes: [],
  },
  executions: {
    envVar: "EXECUTIONS_TABLE_NAME",
    ...stringKeys,
    globalIndexes: [
      {
        name: "by_account",
        partitionKey: { name: "gsi1pk", type: "S" },
        sortKey: { name: "gsi1sk", type: "S" },
      },
    ],
  },
  ledger: { envVar: "LEDGER_TABLE_NAME", ...stringKeys, globalIndexes: [] },
  signals: { envVar: "SIGNALS_TABLE_NAME", ...stringKeys, globalIndexes: [], ttlAttribute: "expires_at_epoch" },
  controls: { envVar: "CONTROLS_TABLE_NAME", ...stringKeys, globalIndexes: [] },
  /**
   * One record per tool call, in the shape @aws-lambda-powertools/idempotency's DynamoDB persistence writes
   * by default: partition key `id`, epoch-seconds expiry in `expiration`, which TTL removes.
   */
  idempotency: {
    envVar: "IDEMPOTENCY_TABLE_NAME",
    partitionKey: { name: "id", type: "S" },
    globalIndexes: [],
    ttlAttribute: "expiration",
  },
} as const satisfies Record<string, TableLayout>;

export type TableName = keyof typeof tables;

export const SIGNAL_TTL_DAYS = 90;

const tenant = (tenantId: string) => `TENANT#${tenantId}`;

/** Key builders, one per record kind. Identifiers cannot contain `#` (schemas/common.ts). */
export const keys = {
  intent: (tenantId: string, actionIntentId: string) => ({ pk: tenant(tenantId), sk: `INTENT#${actionIntentId}` }),
  execution: (tenantId: string, actionIntentId: string) => ({
    pk: tenant(tenantId),
    sk: `EXECUTION#${actionIntentId}`,
  }),
  /** by_account index: one tenant's account, newest first when queried backwards. */
  executionByAccount: (tenantId: string, accountId: string, startedAt: string, actionIntentId: string) => ({
    gsi1pk: `${tenant(tenantId)}#ACCOUNT#${accountId}`,
    gsi1sk: `${startedAt}#${actionIntentId}`,
  }),
  accountPartition: (tenantId: string, accountId: string) => `${tenant(tenantId)}#ACCOUNT#${accountId}`,
  /** One outcome per intent, so one ledger entry per intent: a replayed recording cannot add a second. */
  outcomeLedgerEvent: (tenantId: string, actionIntentId: string) => ({
    pk: tenant(tenantId),
    sk: `LEDGER#${actionIntentId}#OUTCOME`,
  }),
  signal: (tenantId: string, actionIntentId: string) => ({ pk: tenant(tenantId), sk: `SIGNAL#${actionIntentId}` }),
  tenantControls: (tenantId: string) => ({ pk: tenant(tenantId), sk: "CONTROLS" }),
  /** The controls every tenant is subject to, read with the tenant's own in one BatchGetItem. */
  globalControls: () => ({ pk: "GLOBAL", sk: "CONTROLS" }),
  registryEntry: (actionType: string, registryVersion: number) => ({
    action_type: actionType,
    registry_version: registryVersion,
  }),
} as const;

/** Attributes the repositories add to a record for keys and indexes; stripped when a record is read. */
export const keyAttributes = ["pk", "sk", "gsi1pk", "gsi1sk"] as const;
