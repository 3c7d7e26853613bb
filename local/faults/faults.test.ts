// Fault profiles are checked against the engine's own declarations; decisions follow the seed, not the order
// of requests; and a fault on the wire reaches an unmodified AWS SDK client as the service's own error, so the
// SDK's parsing and retries run for real (DynamoDB Local behind the fault proxy).
import { randomUUID } from "node:crypto";
import {
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import { afterAll, describe, expect, inject, it } from "vitest";
import { localCredentials, localRegion } from "../../tests/support/local-aws.ts";
import { demoRegistry } from "../demo-data.ts";
import { tableNamesFor } from "../tables.ts";
import { type FaultInjection, startFaultInjection } from "./index.ts";
import { createFaultPlan, type FaultRequest } from "./plan.ts";
import { FaultProfileError, parseFaultProfile, validateFaultProfile } from "./profile.ts";
import { faultTargets } from "./targets.ts";

const targets = faultTargets(demoRegistry);

describe("a fault profile", () => {
  it("is read from YAML, its fields checked by the schema", () => {
    const profile = parseFaultProfile(
      "seed: 3\nfaults:\n  - { service: dynamodb, kind: throttle, target: executions, rate: 0.3, window: { start_ms: 0, duration_ms: 1000 } }\n",
      targets,
    );

    expect(profile.faults[0]).toMatchObject({ service: "dynamodb", kind: "throttle", target: "executions" });
  });

  it.each([
    [
      "a function the catalog does not have",
      { service: "lambda", kind: "crash", target: "tool-invokr", rate: 1 },
      'fault 1 (lambda crash) names lambda function "tool-invokr", which the engine does not have; lambda functions: execution-starter,',
    ],
    [
      "a table the data layout does not have",
      { service: "dynamodb", kind: "throttle", target: "execution", rate: 1 },
      'fault 1 (dynamodb throttle) names dynamodb target "execution", which the engine does not have; dynamodb targets: intents, registry, executions,',
    ],
    [
      "a tool the registry does not name",
      { service: "gateway", kind: "reset", target: "crm.create_tasks", rate: 1 },
      'names gateway tool "crm.create_tasks"',
    ],
    [
      "a calling function the catalog does not have",
      { service: "eventbridge", kind: "throttle", function: "recorder", rate: 1 },
      'names function "recorder"',
    ],
    [
      "a kind its service cannot play",
      { service: "s3", kind: "crash", rate: 1 },
      "/faults/0/kind must be equal to one of the allowed values",
    ],
    [
      "a throttle played after the service acted",
      { service: "dynamodb", kind: "throttle", at: "after", rate: 1 },
      "/faults/0/at must be equal to constant",
    ],
    ["a rate above 1", { service: "lambda", kind: "throttle", rate: 1.5 }, "/faults/0/rate must be <= 1"],
  ])("naming %s is refused whole, with the reason", (_case, fault, message) => {
    expect(() => validateFaultProfile({ faults: [fault] }, targets)).toThrow(FaultProfileError);
    expect(() => validateFaultProfile({ faults: [fault] }, targets)).toThrow(message);
  });
});

describe("the fault plan", () => {
  const request = (subject: string): FaultRequest => ({ service: "lambda", targets: ["tool-invoker"], subject });
  const decisions = (seed: number, subjects: string[]) => {
    const plan = createFaultPlan();
    plan.apply({ seed, faults: [{ service: "lambda", kind: "crash", rate: 0.5 }] });
    return subjects.map((subject) => plan.decide(request(subject)) !== undefined);
  };
  const subjects = Array.from({ length: 40 }, (_, n) => `intent-${n}`);

  it("decides by seed and subject, whatever order the requests come in", () => {
    const forward = decisions(11, subjects);
    const backward = decisions(11, [...subjects].reverse()).reverse();

    expect(backward).toEqual(forward);
    expect(decisions(12, subjects)).not.toEqual(forward);
    expect(forward.filter(Boolean).length).toBeGreaterThan(5);
  });

  it("stops at its limit and outside its window, and counts what it injected", () => {
    let now = 1_000;
    const plan = createFaultPlan(() => now);
    plan.apply({
      faults: [{ service: "lambda", kind: "throttle", rate: 1, limit: 2, window: { start_ms: 100, duration_ms: 50 } }],
    });

    const early = plan.decide(request("a"));
    now += 120;
    const inside = [plan.decide(request("b")), plan.decide(request("c")), plan.decide(request("d"))];
    now += 100;
    plan.clear();
    plan.apply({ faults: [{ service: "lambda", kind: "throttle", rate: 1, window: { duration_ms: 10 } }] });
    now += 20;
    const after = plan.decide(request("e"));

    expect(early).toBeUndefined();
    expect(inside.map((decision) => decision !== undefined)).toEqual([true, true, false]);
    expect(after).toBeUndefined();
  });
});

describe("DynamoDB faults on the wire", () => {
  const tables = tableNamesFor(inject("tablePrefix"));
  let faults: FaultInjection;
  const endpoint = inject("dynamodbEndpoint");
  const started = startFaultInjection({
    services: {
      dynamodbEndpoint: endpoint,
      s3Endpoint: endpoint,
      secretsManagerEndpoint: endpoint,
      eventBridgeEndpoint: endpoint,
      gatewayOrigin: endpoint,
    },
    resources: { tables, artifactsBucket: "unused", eventBusName: "unused", gatewaySecretId: "unused" },
    registry: demoRegistry,
    functionOfKey: () => undefined,
  }).then((injection) => {
    faults = injection;
    return injection;
  });
  afterAll(async () => (await started).stop());
  const client = async () =>
    new DynamoDBClient({
      endpoint: (await started).environment.AWS_ENDPOINT_URL_DYNAMODB,
      region: localRegion,
      credentials: localCredentials,
    });
  const key = () => ({ pk: { S: `TENANT#faults-${randomUUID()}` }, sk: { S: "EXECUTION#one" } });

  it("throttles as ProvisionedThroughputExceededException, which the SDK retries before giving up", async () => {
    const db = await client();
    faults.apply({ faults: [{ service: "dynamodb", kind: "throttle", target: "executions", rate: 1 }] });

    const thrown = await db
      .send(new GetItemCommand({ TableName: tables.executions, Key: key() }))
      .catch((error: unknown) => error);

    expect(thrown).toBeInstanceOf(ProvisionedThroughputExceededException);
    // Every attempt of the SDK's own retry policy met the throttle (for DynamoDB, 4 in this SDK version:
    // https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
    const { attempts } = (thrown as ProvisionedThroughputExceededException).$metadata;
    expect(attempts).toBeGreaterThan(1);
    expect(faults.state().injected[0]?.injected).toBe(attempts);
  });

  it("cancels a transaction for a conflict, with one reason per item as DynamoDB gives them", async () => {
    const db = await client();
    faults.apply({ faults: [{ service: "dynamodb", kind: "transaction-conflict", rate: 1 }] });

    const thrown = await db
      .send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: tables.executions, Item: key() } },
            { Put: { TableName: tables.ledger, Item: key() } },
          ],
        }),
      )
      .catch((error: unknown) => error);

    expect(thrown).toBeInstanceOf(TransactionCanceledException);
    expect((thrown as TransactionCanceledException).CancellationReasons).toEqual([
      { Code: "TransactionConflict", Message: "Transaction is ongoing for the item" },
      { Code: "None" },
    ]);
  });

  it("answers a 500 after the write was made, and the SDK's retry finds the write done", async () => {
    const db = await client();
    const item = key();
    faults.apply({ faults: [{ service: "dynamodb", kind: "server-error", at: "after", rate: 1, limit: 1 }] });

    const put = await db.send(new PutItemCommand({ TableName: tables.executions, Item: item }));
    faults.clear();
    const { Item } = await db.send(new GetItemCommand({ TableName: tables.executions, Key: item }));

    expect(put.$metadata.attempts).toBe(2);
    expect(Item).toEqual(item);
  });
});
