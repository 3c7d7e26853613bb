// The local bus answers what producers get wrong as PutEvents does, through an unmodified EventBridgeClient.
// Request-level refusals and per-entry messages are AWS's own, as recorded against AWS in LocalStack's
// snapshot tests (tests/aws/services/events/test_events.snapshot.json); limits and the entry size
// computation are AWS's documented ones:
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  EventBridgeClient,
  EventBridgeServiceException,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { localCredentials, localRegion } from "../tests/support/local-aws.ts";
import { type LocalEngine, startLocalEngine } from "./engine.ts";
import { type BusEvent, MAX_REQUEST_ENTRIES_BYTES, putEventsEntrySize, startEventBus } from "./event-bus.ts";

const bus = await startEventBus({ buses: ["orders"] });
afterAll(() => bus.stop());
const client = new EventBridgeClient({ endpoint: bus.endpoint, region: localRegion, credentials: localCredentials });
afterAll(() => client.destroy());

const delivered: BusEvent[] = [];
bus.onEvent((event) => delivered.push(event));
beforeEach(() => {
  delivered.length = 0;
});

const entry = (overrides: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry => ({
  Source: "shop.orders",
  DetailType: "OrderPlaced",
  Detail: JSON.stringify({ order_id: "o-1" }),
  EventBusName: "orders",
  ...overrides,
});

const put = (entries: PutEventsRequestEntry[]) => client.send(new PutEventsCommand({ Entries: entries }));

/** The error a refused request throws, as the SDK parses it. */
async function refusalOf(entries: PutEventsRequestEntry[]) {
  const error = await put(entries).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(EventBridgeServiceException);
  const { name, message, $metadata } = error as EventBridgeServiceException;
  return { name, message, status: $metadata.httpStatusCode };
}

/** An entry whose size, as EventBridge counts it, is exactly `bytes`. */
function entryOfSize(bytes: number, overrides: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry {
  const shell = entry({ Detail: JSON.stringify({ padding: "" }), ...overrides });
  const padding = "x".repeat(bytes - putEventsEntrySize(shell));
  const sized = { ...shell, Detail: JSON.stringify({ padding }) };
  expect(putEventsEntrySize(sized)).toBe(bytes);
  return sized;
}

describe("entries the bus accepts", () => {
  it("delivers each as an EventBridge event, with Time and Resources as given, and answers its id", async () => {
    const time = new Date("2026-03-01T10:20:30.456Z");

    const answer = await put([entry({ Time: time, Resources: ["arn:aws:s3:::receipts/o-1"] })]);

    expect(answer.FailedEntryCount).toBe(0);
    expect(delivered).toEqual([
      {
        version: "0",
        id: answer.Entries?.[0]?.EventId,
        "detail-type": "OrderPlaced",
        source: "shop.orders",
        account: "000000000000",
        time: "2026-03-01T10:20:30Z",
        region: "us-east-1",
        resources: ["arn:aws:s3:::receipts/o-1"],
        detail: { order_id: "o-1" },
        "event-bus-name": "orders",
      },
    ]);
  });

  it("delivers to the default bus when EventBusName is absent, and names a bus by its ARN too", async () => {
    await put([
      entry({ EventBusName: undefined }),
      entry({ EventBusName: "arn:aws:events:us-east-1:000000000000:event-bus/orders" }),
    ]);

    expect(delivered.map((event) => event["event-bus-name"])).toEqual(["default", "orders"]);
  });
});

describe("a request PutEvents refuses as a whole (400 ValidationException, nothing delivered)", () => {
  it("more than 10 entries", async () => {
    const refusal = await refusalOf(Array.from({ length: 11 }, () => entry()));

    expect(refusal).toMatchObject({ name: "ValidationException", status: 400 });
    expect(refusal.message).toMatch(/^1 validation error detected: Value '\[PutEventsRequestEntry\(time=null, source=/);
    expect(refusal.message).toMatch(
      /\)\]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10$/,
    );
    expect(delivered).toEqual([]);
  });

  it("no entries", async () => {
    expect(await refusalOf([])).toEqual({
      name: "ValidationException",
      status: 400,
      message:
        "1 validation error detected: Value '[]' at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1",
    });
  });

  it("entries over 1 MB together, counted as EventBridge counts them, although each is under", async () => {
    const half = MAX_REQUEST_ENTRIES_BYTES / 2;

    const refusal = await refusalOf([entryOfSize(half), entryOfSize(half, { Time: new Date() }), entry()]);

    expect(refusal).toEqual({
      name: "ValidationException",
      status: 400,
      message: "Total size of the entries in the request is over the limit.",
    });
    expect(delivered).toEqual([]);
  });

  it("one entry a byte over 1 MB, its Detail's multi-byte characters counted in UTF-8 bytes", async () => {
    const exact = entryOfSize(MAX_REQUEST_ENTRIES_BYTES, { Resources: ["arn:aws:s3:::receipts/o-1"] });
    const detail = JSON.parse(exact.Detail as string) as { padding: string };
    // "é" is one character and two bytes: replacing one "x" adds exactly one byte.
    const over = { ...exact, Detail: JSON.stringify({ padding: `é${detail.padding.slice(1)}` }) };

    expect((await refusalOf([over])).message).toBe("Total size of the entries in the request is over the limit.");
    expect(delivered).toEqual([]);
  });

  it("accepts an entry of exactly 1 MB, and one over the former 256 KB limit", async () => {
    const answer = await put([entryOfSize(MAX_REQUEST_ENTRIES_BYTES - 300 * 1024), entryOfSize(300 * 1024)]);

    expect(answer.FailedEntryCount).toBe(0);
    expect(delivered).toHaveLength(2);
  });
});

describe("entries PutEvents fails one by one (200, FailedEntryCount, never delivered)", () => {
  it.each([
    ["Source", entry({ Source: undefined })],
    ["DetailType", entry({ DetailType: undefined })],
    ["Detail", entry({ Detail: undefined })],
    ["Source", entry({ Source: "" })],
  ])("a missing or empty %s is InvalidArgument", async (member, bad) => {
    const answer = await put([bad]);

    expect(answer).toMatchObject({
      FailedEntryCount: 1,
      Entries: [
        {
          ErrorCode: "InvalidArgument",
          ErrorMessage: `Parameter ${member} is not valid. Reason: ${member} is a required argument.`,
        },
      ],
    });
    expect(delivered).toEqual([]);
  });

  it.each([
    ["not JSON", "{ order_id: o-1 }"],
    ["a JSON string", JSON.stringify("o-1")],
    ["a JSON array", JSON.stringify([{ order_id: "o-1" }])],
    ["an object serialized twice", JSON.stringify(JSON.stringify({ order_id: "o-1" }))],
    ["null", "null"],
  ])("a Detail that is %s is MalformedDetail", async (_shape, detail) => {
    const answer = await put([entry({ Detail: detail })]);

    expect(answer).toMatchObject({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." }],
    });
    expect(delivered).toEqual([]);
  });

  it("a bus that does not exist is refused (where AWS drops the event silently)", async () => {
    const answer = await put([entry({ EventBusName: "order" })]);

    expect(answer.Entries).toEqual([
      { ErrorCode: "ResourceNotFoundException", ErrorMessage: "Event bus order does not exist." },
    ]);
    expect(delivered).toEqual([]);
  });

  it("answers every entry in the request's order, counts the failed ones, and delivers the others", async () => {
    const answer = await put([
      entry({ Detail: JSON.stringify({ order_id: "o-1" }) }),
      entry({ DetailType: undefined }),
      entry({ Detail: "[]" }),
      entry({ Detail: JSON.stringify({ order_id: "o-4" }) }),
    ]);

    expect(answer.FailedEntryCount).toBe(2);
    expect(answer.Entries?.map((result) => result.ErrorCode ?? "ok")).toEqual([
      "ok",
      "InvalidArgument",
      "MalformedDetail",
      "ok",
    ]);
    expect(delivered.map((event) => event.id)).toEqual([answer.Entries?.[0]?.EventId, answer.Entries?.[3]?.EventId]);
    expect(delivered.map((event) => event.detail)).toEqual([{ order_id: "o-1" }, { order_id: "o-4" }]);
  });
});

describe("on the local engine", () => {
  let engine: LocalEngine;
  beforeAll(async () => {
    engine = await startLocalEngine({
      dynamodbEndpoint: inject("dynamodbEndpoint"),
      tablePrefix: "event-bus",
      stateDirectory: mkdtempSync(join(tmpdir(), "engine-event-bus-")),
      retryIntervalMs: 10,
    });
  });
  afterAll(() => engine?.stop());

  it("starts no execution for an approval whose Detail was serialized twice, and one for the same approval sent right", async () => {
    const { eventBridge } = engine.endpoints;
    const engineClient = new EventBridgeClient({
      endpoint: eventBridge.endpoint,
      region: engine.endpoints.region,
      credentials: localCredentials,
    });
    const approval = (actionIntentId: string) => ({
      data: { action_intent_id: actionIntentId, tenant_id: "tenant-bus", account_id: "account-bus" },
    });
    const approved = {
      Source: eventBridge.source,
      DetailType: eventBridge.detailType,
      EventBusName: eventBridge.busName,
    };

    const answer = await engineClient.send(
      new PutEventsCommand({
        Entries: [
          { ...approved, Detail: JSON.stringify(JSON.stringify(approval("intent-bus-twice"))) },
          { ...approved, Detail: JSON.stringify(approval("intent-bus-right")) },
        ],
      }),
    );
    await engine.idle();
    engineClient.destroy();

    expect(answer.Entries?.map((result) => result.ErrorCode)).toEqual(["MalformedDetail", undefined]);
    expect(engine.executions.map((report) => report.input)).toEqual([
      { action_intent_id: "intent-bus-right", tenant_id: "tenant-bus", account_id: "account-bus" },
    ]);
  });
});
