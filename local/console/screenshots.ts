// `npm run console:screenshots [-- --out <dir>]`: remakes the console's screenshots (docs/console-*.png) from
// a fresh engine: a few executions of every kind (a success, retries, a compensation, a kill switch, an
// expired intent, one still running), then each view in Debian's Chromium.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { demoIntent } from "../demo-data.ts";
import { publicClient } from "../demo-scenarios.ts";
import { startLocalEngine } from "../engine.ts";
import { buildConsoleAssets } from "./assets.ts";
import { launchChromium } from "./browser.ts";

const { values } = parseArgs({ options: { out: { type: "string", default: "docs" } } });
const out = resolve(values.out as string);

await buildConsoleAssets();
const engine = await startLocalEngine({
  stateDirectory: mkdtempSync(join(tmpdir(), "console-screenshots-")),
  retryIntervalMs: 100,
  logLevel: "INFO",
  // Low enough that this handful of executions puts the failure alarm in ALARM.
  configOverrides: { alarmFailedExecutionsThreshold: "2" },
});
const browser = await launchChromium();
try {
  const client = publicClient(engine);
  const intent = (id: string, fields: Partial<Parameters<typeof demoIntent>[0]> & { action_type: string }) =>
    demoIntent({ action_intent_id: id, tenant_id: "tenant-demo", account_id: "account-demo", ...fields });
  const run = async (...intents: ReturnType<typeof demoIntent>[]) => {
    for (const each of intents) await client.storeAndApprove(each);
    await engine.idle();
  };
  await run(
    intent("intent-renewal-call", { action_type: "CREATE_CRM_TASK", parameters: { title: "Renewal call" } }),
    intent("intent-flaky-sync", { action_type: "DEMO_FLAKY", parameters: { fail_times: 2 } }),
    intent("intent-write-then-fail", { action_type: "DEMO_FAIL_AFTER_WRITE", account_id: "account-acme" }),
    intent("intent-stale", { action_type: "CREATE_INTERNAL_NOTE", parameters: { text: "late" }, expires_at_epoch: 1 }),
  );
  await fetch(new URL("api/kill-switch", engine.endpoints.console.url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ on: true, tenant: "tenant-beta", reason: "incident 42: CRM writing duplicates" }),
  });
  await run(
    intent("intent-beta-task", {
      action_type: "CREATE_CRM_TASK",
      tenant_id: "tenant-beta",
      parameters: { title: "Call" },
    }),
  );
  await client.storeAndApprove(
    intent("intent-slow-report", { action_type: "DEMO_SLOW", parameters: { delay_ms: 8000 } }),
  );

  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  const shoot = async (fragment: string, file: string, ready: string, fullPage = false) => {
    await page.goto(new URL(fragment, engine.endpoints.console.url).href);
    await page.locator(ready).first().waitFor();
    // Charts and the live list settle after their first data.
    await page.waitForTimeout(600);
    await page.screenshot({ path: join(out, file), fullPage });
    console.log(`wrote ${join(out, file)}`);
  };
  await shoot("#/executions", "console-executions.png", "tr[data-intent='intent-slow-report']");
  const compensated = engine.executions.find(
    (report) => (report.input as { action_intent_id: string }).action_intent_id === "intent-write-then-fail",
  );
  const id = compensated?.executionArn.split(":").pop() ?? "";
  await shoot(`#/executions/${id}`, "console-execution.png", "[data-part='raw-reply']", true);
  await shoot("#/alarms", "console-alarms.png", ".alarm-card .u-wrap");
  await shoot("#/dashboard?period=10", "console-dashboard.png", ".widget .u-wrap", true);
  await shoot("#/operate", "console-operate.png", "[data-scope='tenant-beta']", true);
} finally {
  await browser.close();
  await engine.stop();
}
