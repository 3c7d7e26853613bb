// What a fault profile may name, derived from the declarations the engine is built from (one declaration):
// the functions of the catalog, the tables of the data layout, the resources a function's environment
// names (bucket, bus, gateway secret), and the tools of the registry the local engine serves. A profile
// naming anything else is refused before any fault is injected.
import { type TableName, tables } from "../../functions/kernel/data-layout.ts";
import { engineFunctions } from "../../infra/catalog.ts";
import type { EngineResourceNames } from "../../infra/functions/environment.ts";
import type { FaultService } from "../../schemas/fault-profile.ts";
import type { RegistryEntry } from "../../schemas/records.ts";

/** A target's logical name (what a profile says) and its physical name (what a request carries). */
export type TargetNames = Record<string, string>;

export interface FaultTargets {
  /** Per service, logical name -> physical name. The gateway's tools and Lambda's functions are the same in both. */
  byService: Record<FaultService, TargetNames>;
  /** The engine's functions, which wire faults may select as the caller. */
  functions: string[];
  /** Operations a profile may name, per service. */
  operations: Record<FaultService, readonly string[]>;
}

/** The logical names of the resources a function's environment names, besides tables. */
export const resourceTargets = {
  s3: "artifacts",
  eventbridge: "event-bus",
  secretsmanager: "gateway-client-secret",
} as const;

/** What a local engine's requests can be: the operations its functions' clients send. */
export const knownOperations: Record<FaultService, readonly string[]> = {
  lambda: [],
  dynamodb: [
    "GetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "BatchGetItem",
    "BatchWriteItem",
    "Query",
    "Scan",
    "TransactWriteItems",
    "TransactGetItems",
  ],
  s3: ["PutObject", "GetObject", "HeadObject", "DeleteObject"],
  secretsmanager: ["GetSecretValue"],
  eventbridge: ["PutEvents"],
  gateway: ["tools/call", "initialize", "notifications/initialized", "tools/list", "token"],
};

const same = (names: string[]): TargetNames => Object.fromEntries(names.map((name) => [name, name]));

/**
 * The targets of an engine over `resources`; without them, physical names are the logical ones, which is
 * enough to check a profile before an engine runs.
 */
export function faultTargets(registry: readonly RegistryEntry[], resources?: EngineResourceNames): FaultTargets {
  const tools = registry.flatMap((entry) => [
    entry.tool_name,
    ...(entry.compensation_tool_name ? [entry.compensation_tool_name] : []),
  ]);
  const functions = engineFunctions.map((fn) => fn.id);
  return {
    byService: {
      lambda: same(functions),
      dynamodb: Object.fromEntries(
        (Object.keys(tables) as TableName[]).map((table) => [table, resources?.tables[table] ?? table]),
      ),
      s3: { [resourceTargets.s3]: resources?.artifactsBucket ?? resourceTargets.s3 },
      eventbridge: { [resourceTargets.eventbridge]: resources?.eventBusName ?? resourceTargets.eventbridge },
      secretsmanager: {
        [resourceTargets.secretsmanager]: resources?.gatewaySecretId ?? resourceTargets.secretsmanager,
      },
      gateway: same([...new Set(tools)]),
    },
    functions,
    operations: knownOperations,
  };
}
