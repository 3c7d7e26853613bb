// Executions of the rendered state machine in this process (aws-local-stepfunctions, as the local engine
// runs it), each Task bound to the function's handler imported from source, one execution at a time so
// every SDK call and HTTP request is attributed to the invocation that made it. Gives, per scenario, the
// state path (so the transitions Step Functions bills), and per invocation its wall time and round trips.
import { randomUUID } from "node:crypto";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { keys } from "../functions/kernel/data-layout.ts";
import { executionItem } from "../functions/kernel/repositories/executions.ts";
import { type EngineFunctionId, engineFunctions } from "../infra/catalog.ts";
import { executionInputTransformer } from "../infra/trigger.ts";
import { loadTemplate, renderDefinition, validateTemplate } from "../infra/workflow/definition.ts";
import { demoIntent } from "../local/demo-data.ts";
import { applyInputTransformer } from "../local/event-rules.ts";
import { httpApiEvent, tenantClaims } from "../local/http-api-event.ts";
import { createLocalStateMachine, type ExecutionReport } from "../local/state-machine.ts";
import type { ActionIntent } from "../schemas/records.ts";
import { type CallLog, type RoundTrips, roundTripsOf, type SdkCall, type WireCall } from "./call-log.ts";
import { type EngineFunctions, type FunctionHost, invokeHandler } from "./function-host.ts";

export interface Invocation {
  state: string;
  functionId: EngineFunctionId;
  /** What the state machine passed, for replaying the same input elsewhere. */
  input: unknown;
  ms: number;
  /** The error name, when the invocation failed. */
  error?: string;
  calls: { sdk: SdkCall[]; wire: WireCall[] };
}

export interface ExecutionRun {
  status: ExecutionReport["status"];
  path: string[];
  invocations: Invocation[];
}

export const scenarios = {
  happy: "a tool call that succeeds (CREATE_CRM_TASK)",
  preflightRejected: "the tenant's kill switch is on: preflight rejects, RecordFailure records",
  compensated: "a write that fails afterwards, compensated (DEMO_FAIL_AFTER_WRITE)",
} as const;
export type ScenarioName = keyof typeof scenarios;

export const BENCH_TENANT = "tenant-bench";
export const BENCH_ACCOUNT = "account-bench";
/** An account holding exactly `LIST_SIZE` recorded executions, for the list read. */
export const LIST_ACCOUNT = "account-bench-list";
export const LIST_SIZE = 100;
const HALTED_TENANT = "tenant-bench-halted";

const arnOf = (id: string) => `arn:aws:lambda:us-east-1:000000000000:function:engine-bench-${id}`;

/** An EventBridge event as the rule receives it, turned into the execution input by the infra's transformer. */
function executionInput(key: Pick<ActionIntent, "action_intent_id" | "tenant_id" | "account_id">) {
  const event = {
    version: "0",
    id: randomUUID(),
    "detail-type": "ACTION_APPROVED",
    source: "cc-native.decision",
    account: "000000000000",
    time: new Date().toISOString(),
    region: "us-east-1",
    resources: [],
    detail: { data: key },
  };
  return applyInputTransformer(event, executionInputTransformer);
}

const noCalls: Pick<CallLog, "mark" | "since"> = {
  mark: () => ({ sdk: 0, wire: 0 }),
  since: () => ({ sdk: [], wire: [] }),
};

export function createExecutionRunner(
  host: FunctionHost,
  functions: EngineFunctions,
  log: Pick<CallLog, "mark" | "since"> = noCalls,
) {
  const { db, services } = host;
  const placeholders: Record<string, string> = {};
  const stateOf = new Map<string, string>();
  const definition = renderDefinition(
    validateTemplate(loadTemplate()),
    Object.fromEntries(engineFunctions.flatMap((fn) => ("placeholder" in fn ? [[fn.placeholder, arnOf(fn.id)]] : []))),
  );
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === "Task") stateOf.set(String(state.Resource), name);
  }
  let current: Invocation[] = [];
  const functionsByArn = Object.fromEntries(
    engineFunctions.flatMap((fn) => {
      if (!("placeholder" in fn)) return [];
      placeholders[fn.placeholder] = arnOf(fn.id);
      const run = async (input: unknown) => {
        const mark = log.mark();
        const started = performance.now();
        let error: string | undefined;
        try {
          return await invokeHandler(functions, fn.id, input);
        } catch (thrown) {
          error = (thrown as Error).name;
          throw thrown;
        } finally {
          current.push({
            state: stateOf.get(arnOf(fn.id)) ?? fn.id,
            functionId: fn.id,
            input,
            ms: performance.now() - started,
            error,
            calls: log.since(mark),
          });
        }
      };
      return [[arnOf(fn.id), run]];
    }),
  );
  const machine = createLocalStateMachine({
    definition,
    stateMachineArn: "arn:aws:states:us-east-1:000000000000:stateMachine:engine-bench",
    functionsByArn,
    retryIntervalMs: 10,
  });

  async function storeIntent(fields: Partial<ActionIntent> & Pick<ActionIntent, "action_type" | "tenant_id">) {
    const intent = demoIntent({
      action_intent_id: `intent-${randomUUID().slice(0, 8)}`,
      account_id: BENCH_ACCOUNT,
      ...fields,
    });
    await db.send(
      new PutCommand({
        TableName: services.tables.intents,
        Item: { ...keys.intent(intent.tenant_id, intent.action_intent_id), ...intent },
      }),
    );
    return intent;
  }

  async function execute(intent: ActionIntent): Promise<ExecutionRun> {
    current = [];
    const report = await machine.execute(executionInput(intent));
    return { status: report.status, path: report.path, invocations: current };
  }

  const intentFor: Record<ScenarioName, () => Promise<ActionIntent>> = {
    happy: () =>
      storeIntent({ tenant_id: BENCH_TENANT, action_type: "CREATE_CRM_TASK", parameters: { title: "Call back" } }),
    preflightRejected: async () => {
      await db.send(
        new PutCommand({
          TableName: services.tables.controls,
          Item: { ...keys.tenantControls(HALTED_TENANT), tenant_id: HALTED_TENANT, kill_switch: true, reason: "bench" },
        }),
      );
      return storeIntent({ tenant_id: HALTED_TENANT, action_type: "CREATE_CRM_TASK", parameters: { title: "x" } });
    },
    compensated: () => storeIntent({ tenant_id: BENCH_TENANT, action_type: "DEMO_FAIL_AFTER_WRITE" }),
  };

  /** One read through the status API's handler, as API Gateway would deliver it. */
  async function readThroughStatusApi(path: string, query: Record<string, string>, tenantId = BENCH_TENANT) {
    const mark = log.mark();
    const started = performance.now();
    const response = (await invokeHandler(
      functions,
      "status-api",
      httpApiEvent({ path, query, claims: tenantClaims(tenantId, services.tenantClaim) }),
    )) as { statusCode?: number; body?: string };
    const ms = performance.now() - started;
    if (response.statusCode !== 200) throw new Error(`status API answered ${response.statusCode} for ${path}`);
    return { ms, calls: log.since(mark), body: JSON.parse(response.body ?? "{}") as Record<string, unknown> };
  }

  return {
    definition,
    async run(scenario: ScenarioName) {
      const intent = await intentFor[scenario]();
      return { intent, run: await execute(intent) };
    },
    statusRead: (intent: Pick<ActionIntent, "action_intent_id" | "account_id" | "tenant_id">) =>
      readThroughStatusApi(
        `/executions/${intent.action_intent_id}/status`,
        { account_id: intent.account_id },
        intent.tenant_id,
      ),
    /** Writes LIST_SIZE succeeded execution records for LIST_ACCOUNT, as the recorder leaves them. */
    async seedListAccount() {
      const now = Date.now();
      for (let index = 0; index < LIST_SIZE; index++) {
        const at = new Date(now - index * 1000).toISOString();
        await db.send(
          new PutCommand({
            TableName: services.tables.executions,
            Item: executionItem({
              action_intent_id: `intent-list-${String(index).padStart(3, "0")}`,
              tenant_id: BENCH_TENANT,
              account_id: LIST_ACCOUNT,
              status: "SUCCEEDED",
              execution_id: `arn:aws:states:us-east-1:000000000000:execution:engine-bench:list-${index}`,
              execution_trace_id: randomUUID(),
              decision_trace_id: `decision-list-${index}`,
              attempt_count: 1,
              action_type: "CREATE_CRM_TASK",
              registry_version: 1,
              idempotency_key: randomUUID(),
              tool_name: "crm.create_task",
              tool_schema_version: "1",
              external_object_refs: [{ system: "crm", object_type: "task", object_id: `task-${index}` }],
              compensation_status: "NONE",
              started_at: at,
              updated_at: at,
              completed_at: at,
            }),
          }),
        );
      }
    },
    listRead: () =>
      readThroughStatusApi(`/accounts/${LIST_ACCOUNT}/executions`, { limit: String(LIST_SIZE) }, BENCH_TENANT),
  };
}

export function roundTripsPerInvocation(run: ExecutionRun): (RoundTrips & { state: string; functionId: string })[] {
  return run.invocations.map((invocation) => ({
    state: invocation.state,
    functionId: invocation.functionId,
    ...roundTripsOf(invocation.calls),
  }));
}
