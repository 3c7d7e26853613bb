// The engine's functions: where each one's code is, what it may touch, and, for those the state machine
// calls, the placeholder its ARN fills in the definition template. Permissions and environment are derived
// from `access`, so a function's role names only the tables, actions and keys that function uses.
import type { TableName } from "../functions/kernel/data-layout.ts";
import type { EngineConfig } from "./config.ts";

export type DynamoAction = "GetItem" | "PutItem" | "UpdateItem" | "DeleteItem" | "BatchGetItem" | "Query";

export interface FunctionAccess {
  /** DynamoDB actions per table; `Query` is granted on the table's indexes. */
  tables?: Partial<Record<TableName, readonly DynamoAction[]>>;
  /** Writes raw tool responses to the artifacts bucket. */
  artifacts?: boolean;
  /** Calls tools through the MCP gateway (reads the client secret). */
  gateway?: boolean;
  /** Publishes outcome signals to the event bus. */
  signals?: boolean;
}

export interface EngineFunction {
  id: string;
  /** Handler module, relative to the repository root; it exports `handler`. */
  entry: string;
  /** Placeholder in infra/workflow/state-machine.asl.json, for functions the state machine invokes. */
  placeholder?: string;
  access: FunctionAccess;
  /**
   * Lambda's timeout. The state that invokes the function waits exactly `INVOKE_ALLOWANCE_SECONDS` longer
   * (its TimeoutSeconds in the definition), so Lambda, not the state, times out first.
   */
  timeoutSeconds: number;
  /** Settings of this function alone, from the stack config. */
  settings?: (config: EngineConfig) => Record<string, string>;
}

/**
 * The rule between a function's Lambda timeout and its state's TimeoutSeconds: the state waits this much
 * longer. Step Functions' timer covers the whole Invoke, including a cold start's init, which Lambda's timeout
 * does not count; a state that gave up first would leave its function running, its effect unrecorded (the
 * execution has moved on to RecordFailure). The bundles import in about 0.1 s (`npm run bench`, cold
 * import), so 2 s covers init and the invoke round trip. Kept tight because every second here counts once per
 * attempt in the definition's worst-case duration, which must fit Express's five minutes
 * (infra/workflow/duration-bound.ts).
 */
export const INVOKE_ALLOWANCE_SECONDS = 2;

export const engineFunctions = [
  {
    id: "execution-starter",
    entry: "functions/execution-starter/handler.ts",
    placeholder: "ExecutionStarterArn",
    access: { tables: { intents: ["GetItem"], executions: ["PutItem"] } },
    timeoutSeconds: 5,
  },
  {
    id: "execution-validator",
    entry: "functions/execution-validator/handler.ts",
    placeholder: "ExecutionValidatorArn",
    access: { tables: { intents: ["GetItem"], controls: ["BatchGetItem"] } },
    timeoutSeconds: 5,
    settings: (config) => ({ GLOBAL_KILL_SWITCH: String(config.globalKillSwitch) }),
  },
  {
    id: "tool-mapper",
    entry: "functions/tool-mapper/handler.ts",
    placeholder: "ToolMapperArn",
    access: { tables: { intents: ["GetItem"], registry: ["GetItem"] } },
    timeoutSeconds: 5,
  },
  {
    id: "tool-invoker",
    entry: "functions/tool-invoker/handler.ts",
    placeholder: "ToolInvokerArn",
    // The idempotency record of each tool call: claimed (Put), completed (Update), read on a replay (Get),
    // and removed when the call failed so a retry may call again (Delete).
    access: {
      tables: { idempotency: ["GetItem", "PutItem", "UpdateItem", "DeleteItem"] },
      artifacts: true,
      gateway: true,
    },
    timeoutSeconds: 14,
  },
  {
    id: "compensation",
    entry: "functions/compensation/handler.ts",
    placeholder: "CompensationArn",
    access: { gateway: true },
    timeoutSeconds: 18,
  },
  {
    id: "execution-recorder",
    entry: "functions/execution-recorder/handler.ts",
    placeholder: "ExecutionRecorderArn",
    access: { tables: { executions: ["UpdateItem"], ledger: ["PutItem"], signals: ["PutItem"] }, signals: true },
    timeoutSeconds: 5,
  },
  {
    id: "execution-failure-recorder",
    entry: "functions/execution-failure-recorder/handler.ts",
    placeholder: "ExecutionFailureRecorderArn",
    access: {
      tables: { executions: ["GetItem", "UpdateItem"], ledger: ["PutItem"], signals: ["PutItem"] },
      signals: true,
    },
    timeoutSeconds: 5,
  },
  {
    id: "status-api",
    entry: "functions/status-api/handler.ts",
    access: { tables: { executions: ["BatchGetItem", "Query"], intents: ["BatchGetItem"] } },
    timeoutSeconds: 10,
    settings: (config) => ({
      TENANT_CLAIM: config.api.tenantClaim,
      CORS_ALLOWED_ORIGINS: config.api.corsAllowedOrigins.join(","),
      DEFAULT_PAGE_SIZE: String(config.api.defaultPageSize),
    }),
  },
] as const satisfies readonly EngineFunction[];

export type EngineFunctionId = (typeof engineFunctions)[number]["id"];
