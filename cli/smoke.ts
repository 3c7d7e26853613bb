// The smoke check: one intent for a tenant whose kill switch is on goes through the whole chain without
// reaching any tool, and every link leaves evidence to check in order: the bus accepts the approval, the
// rule and state machine start an execution (its record appears), the validator stops it and the failure
// recorder records it (FAILED, KILL_SWITCH), the ledger entry and signal record exist, and the status API
// answers it. The first link without its evidence is the one named.
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { keys } from "../functions/kernel/data-layout.ts";
import type { ActionIntent, ExecutionRecord, RegistryEntry } from "../schemas/records.ts";
import { changeKillSwitch } from "./controls.ts";
import { publishApproval, storeIntent } from "./intents.ts";
import { getEntry, listEntries } from "./registry.ts";
import { apiRefusal, type ExecutionStatusResponse, getFromApi, statusPath } from "./status-api.ts";
import type { Target } from "./target.ts";

export const SMOKE_REASON = "smoke test";

export interface SmokeOptions {
  tenant: string;
  actionType?: string;
  timeoutMs: number;
  /** A status API token for the smoke tenant. */
  token: string;
  /** Told of each link as it is checked. */
  onLink?: (link: SmokeLink) => void;
  pollMs?: number;
}

export interface SmokeLink {
  name: string;
  ok: boolean;
  detail: string;
  ms: number;
}

export interface SmokeReport {
  ok: boolean;
  action_intent_id?: string;
  tenant_id: string;
  links: SmokeLink[];
  /** The first link that broke. */
  broken?: SmokeLink;
}

class BrokenLink extends Error {
  override name = "BrokenLink";
}

/** Polls `read` until `done` holds or the deadline passes; answers the last value read. */
async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, deadline: number, pollMs: number) {
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await sleep(pollMs);
    value = await read();
  }
  return value;
}

async function pickEntry(target: Target, actionType: string | undefined): Promise<RegistryEntry> {
  if (actionType !== undefined) {
    const entry = await getEntry(target, actionType);
    if (!entry) {
      throw new BrokenLink(
        `no registry entry for action type ${actionType} in ${target.tables.registry}: put one first`,
      );
    }
    return entry;
  }
  const [first] = await listEntries(target);
  if (!first) throw new BrokenLink(`the registry ${target.tables.registry} is empty: put an entry first`);
  return (await getEntry(target, first.action_type)) ?? first;
}

export async function runSmoke(target: Target, options: SmokeOptions): Promise<SmokeReport> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const pollMs = options.pollMs ?? 500;
  const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const report: SmokeReport = { ok: false, tenant_id: options.tenant, links: [] };

  async function link<T>(name: string, check: () => Promise<{ value: T; detail: string }>): Promise<T> {
    const linkStarted = Date.now();
    try {
      const { value, detail } = await check();
      const passed = { name, ok: true, detail, ms: Date.now() - linkStarted };
      report.links.push(passed);
      options.onLink?.(passed);
      return value;
    } catch (error) {
      const broken = { name, ok: false, detail: (error as Error).message, ms: Date.now() - linkStarted };
      report.links.push(broken);
      report.broken = broken;
      options.onLink?.(broken);
      throw new BrokenLink(broken.detail);
    }
  }

  const readExecution = async (intent: ActionIntent) =>
    (
      await target.db.send(
        new GetCommand({
          TableName: target.tables.executions,
          Key: keys.execution(intent.tenant_id, intent.action_intent_id),
          ConsistentRead: true,
        }),
      )
    ).Item as ExecutionRecord | undefined;
  const exists = (table: string, key: Record<string, string>) => async () =>
    (await target.db.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item !== undefined;

  try {
    const entry = await link("registry: an action type to approve", async () => {
      const value = await pickEntry(target, options.actionType);
      return { value, detail: `${value.action_type} v${value.registry_version}` };
    });
    await link("controls: the smoke tenant's kill switch on", async () => {
      await changeKillSwitch(target, {
        on: true,
        tenant: options.tenant,
        reason: SMOKE_REASON,
        by: await target.operator(),
      });
      return { value: undefined, detail: `tenant ${options.tenant}` };
    });
    const suffix = `${Date.now()}-${randomBytes(3).toString("hex")}`;
    const intent: ActionIntent = {
      action_intent_id: `smoke-${suffix}`,
      tenant_id: options.tenant,
      account_id: "smoke-account",
      action_type: entry.action_type,
      registry_version: entry.registry_version,
      parameters: {},
      trace_id: `smoke-${suffix}`,
      expires_at_epoch: Math.floor(Date.now() / 1000) + 3600,
    };
    report.action_intent_id = intent.action_intent_id;
    await link("intents table: the smoke intent stored", async () => {
      await storeIntent(target, intent);
      return { value: undefined, detail: intent.action_intent_id };
    });
    await link("bus: PutEvents accepted the approval", async () => {
      const eventId = await publishApproval(target, intent);
      return { value: undefined, detail: `event ${eventId} on ${target.bus.name}` };
    });
    await link("rule -> state machine -> execution starter: the execution record appears", async () => {
      const record = await waitFor(() => readExecution(intent), Boolean, deadline, pollMs);
      if (!record) {
        throw new Error(
          `no execution record in ${target.tables.executions} after ${seconds()}: the rule did not match, ` +
            "the state machine did not start, or the execution starter failed",
        );
      }
      return { value: undefined, detail: `${record.status} after ${seconds()}` };
    });
    await link("validator -> failure recorder: FAILED with KILL_SWITCH", async () => {
      const record = await waitFor(
        () => readExecution(intent),
        (current) => current?.status === "FAILED" || current?.status === "SUCCEEDED",
        deadline,
        pollMs,
      );
      if (record?.status !== "FAILED" || record.error_class !== "KILL_SWITCH") {
        throw new Error(
          `the execution is ${record?.status ?? "gone"}${record?.error_class ? ` with error class ${record.error_class}` : ""}` +
            `${record?.error_message ? ` (${record.error_message})` : ""} after ${seconds()}, not FAILED with KILL_SWITCH`,
        );
      }
      return { value: undefined, detail: `${record.error_code ?? ""} ${record.error_message ?? ""}`.trim() };
    });
    await link("recorder: the ledger entry and the signal record", async () => {
      const ledger = keys.outcomeLedgerEvent(intent.tenant_id, intent.action_intent_id);
      const signal = keys.signal(intent.tenant_id, intent.action_intent_id);
      const found = await waitFor(
        async () => [await exists(target.tables.ledger, ledger)(), await exists(target.tables.signals, signal)()],
        (both) => both.every(Boolean),
        deadline,
        pollMs,
      );
      const missing = [
        !found[0] && `ledger entry in ${target.tables.ledger}`,
        !found[1] && `signal record in ${target.tables.signals}`,
      ];
      if (missing.some(Boolean)) throw new Error(`no ${missing.filter(Boolean).join(" and no ")}`);
      return { value: undefined, detail: `${ledger.sk}, ${signal.sk}` };
    });
    await link("status API -> authorizer -> status function: answers FAILED", async () => {
      const answer = await getFromApi(target, statusPath(intent.action_intent_id), options.token);
      if (answer.httpStatus !== 200) throw apiRefusal(answer, `intent ${intent.action_intent_id}`, target);
      const body = answer.body as ExecutionStatusResponse;
      if (body.status !== "FAILED" || body.error_class !== "KILL_SWITCH") {
        throw new Error(`it answered ${body.status} ${body.error_class ?? ""}, not FAILED KILL_SWITCH`.trim());
      }
      return { value: undefined, detail: `200 ${body.status} ${body.error_class}` };
    });
    report.ok = true;
  } catch (error) {
    if (!(error instanceof BrokenLink)) throw error;
  }
  return report;
}
