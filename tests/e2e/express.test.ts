// The engine as an EXPRESS workflow, on one local engine, against a gateway that does NOT deduplicate
// idempotency keys: the demo scenarios end as they do on Standard, and the effects stay exactly once when
// Express runs an execution more than once. An asynchronous Express workflow is at-least-once: a second start
// of the same approval starts a second execution, and "in rare cases, the internal state of a workflow can be
// lost, and the workflow will be automatically restarted from beginning"
// (https://docs.aws.amazon.com/step-functions/latest/dg/express-at-least-once-execution.html). The five-minute
// ceiling is the interpreter's (local/state-machine-log.test.ts): a shorter one here would stop a slow cold
// start on a loaded machine.
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout } from "node:timers/promises";
import { afterAll, describe, expect, inject, it } from "vitest";
import { loadTemplate } from "../../infra/workflow/definition.ts";
import { demoIntent } from "../../local/demo-data.ts";
import { demoScenarios, publicClient, type ScenarioResult } from "../../local/demo-scenarios.ts";
import { type DuplicateStart, startLocalEngine } from "../../local/engine.ts";
import type { Transition } from "../../local/state-machine.ts";
import type { ActionIntent } from "../../schemas/records.ts";
import { itemsOf } from "../support/engine-records.ts";

type Retrier = { ErrorEquals: string[]; IntervalSeconds?: number };

/** How long a held tool call goes on after the other run was refused: far past 2 retries 10 ms apart. */
const HELD_AFTER_REFUSAL_MS = 400;

const duplicates = new Map<string, DuplicateStart>();
/** The first wait of InvokeTool's retrier for a call in progress in another run, as the definition has it. */
const invokeToolRetry = (loadTemplate().States.InvokeTool?.Retry ?? []) as Retrier[];
const inProgressFirstWaitMs =
  1000 *
  Number(invokeToolRetry.find((retrier) => retrier.ErrorEquals.includes("ToolCallInProgressError"))?.IntervalSeconds);

let serviceErrorAfterNextToolCall = false;
const engine = await startLocalEngine({
  dynamodbEndpoint: inject("dynamodbEndpoint"),
  tablePrefix: `e2e-express-${randomUUID().slice(0, 8)}`,
  stateDirectory: mkdtempSync(join(tmpdir(), "engine-express-")),
  retryIntervalMs: 10,
  configOverrides: { workflowType: "EXPRESS" },
  gateway: { mode: "stateless", response: "json", deduplicate: false },
  duplicateStart: (input) => duplicates.get((input as { action_intent_id: string }).action_intent_id),
  lambdaServiceError: (functionId) => {
    if (functionId !== "tool-invoker" || !serviceErrorAfterNextToolCall) return undefined;
    serviceErrorAfterNextToolCall = false;
    return Object.assign(new Error("Lambda reported a service error after the function had run"), {
      name: "Lambda.ServiceException",
    });
  },
});
afterAll(() => engine.stop());
const client = publicClient(engine);

const runsOf = (intent: ActionIntent) =>
  engine.executions.filter(
    (report) => (report.input as { action_intent_id: string }).action_intent_id === intent.action_intent_id,
  );
/** Resolves when an InvokeTool attempt of the intent's executions first fails. */
const firstToolCallRefusal = (intent: ActionIntent) =>
  new Promise<void>((resolve) => {
    const stop = engine.watchExecutions({
      transition(transition, report) {
        const { action_intent_id } = report.input as { action_intent_id: string };
        if (action_intent_id !== intent.action_intent_id) return;
        if (transition.state !== "InvokeTool" || transition.event !== "failed") return;
        stop();
        resolve();
      },
    });
  });
const isInProgress = (transition: Transition) =>
  transition.event === "failed" && transition.detail?.startsWith("ToolCallInProgressError:") === true;
const publishedSignals = (intent: ActionIntent) =>
  engine.bus.events.filter(
    (event) =>
      event.source === "cc-native.execution" &&
      (event.detail as { action_intent_id?: string }).action_intent_id === intent.action_intent_id,
  );

function crmIntent(title: string): ActionIntent {
  return demoIntent({
    action_intent_id: `intent-${randomUUID().slice(0, 8)}`,
    tenant_id: `tenant-${randomUUID().slice(0, 8)}`,
    account_id: "account-1",
    action_type: "CREATE_CRM_TASK",
    parameters: { title },
  });
}

/**
 * One tool call, one live object, one SUCCEEDED outcome, one ledger entry, one signal record. `ofIntent` picks
 * the intent's calls by their arguments and its objects by their attributes.
 */
async function expectExactlyOnce(intent: ActionIntent, ofIntent: (fields: Record<string, unknown>) => boolean) {
  expect(engine.gateway.calls().filter((call) => ofIntent(call.arguments))).toHaveLength(1);
  expect(engine.gateway.objects().filter((object) => ofIntent(object.attributes))).toHaveLength(1);
  expect((await client.status(intent)).body).toMatchObject({ status: "SUCCEEDED" });
  expect(await itemsOf(client, client.tables.ledger, intent.tenant_id, intent.action_intent_id)).toHaveLength(1);
  expect(await itemsOf(client, client.tables.signals, intent.tenant_id, intent.action_intent_id)).toHaveLength(1);
  // Publication is at-least-once: a replayed recording publishes the same signal again, with the same id.
  expect(new Set(publishedSignals(intent).map((event) => (event.detail as { signal_id: string }).signal_id)).size).toBe(
    1,
  );
}

/**
 * One scenario per way an execution ends: recorded, a duplicate ignored, refused in preflight and recorded
 * by RecordFailure, retried, compensated and ended through RecordOutcome's Catch, failed before its start was
 * claimed. The others repeat these paths; `npm run demo -- --workflow-type EXPRESS` runs them all.
 */
const expressScenarios = new Set([
  "create a CRM task",
  "the same approval sent three times",
  "the tenant's kill switch is on",
  "a flaky tool, retried by the state machine",
  "a write that fails afterwards, compensated",
  "a malformed event (no tenant_id)",
]);

describe("demo scenarios on an Express workflow", () => {
  const results: ScenarioResult[] = [];
  for (const scenario of demoScenarios.filter(({ name }) => expressScenarios.has(name))) {
    it(scenario.name, async () => {
      const result = await scenario.run(engine, client);
      results.push(result);

      expect(result.problems).toEqual([]);
    });
  }

  it("ran them as Express executions, with one ledger entry and one signal per recorded intent", async () => {
    expect(engine.executions.every((report) => report.executionArn.includes(":express:engine-local:"))).toBe(true);
    for (const { intent, status, name } of results) {
      if (!intent || status?.httpStatus !== 200) continue;
      expect(await itemsOf(client, client.tables.ledger, intent.tenant_id, intent.action_intent_id), name).toHaveLength(
        1,
      );
      expect(
        await itemsOf(client, client.tables.signals, intent.tenant_id, intent.action_intent_id),
        name,
      ).toHaveLength(1);
    }
  });
});

describe("an Express execution that runs more than once", () => {
  it.each([
    ["started twice at once (two executions)", { kind: "another-execution", when: "concurrent" }],
    ["run again under its own ARN after it ended", { kind: "same-execution", when: "after" }],
    ["run again under its own ARN while it runs", { kind: "same-execution", when: "concurrent" }],
  ] as const)("%s: one tool call, one outcome, one ledger entry, one signal", async (_case, duplicate) => {
    // Prepare
    const title = `Express twice ${randomUUID().slice(0, 8)}`;
    const intent = crmIntent(title);
    duplicates.set(intent.action_intent_id, duplicate);

    // Act
    await client.storeAndApprove(intent);
    await engine.idle();

    // Assess
    const runs = runsOf(intent);
    expect(runs.map((run) => run.status)).toEqual(["SUCCEEDED", "SUCCEEDED"]);
    expect(runs.map((run) => run.path.at(-1)).sort()).toEqual(
      duplicate.kind === "same-execution" ? ["RecordOutcome", "RecordOutcome"] : ["DuplicateIgnored", "RecordOutcome"],
    );
    expect(new Set(runs.map((run) => run.executionArn)).size).toBe(duplicate.kind === "same-execution" ? 1 : 2);
    await expectExactlyOnce(intent, (fields) => fields.title === title);
  });

  it("run again under its own ARN while its tool call is in flight: the rerun waits out the claim, then replays", async () => {
    // Prepare: the gateway holds the call until the other run has been refused, and then longer than
    // InvokeTool's TransientError retries take here (10 ms apart), as a slow downstream would. The retrier for
    // a call in progress keeps the definition's guaranteed wait (local/state-machine.ts), which outlasts it.
    const title = `Express in flight ${randomUUID().slice(0, 8)}`;
    const intent = crmIntent(title);
    duplicates.set(intent.action_intent_id, { kind: "same-execution", when: "concurrent" });
    const release = engine.gateway.holdCalls((call) => call.arguments.title === title);
    const refused = firstToolCallRefusal(intent);

    // Act
    await client.storeAndApprove(intent);
    await refused;
    await setTimeout(HELD_AFTER_REFUSAL_MS);
    release();
    await engine.idle();

    // Assess
    const runs = runsOf(intent);
    expect(runs.map((run) => [run.status, run.path.at(-1)])).toEqual([
      ["SUCCEEDED", "RecordOutcome"],
      ["SUCCEEDED", "RecordOutcome"],
    ]);
    const rerun = runs.find((run) => run.transitions.some(isInProgress));
    const refusal = rerun?.transitions.find(isInProgress);
    const retry = rerun?.transitions.find((transition) => transition.event === "retried");
    expect(refusal?.state).toBe("InvokeTool");
    // After the definition's wait, not the 10 ms the engine gives jittered retriers. The two timestamps are
    // whole milliseconds read on either side of a timer, which can make a 1000 ms wait read as 999.
    expect((retry?.at ?? 0) - (refusal?.at ?? 0)).toBeGreaterThanOrEqual(inProgressFirstWaitMs - 5);
    await expectExactlyOnce(intent, (fields) => fields.title === title);
  });

  it("retries a tool-invoker task after a Lambda service error: the tool is still called once", async () => {
    // Prepare
    const title = `Express service error ${randomUUID().slice(0, 8)}`;
    const intent = crmIntent(title);
    serviceErrorAfterNextToolCall = true;

    // Act
    await client.storeAndApprove(intent);
    await engine.idle();

    // Assess
    expect(runsOf(intent)[0]?.transitions).toContainEqual(
      expect.objectContaining({ state: "InvokeTool", event: "retried" }),
    );
    await expectExactlyOnce(intent, (fields) => fields.title === title);
  });
});

describe("the state machine's log group", () => {
  it("holds each execution's lines at the stack's level (dev: ALL, with execution data), in the delivered shape", () => {
    // Prepare
    const run = engine.executions.find((report) => report.path.at(-1) === "RecordOutcome");
    if (!run) throw new Error("no execution ended in RecordOutcome");

    // Act
    const lines = engine.stateMachineLogs.linesOf(run.executionArn).map((line) => JSON.parse(line));

    // Assess
    expect(lines[0]).toMatchObject({ type: "ExecutionStarted", id: "1", execution_arn: run.executionArn });
    expect(lines.at(-1)).toMatchObject({ type: "ExecutionSucceeded" });
    const tasks = run.path.filter((state) => state !== "CheckCompensation");
    expect(lines.filter((line) => line.type === "TaskStateEntered").map((line) => line.details.name)).toEqual(tasks);
    expect(lines.filter((line) => line.type === "ChoiceStateEntered")).toHaveLength(1);
    expect(lines.filter((line) => line.type === "LambdaFunctionSucceeded")).toHaveLength(tasks.length);
    expect(JSON.parse(lines[0].details.input)).toEqual(run.input);
  });
});
