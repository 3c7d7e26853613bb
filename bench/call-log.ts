// Counts round trips, not estimates them. An SDK middleware on the functions' own module-level clients
// (functions/kernel/clients/*.ts) records every attempt each client sends, with the DynamoDB capacity the
// service reports (ReturnConsumedCapacity is switched on for the count). Independently, Node's
// diagnostics channels see every HTTP request leaving the process (node:http for the AWS SDK, undici for
// fetch, which the MCP client and OAuth use through ky, and the S3 PUT through aws4fetch), so a client
// the middleware does not know about cannot hide a round trip: the two counts are compared per service.
// S3 and Secrets Manager have no SDK client of the functions' own to count on, so they are counted on the wire.
import { subscribe, unsubscribe } from "node:diagnostics_channel";

/** The services the functions call through SDK clients, which the middleware counts. */
export type AwsService = "DynamoDB" | "EventBridge";
export type WireTarget = AwsService | "S3" | "SecretsManager" | "Gateway" | "other";

export interface SdkCall {
  service: AwsService;
  operation: string;
  ms: number;
  readUnits: number;
  writeUnits: number;
  /** The DynamoDB tables the command names, by the name `startCallLog`'s `tableName` gives them, sorted. */
  tables: string[];
}

export interface WireCall {
  target: WireTarget;
  method: string;
  path: string;
}

export const dynamoWriteOperations = new Set([
  "PutItem",
  "UpdateItem",
  "DeleteItem",
  "BatchWriteItem",
  "TransactWriteItems",
  "ExecuteTransaction",
]);

/** Document-client command names to the DynamoDB operation they send. */
const documentOperations: Record<string, string> = {
  Get: "GetItem",
  Put: "PutItem",
  Update: "UpdateItem",
  Delete: "DeleteItem",
  BatchGet: "BatchGetItem",
  BatchWrite: "BatchWriteItem",
  TransactGet: "TransactGetItems",
  TransactWrite: "TransactWriteItems",
  BatchExecuteStatement: "BatchExecuteStatement",
};

const capacityOperations = new Set([
  "GetItem",
  "PutItem",
  "UpdateItem",
  "DeleteItem",
  "Query",
  "Scan",
  "BatchGetItem",
  "BatchWriteItem",
  "TransactGetItems",
  "TransactWriteItems",
]);

export function operationName(commandName: string | undefined): string {
  const name = (commandName ?? "unknown").replace(/Command$/, "");
  return documentOperations[name] ?? name;
}

type Handler = (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>;
/** The SDK hands every step of one command the same context object: attempts are keyed by it. */
type Context = { commandName?: string };
type Middleware = (next: Handler, context: Context) => Handler;
interface StackOwner {
  middlewareStack: unknown;
}
interface LooseStack {
  add(middleware: Middleware, options: { step: string; name: string; priority?: string; override?: boolean }): void;
  remove(name: string): boolean;
}

function capacityUnits(consumed: unknown): number {
  const entries = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
  return entries.reduce((sum, entry) => sum + ((entry as { CapacityUnits?: number }).CapacityUnits ?? 0), 0);
}

type BatchGetRequest = Record<string, { Keys?: unknown[]; ConsistentRead?: boolean }>;

/** The tables a DynamoDB command names: one for item operations, several for batches and transactions. */
export function tablesOf(input: Record<string, unknown>): string[] {
  const names = new Set<string>();
  if (typeof input.TableName === "string") names.add(input.TableName);
  for (const name of Object.keys((input.RequestItems ?? {}) as object)) names.add(name);
  for (const item of (input.TransactItems ?? []) as Record<string, { TableName?: unknown } | undefined>[]) {
    for (const operation of Object.values(item)) {
      if (typeof operation?.TableName === "string") names.add(operation.TableName);
    }
  }
  return [...names].sort();
}

/**
 * DynamoDB bills each key of a BatchGetItem as a GetItem, and a read of an item that does not exist
 * still consumes read units (1 strongly consistent, 0.5 eventually consistent):
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html
 * DynamoDB Local reports 0 units for such keys in a batch (and 1 for GetItem of a missing item), so
 * the count adds them. Unprocessed keys are not billed.
 */
export function missingBatchItemReadUnits(input: Record<string, unknown>, output: Record<string, unknown>): number {
  const requested = (input.RequestItems ?? {}) as BatchGetRequest;
  const responses = (output.Responses ?? {}) as Record<string, unknown[]>;
  const unprocessed = (output.UnprocessedKeys ?? {}) as BatchGetRequest;
  return Object.entries(requested).reduce((sum, [table, request]) => {
    const missing =
      (request.Keys?.length ?? 0) - (responses[table]?.length ?? 0) - (unprocessed[table]?.Keys?.length ?? 0);
    return sum + Math.max(0, missing) * (request.ConsistentRead ? 1 : 0.5);
  }, 0);
}

export interface CallLog {
  readonly sdk: SdkCall[];
  readonly wire: WireCall[];
  /** A position to read the calls made after it. */
  mark(): { sdk: number; wire: number };
  since(mark: { sdk: number; wire: number }): { sdk: SdkCall[]; wire: WireCall[] };
  stop(): void;
}

/**
 * Installs the counting middlewares on the given clients and subscribes to the HTTP channels. `classify`
 * names what an origin (`http://127.0.0.1:port`) is, for the wire count; `tableName` what a physical
 * table name is (the data layout's name, say), for the units per table.
 */
export function startCallLog(
  clients: Record<AwsService, StackOwner>,
  classify: (origin: string) => WireTarget,
  tableName: (physical: string) => string = (physical) => physical,
): CallLog {
  const sdk: SdkCall[] = [];
  const wire: WireCall[] = [];
  const names: { stack: LooseStack; name: string }[] = [];

  for (const [service, client] of Object.entries(clients) as [AwsService, StackOwner][]) {
    const stack = client.middlewareStack as LooseStack;
    const pending = new WeakMap<Context, { operation: string; ms: number }[]>();
    // Per attempt: inside the retry middleware, around the HTTP handler.
    stack.add(
      (next, context) => async (args) => {
        const started = performance.now();
        try {
          return await next(args);
        } finally {
          const attempts = pending.get(context) ?? [];
          attempts.push({ operation: operationName(context.commandName), ms: performance.now() - started });
          pending.set(context, attempts);
        }
      },
      { step: "deserialize", name: "benchAttemptCounter", priority: "high", override: true },
    );
    // Per command: asks DynamoDB for the capacity it bills and records each attempt with it.
    stack.add(
      (next, context) => async (args) => {
        let output: Record<string, unknown> | undefined;
        try {
          const result = await next(args);
          output = result.output;
          return result;
        } finally {
          const attempts = pending.get(context) ?? [];
          attempts.forEach((attempt, index) => {
            // Only the last attempt has an answer; DynamoDB bills what it answered.
            const answer = index === attempts.length - 1 ? output : undefined;
            const missing =
              answer && attempt.operation === "BatchGetItem" ? missingBatchItemReadUnits(args.input, answer) : 0;
            const units = answer ? capacityUnits(answer.ConsumedCapacity) + missing : 0;
            const write = dynamoWriteOperations.has(attempt.operation);
            sdk.push({
              service,
              operation: attempt.operation,
              ms: attempt.ms,
              readUnits: write ? 0 : units,
              writeUnits: write ? units : 0,
              tables: service === "DynamoDB" ? tablesOf(args.input).map(tableName).sort() : [],
            });
          });
        }
      },
      { step: "initialize", name: "benchCommandCounter", priority: "low", override: true },
    );
    if (service === "DynamoDB") {
      stack.add(
        (next, context) => async (args) => {
          if (capacityOperations.has(operationName(context.commandName))) {
            args.input.ReturnConsumedCapacity = "TOTAL";
          }
          return next(args);
        },
        { step: "serialize", name: "benchConsumedCapacity", priority: "high", override: true },
      );
      names.push({ stack, name: "benchConsumedCapacity" });
    }
    names.push({ stack, name: "benchAttemptCounter" }, { stack, name: "benchCommandCounter" });
  }

  const onHttp = (message: unknown) => {
    const request = (message as { request: HttpClientRequest }).request;
    const host = request.getHeader?.("host");
    const origin = `${request.protocol ?? "http:"}//${typeof host === "string" ? host : (request.host ?? "")}`;
    const path = (request.path ?? "/").split("?")[0] ?? "/";
    wire.push({ target: classify(origin), method: request.method ?? "GET", path });
  };
  const onFetch = (message: unknown) => {
    const request = (message as { request: { origin: string; method: string; path: string } }).request;
    wire.push({ target: classify(request.origin), method: request.method, path: request.path.split("?")[0] ?? "/" });
  };
  subscribe("http.client.request.start", onHttp);
  subscribe("undici:request:create", onFetch);

  return {
    sdk,
    wire,
    mark: () => ({ sdk: sdk.length, wire: wire.length }),
    since: (mark) => ({ sdk: sdk.slice(mark.sdk), wire: wire.slice(mark.wire) }),
    stop() {
      unsubscribe("http.client.request.start", onHttp);
      unsubscribe("undici:request:create", onFetch);
      for (const { stack, name } of names) stack.remove(name);
    },
  };
}

/** The parts of a node:http ClientRequest the wire count reads. */
interface HttpClientRequest {
  host?: string;
  protocol?: string;
  method?: string;
  path?: string;
  getHeader?(name: string): unknown;
}

export interface RoundTrips {
  DynamoDB: number;
  /** PutObject over signed fetch (wire count). */
  S3: number;
  EventBridge: number;
  /** Requests to the MCP gateway and its token endpoint (fetch). */
  HTTP: number;
  /** GetSecretValue over signed fetch (wire count). */
  SecretsManager: number;
  dynamoWrites: number;
  readUnits: number;
  writeUnits: number;
  /** Request units by the tables each command named, joined with "+" when it named several. */
  unitsByTable: Record<string, { readUnits: number; writeUnits: number }>;
  operations: string[];
}

function addUnitsByTable(
  into: RoundTrips["unitsByTable"],
  key: string,
  units: { readUnits: number; writeUnits: number },
): RoundTrips["unitsByTable"] {
  const sum = into[key] ?? { readUnits: 0, writeUnits: 0 };
  return {
    ...into,
    [key]: { readUnits: sum.readUnits + units.readUnits, writeUnits: sum.writeUnits + units.writeUnits },
  };
}

export function roundTripsOf(calls: { sdk: readonly SdkCall[]; wire: readonly WireCall[] }): RoundTrips {
  const of = (service: AwsService) => calls.sdk.filter((call) => call.service === service);
  const s3 = calls.wire.filter((call) => call.target === "S3");
  return {
    DynamoDB: of("DynamoDB").length,
    S3: s3.length,
    EventBridge: of("EventBridge").length,
    HTTP: calls.wire.filter((call) => call.target === "Gateway").length,
    SecretsManager: calls.wire.filter((call) => call.target === "SecretsManager").length,
    dynamoWrites: of("DynamoDB").filter((call) => dynamoWriteOperations.has(call.operation)).length,
    readUnits: calls.sdk.reduce((sum, call) => sum + call.readUnits, 0),
    writeUnits: calls.sdk.reduce((sum, call) => sum + call.writeUnits, 0),
    unitsByTable: of("DynamoDB").reduce(
      (units, call) => addUnitsByTable(units, call.tables.join("+"), call),
      {} as RoundTrips["unitsByTable"],
    ),
    operations: [
      ...calls.sdk.map((call) => `${call.service}.${call.operation}`),
      ...s3.map((call) => (call.method === "PUT" ? "S3.PutObject" : `S3.${call.method}`)),
    ],
  };
}

/** Where the middleware count and the wire count disagree, per AWS service; empty when they agree. */
export function wireMismatches(calls: { sdk: readonly SdkCall[]; wire: readonly WireCall[] }): string[] {
  return (["DynamoDB", "EventBridge"] as const).flatMap((service) => {
    const counted = calls.sdk.filter((call) => call.service === service).length;
    const seen = calls.wire.filter((call) => call.target === service).length;
    return counted === seen ? [] : [`${service}: ${counted} counted by the SDK middleware, ${seen} on the wire`];
  });
}

export function addRoundTrips(rows: readonly RoundTrips[]): RoundTrips {
  return rows.reduce(
    (total, row) => ({
      DynamoDB: total.DynamoDB + row.DynamoDB,
      S3: total.S3 + row.S3,
      EventBridge: total.EventBridge + row.EventBridge,
      HTTP: total.HTTP + row.HTTP,
      SecretsManager: total.SecretsManager + row.SecretsManager,
      dynamoWrites: total.dynamoWrites + row.dynamoWrites,
      readUnits: total.readUnits + row.readUnits,
      writeUnits: total.writeUnits + row.writeUnits,
      unitsByTable: Object.entries(row.unitsByTable).reduce(
        (units, [key, sum]) => addUnitsByTable(units, key, sum),
        total.unitsByTable,
      ),
      operations: [...total.operations, ...row.operations],
    }),
    {
      DynamoDB: 0,
      S3: 0,
      EventBridge: 0,
      HTTP: 0,
      SecretsManager: 0,
      dynamoWrites: 0,
      readUnits: 0,
      writeUnits: 0,
      unitsByTable: {},
      operations: [],
    } as RoundTrips,
  );
}
