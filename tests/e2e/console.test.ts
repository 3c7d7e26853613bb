// The console in a real browser (Debian's Chromium through playwright-core) over a real local engine, as an
// operator uses it: approve an intent from the page and watch it appear and end without a reload; open it
// and find its path, its trace and its logs; stop a tenant with its kill switch from the page and see the
// next execution end KILL_SWITCH; open the alarm that puts in ALARM. One engine and one browser for the file.
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { ExecutionDetail, ExecutionPage } from "../../local/console/api-types.ts";
import { buildConsoleAssets } from "../../local/console/assets.ts";
import { launchChromium } from "../../local/console/browser.ts";
import { demoIntent } from "../../local/demo-data.ts";
import { publicClient } from "../../local/demo-scenarios.ts";
import { startLocalEngine } from "../../local/engine.ts";

const engine = await startLocalEngine({
  dynamodbEndpoint: inject("dynamodbEndpoint"),
  tablePrefix: `console-${randomUUID().slice(0, 8)}`,
  stateDirectory: mkdtempSync(join(tmpdir(), "engine-console-")),
  retryIntervalMs: 10,
  // INFO: a duplicate approval's line is the one an ordinary run writes.
  logLevel: "INFO",
  // One failed execution is enough for the failure alarm.
  configOverrides: { alarmFailedExecutionsThreshold: "1" },
});
const consoleUrl = engine.endpoints.console.url;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  await buildConsoleAssets();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await engine.stop();
});

const run = randomUUID().slice(0, 6);
const intentId = `intent-console-${run}`;
const stoppedTenant = `tenant-stopped-${run}`;
const open = (fragment: string, on: Page = page) => on.goto(new URL(fragment, consoleUrl).href);
const row = (on: Page, id: string) => on.locator(`tr[data-intent="${id}"]`);

/** Fills the approve form and submits it; resolves once the page says the CLI stored and approved it. */
async function approveFromPage(on: Page, fields: { id: string; tenant: string; title: string }) {
  await open("#/operate", on);
  const form = on.locator("form[data-form='approve']");
  // The action types come from the registry, read once the page is up.
  await form
    .locator("select[name='action_type'] option", { hasText: "CREATE_CRM_TASK" })
    .waitFor({ state: "attached" });
  await form.locator("input[name='action_intent_id']").fill(fields.id);
  await form.locator("input[name='tenant_id']").fill(fields.tenant);
  await form.locator("input[name='account_id']").fill("account-console");
  await form.locator("select[name='action_type']").selectOption("CREATE_CRM_TASK");
  await form.locator("textarea[name='parameters']").fill(JSON.stringify({ title: fields.title }));
  await form.locator("button[type='submit']").click();
  await form
    .getByRole("status")
    .filter({ hasText: `Stored and approved ${fields.id}` })
    .waitFor();
}

const getJson = async <T>(path: string): Promise<T> => (await fetch(new URL(path, consoleUrl))).json() as Promise<T>;

async function executionsOf(id: string) {
  const page = await getJson<ExecutionPage>("api/executions?limit=500");
  return page.executions.filter((execution) => execution.actionIntentId === id);
}

describe("the console in a browser", () => {
  it("shows an intent approved from the page appear in the live list and end there, without a reload", async () => {
    // Prepare: the list open in one tab, marked so that a reload would show.
    const list = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await open("#/executions", list);
    await list.locator(".live.on").waitFor();
    await list.evaluate(() => {
      (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
    });

    // Act: approve from another tab, through the form.
    await approveFromPage(page, { id: intentId, tenant: "tenant-console", title: "Console renewal" });

    // Assess
    await row(list, intentId).waitFor();
    await row(list, intentId).locator(".badge", { hasText: "SUCCEEDED" }).waitFor({ timeout: 30_000 });
    expect(await row(list, intentId).locator("td").nth(4).textContent()).toBe("CREATE_CRM_TASK");
    expect(await list.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await list.close();
  }, 60_000);

  it("opens the execution and finds its path on the graph, each state's input and output, and its trace", async () => {
    // Act
    await open("#/executions");
    await row(page, intentId).locator("a").click();
    const view = page.locator(`section.execution[data-status='SUCCEEDED']`);
    await view.waitFor();

    // Assess: the path, every state of it succeeded, unvisited branches drawn too.
    const outcomes = await page
      .locator("g.node")
      .evaluateAll((nodes) =>
        Object.fromEntries(nodes.map((node) => [node.getAttribute("data-state"), node.getAttribute("data-outcome")])),
      );
    expect(outcomes).toMatchObject({
      StartExecution: "succeeded",
      ValidatePreflight: "succeeded",
      MapActionToTool: "succeeded",
      InvokeTool: "succeeded",
      CheckCompensation: "succeeded",
      RecordOutcome: "succeeded",
      RecordFailure: "unvisited",
      CompensateAction: "unvisited",
    });
    const taken = await page
      .locator("g.edge[data-taken='true']")
      .evaluateAll((edges) => edges.map((edge) => edge.getAttribute("data-edge")));
    expect(taken).toEqual(
      expect.arrayContaining(["StartExecution->ValidatePreflight:next", "CheckCompensation->RecordOutcome:default"]),
    );
    const kinds = await page
      .locator("g.edge")
      .evaluateAll((edges) => [...new Set(edges.map((edge) => edge.getAttribute("data-kind")))]);
    expect(kinds.sort()).toEqual(["catch", "choice", "default", "next", "retry"]);

    // A click on a state shows what it received and returned.
    await page.locator("g.node[data-state='MapActionToTool']").click();
    const panel = page.locator(".state-panel[data-selected-state='MapActionToTool']");
    expect(await panel.locator("[data-part='state-input'] pre").textContent()).toContain(intentId);
    expect(await panel.locator("[data-part='state-output'] pre").textContent()).toContain("crm.create_task");

    // The trace: the state machine, a Lambda segment per Task state, and what the functions called.
    await page.locator("tr.span-lambda").first().waitFor();
    const states = await page.locator("tr.span-lambda").evaluateAll((rows) => rows.map((row) => row.textContent));
    expect(states.join(" ")).toContain("(InvokeTool)");
    for (const kind of ["state-machine", "dynamodb", "gateway", "s3"]) {
      expect(await page.locator(`tr.span-${kind}`).count(), kind).toBeGreaterThan(0);
    }
    // The outcome: the record, the ledger entry, the signal and the tool's raw reply.
    expect(await page.locator("[data-part='ledger']").textContent()).toContain("ACTION_EXECUTED");
    expect(await page.locator("[data-part='raw-reply'] pre").textContent()).toContain("result");
  }, 60_000);

  it("finds the log lines of an execution by its trace id, filterable by level", async () => {
    // Prepare: approving the same intent again makes a duplicate, which StartExecution logs (INFO).
    await approveFromPage(page, { id: intentId, tenant: "tenant-console", title: "Console renewal" });
    await engine.idle();
    const duplicate = (await executionsOf(intentId)).find((execution) => execution.state === "DuplicateIgnored");
    expect(duplicate).toBeDefined();

    // Act
    await open(`#/executions/${duplicate?.id}`);
    await page.locator("tr.log[data-level='INFO']").first().waitFor({ timeout: 15_000 });

    // Assess
    expect(await page.locator("tr.log").first().textContent()).toContain("duplicate approval ignored");
    const caught = page.locator("g.edge[data-edge='StartExecution->DuplicateIgnored:catch0']");
    expect(await caught.getAttribute("data-taken")).toBe("true");
    await page.locator("select[name='level']").selectOption("WARN");
    expect(await page.locator("tr.log").count()).toBe(0);
  }, 60_000);

  it("counts a state's retries on it and marks the Retry it ran", async () => {
    // Prepare: the demo gateway answers 503 twice before it creates the record.
    const flaky = demoIntent({
      action_intent_id: `intent-flaky-${run}`,
      tenant_id: "tenant-console",
      account_id: "account-console",
      action_type: "DEMO_FLAKY",
      parameters: { fail_times: 2 },
    });
    await publicClient(engine).storeAndApprove(flaky);
    await engine.idle();
    const [execution] = await executionsOf(flaky.action_intent_id);

    // Act
    await open(`#/executions/${execution?.id}`);
    const invoke = page.locator("g.node[data-state='InvokeTool']");
    await invoke.locator(".retry-badge").waitFor();

    // Assess
    expect(await invoke.getAttribute("data-retries")).toBe("2");
    expect(await invoke.locator(".retry-badge").textContent()).toBe("↻2");
    expect(await page.locator("g.edge[data-edge='InvokeTool->InvokeTool:retry0']").getAttribute("data-taken")).toBe(
      "true",
    );
    expect(await page.locator("tr.span-lambda", { hasText: "(InvokeTool)" }).count()).toBe(3);
  }, 60_000);

  it("stops a tenant with its kill switch from the page: the next execution ends KILL_SWITCH", async () => {
    // Act: the switch, with its reason, then an approval for that tenant.
    await open("#/operate");
    const form = page.locator("form[data-form='kill-switch']");
    await form.locator("select[name='scope']").selectOption("tenant");
    await form.locator("input[name='tenant']").fill(stoppedTenant);
    await form.locator("input[name='reason']").fill("console test: CRM migration");
    await form.getByRole("button", { name: "Turn on" }).click();
    await form.getByRole("status").waitFor();
    const switchRow = page.locator(`tr[data-scope='${stoppedTenant}']`);
    await switchRow.waitFor();
    const stoppedIntent = `intent-stopped-${run}`;
    await approveFromPage(page, { id: stoppedIntent, tenant: stoppedTenant, title: "never called" });

    // Assess: the switch is listed on, with its reason; the execution ends KILL_SWITCH at its preflight.
    await open("#/executions");
    await row(page, stoppedIntent).locator(".badge", { hasText: "FAILED" }).waitFor({ timeout: 30_000 });
    await row(page, stoppedIntent).locator(".error-class", { hasText: "KILL_SWITCH" }).waitFor();
    await row(page, stoppedIntent).locator("a").click();
    await page.locator("g.node.failing[data-state='ValidatePreflight']").waitFor();
    expect(await page.locator("[data-part='record']").textContent()).toContain("KILL_SWITCH");
    expect(engine.gateway.calls().some((call) => call.arguments.title === "never called")).toBe(false);
    await open("#/operate");
    expect(await page.locator(`tr[data-scope='${stoppedTenant}'][data-on='true']`).textContent()).toContain(
      "console test: CRM migration",
    );
  }, 60_000);

  it("opens the failure alarm the stopped execution put in ALARM, its periods against the threshold", async () => {
    // Act
    await open("#/alarms");
    const card = page.locator(".alarm-card[data-alarm='failed-executions'][data-state='ALARM']");
    await card.waitFor({ timeout: 15_000 });
    await card.click();

    // Assess
    const alarm = page.locator("section.alarm[data-alarm='failed-executions'][data-state='ALARM']");
    await alarm.waitFor();
    expect(await alarm.locator("[data-part='reason']").textContent()).toMatch(/GreaterThanOrEqualToThreshold 1/);
    expect(await alarm.locator("tr.breaching").count()).toBeGreaterThan(0);
    expect(await alarm.locator(".chart canvas").count()).toBe(1);
  }, 60_000);
});

describe("the console's API", () => {
  // Reads the execution the kill switch stopped above: the file's tests share one engine, in order.
  it("joins an execution's path, outcome and trace ids in one answer", async () => {
    const [stopped] = await executionsOf(`intent-stopped-${run}`);

    const detail = await getJson<ExecutionDetail>(`api/executions/${stopped?.id}`);

    expect(detail.path.failingState).toBe("ValidatePreflight");
    expect(detail.path.edgesTaken).toContain("ValidatePreflight->RecordFailure:catch0");
    expect(detail.outcome.record).toMatchObject({ error_class: "KILL_SWITCH", execution_id: stopped?.executionArn });
    expect(detail.outcome.ledger).toMatchObject({ event_type: "ACTION_FAILED" });
    expect(detail.trace?.spans[0]?.kind).toBe("state-machine");
  });

  it("answers an operator action with the CLI's own refusal, naming what is wrong", async () => {
    const entry = { action_type: "CONSOLE_TYPE", registry_version: 1, tool_name: "crm.create_task" };

    const answer = await fetch(new URL("api/registry", consoleUrl), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(entry),
    });

    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({
      ok: false,
      exitCode: 1,
      message: expect.stringMatching(/^standard input is not a valid registry entry: .*tool_schema_version/),
    });
  });

  /** A raw request, so that the Host and Origin headers are the test's own. */
  const send = (path: string, init: { method?: string; headers?: Record<string, string>; body?: string }) =>
    new Promise<number>((resolve, reject) => {
      const target = new URL(path, consoleUrl);
      const outgoing = httpRequest(target, { method: init.method ?? "GET", headers: init.headers }, (answer) => {
        answer.resume();
        resolve(answer.statusCode ?? 0);
      });
      outgoing.on("error", reject);
      outgoing.end(init.body);
    });

  it("answers only its own host, and takes operator actions only as JSON from its own pages", async () => {
    const body = JSON.stringify({ on: true, reason: "forged" });

    expect(await send("api/executions", { headers: { host: "attacker.example" } })).toBe(421);
    expect(
      await send("api/kill-switch", {
        method: "POST",
        headers: { "content-type": "application/json", origin: "http://attacker.example" },
        body,
      }),
    ).toBe(403);
    expect(await send("api/kill-switch", { method: "POST", headers: { "content-type": "text/plain" }, body })).toBe(
      415,
    );
    expect(
      (await getJson<{ controls: { tenant?: string; killSwitch: boolean }[] }>("api/operate")).controls[0],
    ).toEqual(expect.objectContaining({ killSwitch: false }));
  });
});
