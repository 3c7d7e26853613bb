// What a chaos run reads back once every execution has ended, from the outside (the tables, the gateway's
// admin store, the status API, the bus, the execution history, the captured metrics and the alarms over
// them), and what it finds wrong. A loss: an approved intent without exactly one terminal outcome, one
// ledger entry and one signal record, or left RUNNING. A double effect: an external object written twice
// for one intent. The other findings (a write left behind, a status that disagrees, metrics that do not add
// up, an alarm in the wrong state) fail the run too.
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { idempotencyKeyFor } from "../functions/kernel/idempotency.ts";
import { METRIC_SERVICE, Metric } from "../functions/kernel/metric-names.ts";
import { evaluateAlarmOver, nextEvaluation } from "../infra/observability/evaluate.ts";
import type { PublicClient, StatusAnswer } from "../local/demo-scenarios.ts";
import type { LocalEngine } from "../local/engine.ts";
import type { ExecutionReport } from "../local/state-machine.ts";
import type { ExecutionRecord } from "../schemas/records.ts";
import type { BatchIntent } from "./batch.ts";

export type FindingKind =
  | "loss"
  | "double effect"
  | "write left behind"
  | "status disagrees"
  | "metrics"
  | "alarm"
  | "left running";

export interface Finding {
  kind: FindingKind;
  intent?: string;
  message: string;
}

export interface GatewayObject {
  object_id: string;
  idempotency_key: string;
  deleted: boolean;
}

/** Everything a chaos run reads back. */
export interface Observation {
  records: Map<string, ExecutionRecord>;
  ledgerEntries: Map<string, number>;
  signalRecords: Map<string, number>;
  statuses: Map<string, StatusAnswer>;
  objects: GatewayObject[];
  reports: ExecutionReport[];
  /** Signals that reached the bus, per intent (publication is at least once). */
  published: Map<string, number>;
  metricSums: { succeeded: number; failed: number };
  /** Alarm id -> whether it went to ALARM during the run. */
  alarmsTripped: Map<string, boolean>;
  inFlight: number;
}

const intentOfKey = (sk: unknown) => String(sk).split("#")[1] ?? "";

async function partitionItems(client: PublicClient, table: string, tenant: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": `TENANT#${tenant}` },
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

const countBy = (items: Record<string, unknown>[]) => {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(intentOfKey(item.sk), (counts.get(intentOfKey(item.sk)) ?? 0) + 1);
  return counts;
};

/** Runs `work` over `items`, `width` at a time. */
async function eachLimited<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

export async function observe(
  engine: LocalEngine,
  client: PublicClient,
  batch: BatchIntent[],
  window: { from: number; to: number },
): Promise<Observation> {
  const tenants = [...new Set(batch.map(({ intent }) => intent.tenant_id))];
  const ours = new Set(batch.map(({ intent }) => intent.action_intent_id));
  const mine = (items: Record<string, unknown>[]) => items.filter((item) => ours.has(intentOfKey(item.sk)));
  const [executions, ledger, signals] = await Promise.all(
    [client.tables.executions, client.tables.ledger, client.tables.signals].map(async (table) =>
      mine((await Promise.all(tenants.map((tenant) => partitionItems(client, table, tenant)))).flat()),
    ),
  );
  const records = new Map(
    (executions ?? []).map((item) => [intentOfKey(item.sk), item as unknown as ExecutionRecord] as const),
  );

  const statuses = new Map<string, StatusAnswer>();
  await eachLimited(batch, 8, async ({ intent }) => {
    statuses.set(intent.action_intent_id, await client.status(intent));
  });

  const published = new Map<string, number>();
  for (const event of engine.bus.events) {
    if (event.source !== engine.config.signalSource) continue;
    const id = String((event.detail as { action_intent_id?: unknown }).action_intent_id);
    if (ours.has(id)) published.set(id, (published.get(id) ?? 0) + 1);
  }

  const sum = (name: string) =>
    engine.telemetry.datapoints
      .filter(
        (point) =>
          point.namespace === engine.config.metricsNamespace &&
          point.metricName === name &&
          point.dimensions.service === METRIC_SERVICE &&
          Object.keys(point.dimensions).length === 1 &&
          point.timestamp >= window.from,
      )
      .reduce((total, point) => total + point.value, 0);

  const alarmsTripped = new Map(
    engine
      .alarms()
      .map((spec) => [
        spec.id,
        evaluateAlarmOver(spec, engine.telemetry.datapoints, window.from, nextEvaluation(spec, window.to)).some(
          (evaluation) => evaluation.state === "ALARM",
        ),
      ]),
  );

  return {
    records,
    ledgerEntries: countBy(ledger ?? []),
    signalRecords: countBy(signals ?? []),
    statuses,
    objects: await client.gatewayObjects(),
    reports: engine.executions.filter((report) =>
      ours.has(String((report.input as { action_intent_id?: unknown }).action_intent_id)),
    ),
    published,
    metricSums: { succeeded: sum(Metric.ExecutionSucceeded.name), failed: sum(Metric.ExecutionFailed.name) },
    alarmsTripped,
    inFlight: engine.executionsInFlight(),
  };
}

function intentFindings(entry: BatchIntent, seen: Observation): Finding[] {
  const id = entry.intent.action_intent_id;
  const finding = (kind: FindingKind, message: string): Finding => ({ kind, intent: id, message });
  const findings: Finding[] = [];
  const record = seen.records.get(id);
  const runs = seen.reports.filter((report) => (report.input as { action_intent_id?: string }).action_intent_id === id);
  if (runs.length !== entry.approvals) {
    findings.push(finding("loss", `${entry.approvals} approval(s) started ${runs.length} execution(s)`));
  }
  if (!record) return [...findings, finding("loss", "no execution record")];
  if (record.status === "RUNNING") findings.push(finding("left running", "the execution record is still RUNNING"));
  for (const [what, counts] of [
    ["ledger entries", seen.ledgerEntries],
    ["signal records", seen.signalRecords],
  ] as const) {
    const count = counts.get(id) ?? 0;
    if (count !== 1) findings.push(finding(count === 0 ? "loss" : "double effect", `${count} ${what}, expected 1`));
  }

  const key = idempotencyKeyFor(entry.intent.tenant_id, id);
  const objects = seen.objects.filter((object) => object.idempotency_key === key);
  if (objects.length > 1) {
    findings.push(finding("double effect", `${objects.length} external objects written for one intent`));
  }
  const referenced = new Set((record.external_object_refs ?? []).map((ref) => ref.object_id));
  for (const object of objects.filter((candidate) => !candidate.deleted)) {
    if (record.status === "SUCCEEDED" && !referenced.has(object.object_id)) {
      findings.push(finding("write left behind", `live object ${object.object_id} is not in the recorded outcome`));
    }
    const compensationOwned = record.compensation_status === "FAILED" || record.compensation_status === "PENDING";
    if (record.status === "FAILED" && !compensationOwned) {
      findings.push(
        finding(
          "write left behind",
          `live object ${object.object_id} under a FAILED outcome (${record.error_code}, ${record.error_class}: ${record.error_message}) whose compensation is ${record.compensation_status}`,
        ),
      );
    }
  }

  const status = seen.statuses.get(id);
  const shown = status?.body.status;
  const expected = record.status === "FAILED" && record.error_class === "EXPIRED" ? "EXPIRED" : record.status;
  if (status?.httpStatus !== 200 || shown !== expected) {
    findings.push(
      finding(
        "status disagrees",
        `status API answered ${status?.httpStatus} ${String(shown)}, record is ${record.status}`,
      ),
    );
  }
  const owner = runs.find((run) => run.executionArn === record.execution_id);
  const signalled = (seen.published.get(id) ?? 0) > 0;
  if (owner) {
    // An outcome whose signal never reached the bus must not end quietly: its execution fails, and alarms.
    const ownerShould = record.status === "SUCCEEDED" && signalled ? "SUCCEEDED" : "FAILED";
    if (owner.status !== ownerShould) {
      findings.push(
        finding(
          "status disagrees",
          `the execution ended ${owner.status} (${owner.path.at(-1)}${owner.error ? `, ${owner.error}` : ""}) for a ${record.status} outcome${signalled ? "" : " whose signal was never published"}`,
        ),
      );
    }
  }
  return findings;
}

export function findings(batch: BatchIntent[], seen: Observation, expectAlarms: readonly string[]): Finding[] {
  const all = batch.flatMap((entry) => intentFindings(entry, seen));
  const outcomes = [...seen.records.values()];
  const succeeded = outcomes.filter((record) => record.status === "SUCCEEDED").length;
  const failed = outcomes.filter((record) => record.status === "FAILED").length;
  if (seen.metricSums.succeeded !== succeeded || seen.metricSums.failed !== failed) {
    all.push({
      kind: "metrics",
      message: `metrics count ${seen.metricSums.succeeded} succeeded + ${seen.metricSums.failed} failed, the tables hold ${succeeded} + ${failed}`,
    });
  }
  if (seen.inFlight > 0) all.push({ kind: "left running", message: `${seen.inFlight} executions still in flight` });
  for (const [id, tripped] of seen.alarmsTripped) {
    const expected = expectAlarms.includes(id);
    if (tripped !== expected) {
      all.push({
        kind: "alarm",
        message: `alarm ${id} ${tripped ? "went to ALARM" : "stayed OK"}, expected ${expected ? "ALARM" : "OK"}`,
      });
    }
  }
  for (const id of expectAlarms) {
    if (!seen.alarmsTripped.has(id))
      all.push({ kind: "alarm", message: `the profile expects alarm ${id}, which the stack does not have` });
  }
  return all;
}
