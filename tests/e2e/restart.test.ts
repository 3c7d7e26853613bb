// A restart on the same state directory keeps what a user had: the execution and its artifact, a token
// minted before, an operator's registry change, and the metrics and traces of the earlier run. The engine
// runs its own DynamoDB Local on disk here (not the shared in-memory one), since persistence is the point.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, describe, expect, it } from "vitest";
import { keys } from "../../functions/kernel/data-layout.ts";
import { demoIntent, demoRegistry } from "../../local/demo-data.ts";
import { publicClient } from "../../local/demo-scenarios.ts";
import { startLocalEngine } from "../../local/engine.ts";
import { StateDirectoryInUseError } from "../../local/start-errors.ts";

const directory = mkdtempSync(join(tmpdir(), "engine-restart-"));
const intent = demoIntent({
  action_intent_id: `intent-restart-${Date.now()}`,
  tenant_id: "tenant-restart",
  account_id: "account-restart",
  action_type: "CREATE_INTERNAL_NOTE",
  parameters: { text: "Kept across a restart" },
});
const key = { action_intent_id: intent.action_intent_id, tenant_id: intent.tenant_id, account_id: intent.account_id };
const seeded = demoRegistry.find((entry) => entry.action_type === "CREATE_INTERNAL_NOTE");
const changedEntry = {
  ...seeded,
  parameter_mapping: { text: { from: "/parameters/text", default: "changed by an operator" } },
};

// The first run: one execution, a token, an operator's change to a seeded registry entry; then a stop.
const first = await startLocalEngine({ stateDirectory: directory, retryIntervalMs: 10 });
let oldToken: string;
let secondWhileRunning: unknown;
let refusedAfterMs: number;
let firstRun: { datapoints: number; traceDocuments: number; stoppedAt: number };
try {
  const client = publicClient(first);
  await client.storeIntent(intent);
  await client.approve(key);
  await first.idle();
  oldToken = await client.token(intent.tenant_id);
  await client.db.send(new PutCommand({ TableName: client.tables.registry, Item: changedEntry }));
  const refusing = Date.now();
  secondWhileRunning = await startLocalEngine({ stateDirectory: directory }).then(
    async (engine) => engine.stop(),
    (error: unknown) => error,
  );
  refusedAfterMs = Date.now() - refusing;
  firstRun = {
    datapoints: first.telemetry.datapoints.length,
    traceDocuments: first.telemetry.documents.length,
    stoppedAt: Date.now(),
  };
} finally {
  await first.stop();
}

const second = await startLocalEngine({ stateDirectory: directory, retryIntervalMs: 10 });
afterAll(() => second.stop());
const client = publicClient(second);

describe("a second engine on a directory in use", () => {
  it("refuses at once, naming the directory and how to choose another", () => {
    expect(secondWhileRunning).toBeInstanceOf(StateDirectoryInUseError);
    expect(String(secondWhileRunning)).toContain(`the state directory ${directory} is in use by another engine`);
    expect(String(secondWhileRunning)).toContain("--dir <path> or ENGINE_STATE_DIR=<path>");
    expect(refusedAfterMs).toBeLessThan(1000);
  });
});

describe("after a restart on the same state directory", () => {
  it("answers the execution's status through the API, to a token minted before the restart", async () => {
    const response = await fetch(
      `${second.endpoints.httpApi.url}/executions/${key.action_intent_id}/status?account_id=${key.account_id}`,
      { headers: { authorization: `Bearer ${oldToken}` } },
    );

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ action_intent_id: key.action_intent_id, status: "SUCCEEDED" });
  });

  it("still holds the raw tool reply the execution stored in S3", async () => {
    const { Item } = await client.db.send(
      new GetCommand({ TableName: client.tables.executions, Key: keys.execution(key.tenant_id, key.action_intent_id) }),
    );
    const [, bucket, objectKey] = /^s3:\/\/([^/]+)\/(.+)$/.exec(String(Item?.raw_response_ref)) ?? [];
    const s3 = new S3Client({
      endpoint: second.endpoints.s3.endpoint,
      region: second.endpoints.region,
      forcePathStyle: true,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    });

    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: objectKey }));

    expect(objectKey?.startsWith(`${key.tenant_id}/${key.action_intent_id}/toolrun/`)).toBe(true);
    expect(await object.Body?.transformToString()).toContain("internal-note-");
  });

  it("keeps the operator's registry change instead of seeding the demo entry over it", async () => {
    const { Item } = await client.db.send(
      new GetCommand({
        TableName: client.tables.registry,
        Key: { action_type: "CREATE_INTERNAL_NOTE", registry_version: 1 },
      }),
    );

    expect(Item?.parameter_mapping).toEqual(changedEntry.parameter_mapping);
  });

  it("still has the first run's metrics and traces, for the alarms and `npm run metrics` / `traces`", () => {
    const earlier = second.telemetry.datapoints.filter((point) => point.timestamp <= firstRun.stoppedAt);
    const succeeded = earlier.filter(
      (point) => point.namespace === "AWS/States" && point.metricName === "ExecutionsSucceeded",
    );
    const executionSegment = second.telemetry.documents.find(
      (document) =>
        document.origin === "AWS::StepFunctions::StateMachine" &&
        document.annotations?.action_intent_id === key.action_intent_id,
    );

    expect(earlier).toHaveLength(firstRun.datapoints);
    expect(succeeded).toHaveLength(1);
    expect(second.telemetry.documents.length).toBeGreaterThanOrEqual(firstRun.traceDocuments);
    expect(executionSegment?.annotations?.status).toBe("SUCCEEDED");
  });

  it("runs new executions beside the kept ones", async () => {
    const next = { ...intent, action_intent_id: `${key.action_intent_id}-next` };
    await client.storeIntent(next);
    await client.approve({ ...key, action_intent_id: next.action_intent_id });
    await second.idle();

    const answer = await client.status({ ...key, action_intent_id: next.action_intent_id });

    expect(answer.httpStatus).toBe(200);
    expect(answer.body.status).toBe("SUCCEEDED");
  });
});
