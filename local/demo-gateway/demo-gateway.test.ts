// The demo gateway spoken to as the engine will: the SDK's own MCP client with a bearer header, and plain
// fetch where the raw HTTP reply is the point (status, headers, bodies that are not MCP).
import { setTimeout as sleep } from "node:timers/promises";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { type CallToolResult, LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { freePort } from "../free-port.ts";
import { type DemoGateway, type DemoGatewayOptions, type StoredObject, startDemoGateway } from "./index.ts";

const ALL_MODES: DemoGatewayOptions[] = [
  { mode: "stateless", response: "json" },
  { mode: "stateless", response: "sse" },
  { mode: "stateful", response: "json" },
  { mode: "stateful", response: "sse" },
];

type Connection = { client: Client; transport: StreamableHTTPClientTransport };

/** A running gateway plus the clients a test opened on it, closed after each test. */
function useGateway(options: DemoGatewayOptions) {
  const state = { gateway: undefined as unknown as DemoGateway, token: "" };
  const connections: Connection[] = [];

  beforeAll(async () => {
    state.gateway = await startDemoGateway(options);
  });
  afterAll(() => state.gateway.stop());
  // A token per test, since a test may revoke them all; taken before the reset so counters start at zero.
  beforeEach(async () => {
    state.token = await accessToken(state.gateway);
    state.gateway.reset();
  });
  afterEach(async () => {
    await Promise.all(connections.splice(0).map(({ client }) => client.close()));
  });

  return {
    get gateway() {
      return state.gateway;
    },
    get token() {
      return state.token;
    },
    async connect(bearer = state.token): Promise<Connection> {
      const transport = new StreamableHTTPClientTransport(new URL(state.gateway.url), {
        requestInit: { headers: { authorization: `Bearer ${bearer}` } },
      });
      const client = new Client({ name: "demo-gateway-test", version: "1.0.0" });
      connections.push({ client, transport });
      await client.connect(transport);
      return { client, transport };
    },
  };
}

function tokenRequest(gateway: DemoGateway, form: Record<string, string>, basic?: string) {
  return fetch(gateway.tokenUrl, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...(basic === undefined ? {} : { authorization: `Basic ${Buffer.from(basic).toString("base64")}` }),
    },
    body: new URLSearchParams(form),
  });
}

async function accessToken(gateway: DemoGateway): Promise<string> {
  const response = await tokenRequest(
    gateway,
    { grant_type: "client_credentials" },
    `${gateway.clientId}:${gateway.clientSecret}`,
  );
  return ((await response.json()) as { access_token: string }).access_token;
}

function toolCallMessage(name: string, args: Record<string, unknown>) {
  return { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args } };
}

/** One raw JSON-RPC POST, as an MCP client would send it on an open session. */
function postMcp(
  gateway: DemoGateway,
  message: unknown,
  options: { bearer?: string; sessionId?: string; signal?: AbortSignal } = {},
) {
  return fetch(gateway.url, {
    method: "POST",
    headers: {
      accept: "application/json, text/event-stream",
      "content-type": "application/json",
      "mcp-protocol-version": LATEST_PROTOCOL_VERSION,
      ...(options.bearer === undefined ? {} : { authorization: `Bearer ${options.bearer}` }),
      ...(options.sessionId === undefined ? {} : { "mcp-session-id": options.sessionId }),
    },
    body: JSON.stringify(message),
    signal: options.signal,
  });
}

const initializeMessage = {
  jsonrpc: "2.0",
  id: 0,
  method: "initialize",
  params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};

/** What a call that must fail threw, settled at once so no rejection waits unhandled. */
async function errorOf(pending: Promise<unknown>): Promise<unknown> {
  try {
    await pending;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

function callTool(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return client.callTool({ name, arguments: args }) as Promise<CallToolResult>;
}

/** The JSON report in the result's one text item, checked to equal its structuredContent. */
function reportOf(result: CallToolResult): Record<string, unknown> {
  expect(result.content).toHaveLength(1);
  const [item] = result.content;
  if (item?.type !== "text") throw new Error(`expected a text item, got ${JSON.stringify(item)}`);
  const report = JSON.parse(item.text) as Record<string, unknown>;
  expect(result.structuredContent).toEqual(report);
  return report;
}

async function adminGet<T>(gateway: DemoGateway, path: string): Promise<T> {
  const response = await fetch(`${gateway.origin}${path}`);
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

const anyRef = (system: string, object_type: string) => ({
  system,
  object_type,
  object_id: expect.any(String),
  object_url: expect.stringContaining("/admin/objects/"),
});

describe.each(ALL_MODES)("demo gateway ($mode, $response)", (options) => {
  const demo = useGateway(options);

  describe("token endpoint", () => {
    it("issues a Bearer token for client credentials sent as HTTP Basic", async () => {
      // Prepare
      const { gateway } = demo;

      // Act
      const response = await tokenRequest(
        gateway,
        { grant_type: "client_credentials" },
        `${gateway.clientId}:${gateway.clientSecret}`,
      );

      // Assess
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toEqual({ access_token: expect.any(String), token_type: "Bearer", expires_in: 3600 });
      expect(String(body.access_token).split(".")).toHaveLength(3);
      expect(gateway.stats().tokens_issued).toBe(1);
    });

    it("accepts the client credentials as form fields and counts every token it issues", async () => {
      // Prepare
      const { gateway } = demo;
      const form = {
        grant_type: "client_credentials",
        client_id: gateway.clientId,
        client_secret: gateway.clientSecret,
      };

      // Act
      const first = await tokenRequest(gateway, form);
      const second = await tokenRequest(gateway, form);

      // Assess
      expect([first.status, second.status]).toEqual([200, 200]);
      const tokens = await Promise.all([first.json(), second.json()]);
      expect(tokens[0]).not.toEqual(tokens[1]);
      expect((await adminGet<{ tokens_issued: number }>(gateway, "/admin/stats")).tokens_issued).toBe(2);
    });

    it("answers 401 invalid_client to a wrong secret or an unknown client, and issues nothing", async () => {
      // Prepare
      const { gateway } = demo;

      // Act
      const wrongSecret = await tokenRequest(gateway, { grant_type: "client_credentials" }, `${gateway.clientId}:nope`);
      const unknownClient = await tokenRequest(gateway, {
        grant_type: "client_credentials",
        client_id: "someone-else",
        client_secret: gateway.clientSecret,
      });

      // Assess
      expect(wrongSecret.status).toBe(401);
      expect(wrongSecret.headers.get("www-authenticate")).toBe("Basic");
      expect(await wrongSecret.json()).toMatchObject({ error: "invalid_client" });
      expect(unknownClient.status).toBe(401);
      expect(await unknownClient.json()).toMatchObject({ error: "invalid_client" });
      expect(gateway.stats().tokens_issued).toBe(0);
    });

    it("answers 400 to any grant but client_credentials and to a body that is not a form", async () => {
      // Prepare
      const { gateway } = demo;
      const credentials = `${gateway.clientId}:${gateway.clientSecret}`;

      // Act
      const passwordGrant = await tokenRequest(gateway, { grant_type: "password" }, credentials);
      const jsonBody = await fetch(gateway.tokenUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ grant_type: "client_credentials" }),
      });

      // Assess
      expect(passwordGrant.status).toBe(400);
      expect(await passwordGrant.json()).toMatchObject({ error: "unsupported_grant_type" });
      expect(jsonBody.status).toBe(400);
      expect(await jsonBody.json()).toMatchObject({ error: "invalid_request" });
    });
  });

  describe("bearer check on the MCP endpoint", () => {
    it("answers 401 invalid_token without a token or with one it did not issue", async () => {
      // Prepare
      const { gateway } = demo;

      // Act
      const missing = await postMcp(gateway, initializeMessage);
      const forged = await postMcp(gateway, initializeMessage, { bearer: "not-a-token-this-gateway-issued" });

      // Assess
      for (const response of [missing, forged]) {
        expect(response.status).toBe(401);
        expect(response.headers.get("www-authenticate")).toMatch(/^Bearer error="invalid_token"/);
        expect(await response.json()).toMatchObject({ error: "invalid_token" });
      }
    });

    it("answers 401 once tokens are revoked, and a fresh token works again", async () => {
      // Prepare
      const { gateway } = demo;
      const { client } = await demo.connect();
      const revoked = await fetch(`${gateway.origin}/admin/revoke-tokens`, { method: "POST" });
      expect(revoked.status).toBe(200);
      expect(await revoked.json()).toMatchObject({ revocations: 1 });

      // Act
      const rejected = await errorOf(
        callTool(client, "internal.create_note", { text: "hello", idempotency_key: "revoked-1" }),
      );
      const refreshed = await demo.connect(await accessToken(gateway));
      const result = await callTool(refreshed.client, "internal.create_note", {
        text: "hello",
        idempotency_key: "revoked-1",
      });

      // Assess
      expect(rejected).toMatchObject({ code: 401 });
      expect(result.isError).toBe(false);
      expect(gateway.calls().map((call) => call.http_status)).toEqual([401, 200]);
      expect(gateway.objects()).toHaveLength(1);
    });
  });

  describe("business tools", () => {
    it("lists every tool, each requiring an idempotency_key", async () => {
      // Prepare
      const { client } = await demo.connect();

      // Act
      const { tools } = await client.listTools();

      // Assess
      expect(tools.map((tool) => tool.name).sort()).toEqual([
        "calendar.create_event",
        "calendar.delete_event",
        "crm.create_task",
        "crm.delete_task",
        "demo.delete_record",
        "demo.fail_after_write",
        "demo.flaky",
        "demo.malformed",
        "demo.slow",
        "demo.throttled",
        "internal.create_note",
      ]);
      for (const tool of tools) expect(tool.inputSchema.required).toContain("idempotency_key");
    });

    it("crm.create_task creates one task and reports it in external_object_refs", async () => {
      // Prepare
      const { gateway } = demo;
      const { client } = await demo.connect();
      const task = { title: "Call back", account_id: "acct-1", due_date: "2026-12-01" };

      // Act
      const result = await callTool(client, "crm.create_task", { ...task, idempotency_key: "task-1" });

      // Assess
      expect(result.isError).toBe(false);
      const report = reportOf(result);
      expect(report).toEqual({ success: true, external_object_refs: [anyRef("crm", "task")] });
      const [stored] = gateway.objects();
      expect(stored).toMatchObject({ idempotency_key: "task-1", attributes: task, deleted: false });
      expect(report.external_object_refs).toEqual([
        { system: "crm", object_type: "task", object_id: stored?.object_id, object_url: stored?.object_url },
      ]);
    });

    it("replays the first outcome for a repeated idempotency_key and creates nothing new", async () => {
      // Prepare
      const { gateway } = demo;
      const { client } = await demo.connect();
      const task = { title: "Once", account_id: "acct-1", idempotency_key: "task-once" };

      // Act
      const first = reportOf(await callTool(client, "crm.create_task", task));
      const repeated = reportOf(await callTool(client, "crm.create_task", task));
      const otherKey = reportOf(await callTool(client, "crm.create_task", { ...task, idempotency_key: "task-twice" }));

      // Assess
      expect(repeated).toEqual(first);
      expect(otherKey).not.toEqual(first);
      expect(gateway.objects().map((object) => object.idempotency_key)).toEqual(["task-once", "task-twice"]);
    });

    it("crm.delete_task deletes once, replays its success, and reports NOT_FOUND for a task that is gone", async () => {
      // Prepare
      const { gateway } = demo;
      const { client } = await demo.connect();
      const created = reportOf(
        await callTool(client, "crm.create_task", { title: "Undo me", account_id: "a", idempotency_key: "c-1" }),
      );
      const [ref] = created.external_object_refs as { object_id: string }[];
      const deleteArgs = { object_id: ref?.object_id, idempotency_key: "d-1" };

      // Act
      const deleted = await callTool(client, "crm.delete_task", deleteArgs);
      const deletedAgain = await callTool(client, "crm.delete_task", deleteArgs);
      const otherKey = await callTool(client, "crm.delete_task", { ...deleteArgs, idempotency_key: "d-2" });
      const unknown = await callTool(client, "crm.delete_task", { object_id: "no-such-task", idempotency_key: "d-3" });

      // Assess
      expect(deleted.isError).toBe(false);
      expect(reportOf(deleted)).toEqual({ success: true, external_object_refs: created.external_object_refs });
      expect(reportOf(deletedAgain)).toEqual(reportOf(deleted));
      for (const failed of [otherKey, unknown]) {
        expect(failed.isError).toBe(true);
        expect(reportOf(failed)).toEqual({
          success: false,
          error_code: "NOT_FOUND",
          error_class: "VALIDATION",
          error_message: expect.any(String),
          external_object_refs: [],
        });
      }
      expect(gateway.objects()).toEqual([expect.objectContaining({ deleted: true, deleted_at: expect.any(String) })]);
    });

    it("calendar.create_event and calendar.delete_event act on calendar events only", async () => {
      // Prepare
      const { gateway } = demo;
      const { client } = await demo.connect();
      const task = reportOf(
        await callTool(client, "crm.create_task", { title: "A task", account_id: "a", idempotency_key: "t" }),
      );
      const [taskRef] = task.external_object_refs as { object_id: string }[];

      // Act
      const created = reportOf(
        await callTool(client, "calendar.create_event", {
          title: "Review",
          start: "2026-12-01T10:00:00Z",
          idempotency_key: "e-1",
        }),
      );
      const [eventRef] = created.external_object_refs as { object_id: string }[];
      const deleted = await callTool(client, "calendar.delete_event", {
        object_id: eventRef?.object_id,
        idempotency_key: "e-del",
      });
      const taskAsEvent = await callTool(client, "calendar.delete_event", {
        object_id: taskRef?.object_id,
        idempotency_key: "e-del-task",
      });

      // Assess
      expect(created).toEqual({ success: true, external_object_refs: [anyRef("calendar", "event")] });
      expect(deleted.isError).toBe(false);
      expect(reportOf(taskAsEvent)).toMatchObject({ success: false, error_code: "NOT_FOUND" });
      const deletedFlags = Object.fromEntries(gateway.objects().map((object) => [object.system, object.deleted]));
      expect(deletedFlags).toEqual({ crm: false, calendar: true });
    });

    it("internal.create_note answers with the legacy singular external_object_ref", async () => {
      // Prepare
      const { gateway } = demo;
      const { client } = await demo.connect();

      // Act
      const result = await callTool(client, "internal.create_note", { text: "FYI", idempotency_key: "note-1" });

      // Assess
      expect(result.isError).toBe(false);
      const report = reportOf(result);
      expect(report).toEqual({ success: true, external_object_ref: anyRef("internal", "note") });
      expect(report).not.toHaveProperty("external_object_refs");
      expect(gateway.objects()).toEqual([expect.objectContaining({ system: "internal", attributes: { text: "FYI" } })]);
    });

    it("rejects a call without idempotency_key as a tool error in plain text, creating nothing", async () => {
      // Prepare
      const { gateway } = demo;
      const { client } = await demo.connect();

      // Act
      const result = await callTool(client, "crm.create_task", { title: "No key", account_id: "a" });

      // Assess
      expect(result.isError).toBe(true);
      expect(result.content).toEqual([{ type: "text", text: expect.stringContaining("idempotency_key") }]);
      expect(result.structuredContent).toBeUndefined();
      expect(gateway.objects()).toEqual([]);
    });
  });

  describe("fault tools", () => {
    it("demo.flaky answers 503 for the first fail_times calls of a key, then creates exactly one record", async () => {
      // Prepare
      const { gateway } = demo;
      const { client } = await demo.connect();
      const args = { fail_times: 2, idempotency_key: "flaky-1" };

      // Act
      await expect(callTool(client, "demo.flaky", args)).rejects.toMatchObject({ code: 503 });
      await expect(callTool(client, "demo.flaky", args)).rejects.toMatchObject({ code: 503 });
      const succeeded = reportOf(await callTool(client, "demo.flaky", args));
      const replayed = reportOf(await callTool(client, "demo.flaky", args));

      // Assess
      expect(succeeded).toEqual({ success: true, external_object_refs: [anyRef("demo", "record")] });
      expect(replayed).toEqual(succeeded);
      expect(gateway.calls().map((call) => call.http_status)).toEqual([503, 503, 200, 200]);
      expect(gateway.objects()).toHaveLength(1);
    });

    it("demo.throttled always answers 429 with Retry-After and never reaches a tool", async () => {
      // Prepare
      const { gateway } = demo;
      const { client, transport } = await demo.connect();

      // Act
      const viaClient = await errorOf(callTool(client, "demo.throttled", { idempotency_key: "th-1" }));
      const raw = await postMcp(
        gateway,
        toolCallMessage("demo.throttled", { retry_after_seconds: 7, idempotency_key: "th-1" }),
        {
          bearer: demo.token,
          sessionId: transport.sessionId,
        },
      );

      // Assess
      expect(viaClient).toMatchObject({ code: 429 });
      expect(raw.status).toBe(429);
      expect(raw.headers.get("retry-after")).toBe("7");
      expect(gateway.calls().map((call) => call.http_status)).toEqual([429, 429]);
      expect(gateway.objects()).toEqual([]);
    });

    it("demo.slow answers after delay_ms and then succeeds", async () => {
      // Prepare
      const { gateway } = demo;
      const { client } = await demo.connect();
      const startedAt = performance.now();

      // Act
      const result = await callTool(client, "demo.slow", { delay_ms: 300, idempotency_key: "slow-1" });

      // Assess
      expect(performance.now() - startedAt).toBeGreaterThanOrEqual(290);
      expect(reportOf(result)).toEqual({ success: true, external_object_refs: [anyRef("demo", "record")] });
      expect(gateway.objects()).toHaveLength(1);
    });

    it("demo.slow still writes when the client gives up waiting, and a retry with the key replays it", async () => {
      // Prepare
      const { gateway } = demo;
      const { client, transport } = await demo.connect();
      const args = { delay_ms: 300, idempotency_key: "slow-timeout" };

      // Act
      const timedOut = await errorOf(
        postMcp(gateway, toolCallMessage("demo.slow", args), {
          bearer: demo.token,
          sessionId: transport.sessionId,
          // Stands in for the invoker's HTTP timeout.
          signal: AbortSignal.timeout(50),
        }).then((response) => response.text()),
      );
      await expect.poll(() => gateway.objects().length).toBe(1);
      const retried = reportOf(await callTool(client, "demo.slow", args));

      // Assess
      expect(timedOut).toBeInstanceOf(Error);
      expect(retried.external_object_refs).toEqual([
        expect.objectContaining({ object_id: gateway.objects()[0]?.object_id }),
      ]);
      expect(gateway.objects()).toHaveLength(1);
    });

    it("demo.fail_after_write reports a DOWNSTREAM failure naming the object it wrote, once per key", async () => {
      // Prepare
      const { gateway } = demo;
      const { client } = await demo.connect();

      // Act
      const result = await callTool(client, "demo.fail_after_write", { idempotency_key: "faw-1" });
      const repeated = await callTool(client, "demo.fail_after_write", { idempotency_key: "faw-1" });

      // Assess
      expect(result.isError).toBe(true);
      const report = reportOf(result);
      expect(report).toEqual({
        success: false,
        error_code: "DOWNSTREAM_FAILED_AFTER_WRITE",
        error_class: "DOWNSTREAM",
        error_message: expect.any(String),
        external_object_refs: [anyRef("demo", "record")],
      });
      expect(reportOf(repeated)).toEqual(report);
      const [written] = gateway.objects();
      expect(report.external_object_refs).toEqual([expect.objectContaining({ object_id: written?.object_id })]);
      expect(gateway.objects()).toHaveLength(1);
    });

    it("demo.malformed answers 200 with a body that is not JSON-RPC, which the SDK client rejects", async () => {
      // Prepare
      const { gateway } = demo;
      const { client, transport } = await demo.connect();
      const session = { bearer: demo.token, sessionId: transport.sessionId };

      // Act
      const notJsonRpc = await postMcp(gateway, toolCallMessage("demo.malformed", { idempotency_key: "m-1" }), session);
      const notJson = await postMcp(
        gateway,
        toolCallMessage("demo.malformed", { reply: "not_json", idempotency_key: "m-2" }),
        session,
      );
      const viaClient = await errorOf(callTool(client, "demo.malformed", { idempotency_key: "m-3" }));

      // Assess
      expect(notJsonRpc.status).toBe(200);
      expect(notJsonRpc.headers.get("content-type")).toBe("application/json");
      const parsed = (await notJsonRpc.json()) as Record<string, unknown>;
      expect(parsed).not.toHaveProperty("jsonrpc");
      expect(notJson.status).toBe(200);
      await expect(notJson.json()).rejects.toThrow(SyntaxError);
      expect(viaClient).toBeInstanceOf(Error);
      expect(gateway.objects()).toEqual([]);
    });
  });

  describe("admin endpoints", () => {
    it("GET /admin/calls lists each tools/call with its arguments, key, HTTP status and time", async () => {
      // Prepare
      const { gateway } = demo;
      const { client, transport } = await demo.connect();
      const args = { text: "logged", idempotency_key: "log-1" };

      // Act
      await callTool(client, "internal.create_note", args);
      await expect(callTool(client, "demo.throttled", { idempotency_key: "log-2" })).rejects.toThrow();
      const { calls } = await adminGet<{ calls: unknown[] }>(gateway, "/admin/calls");

      // Assess
      expect(calls).toEqual([
        {
          tool: "internal.create_note",
          arguments: args,
          idempotency_key: "log-1",
          http_status: 200,
          session_id: transport.sessionId ?? null,
          at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        },
        expect.objectContaining({ tool: "demo.throttled", idempotency_key: "log-2", http_status: 429 }),
      ]);
    });

    it("GET /admin/objects lists the store and each object_url serves its object", async () => {
      // Prepare
      const { gateway } = demo;
      const { client } = await demo.connect();
      await callTool(client, "crm.create_task", { title: "T", account_id: "a", idempotency_key: "o-1" });

      // Act
      const { objects } = await adminGet<{ objects: StoredObject[] }>(gateway, "/admin/objects");
      const byUrl = await fetch(objects[0]?.object_url ?? "");
      const unknown = await fetch(`${gateway.origin}/admin/objects/no-such-object`);

      // Assess
      expect(objects).toEqual([
        {
          system: "crm",
          object_type: "task",
          object_id: expect.any(String),
          object_url: expect.any(String),
          idempotency_key: "o-1",
          attributes: { title: "T", account_id: "a" },
          created_at: expect.any(String),
          deleted: false,
          deleted_at: null,
        },
      ]);
      expect(await byUrl.json()).toEqual(objects[0]);
      expect(unknown.status).toBe(404);
    });

    it("POST /admin/reset clears objects, idempotency records, calls and fault counters", async () => {
      // Prepare
      const { gateway } = demo;
      const { client } = await demo.connect();
      const flaky = { fail_times: 1, idempotency_key: "reset-1" };
      await expect(callTool(client, "demo.flaky", flaky)).rejects.toMatchObject({ code: 503 });
      await callTool(client, "demo.flaky", flaky);

      // Act
      const reset = await fetch(`${gateway.origin}/admin/reset`, { method: "POST" });

      // Assess
      expect(reset.status).toBe(200);
      expect(await reset.json()).toMatchObject({ tokens_issued: 0 });
      expect(await adminGet(gateway, "/admin/objects")).toEqual({ objects: [] });
      expect(await adminGet(gateway, "/admin/calls")).toEqual({ calls: [] });
      await expect(callTool(client, "demo.flaky", flaky)).rejects.toMatchObject({ code: 503 });
      await callTool(client, "demo.flaky", flaky);
      expect(gateway.objects()).toHaveLength(1);
    });
  });
});

describe.each(ALL_MODES.filter((options) => options.mode === "stateful"))(
  "stateful sessions ($response)",
  (options) => {
    const demo = useGateway(options);

    it("issues an mcp-session-id on initialize and answers 400 to a request without one", async () => {
      // Prepare
      const { gateway, token } = demo;

      // Act
      const initialized = await postMcp(gateway, initializeMessage, { bearer: token });
      await initialized.body?.cancel();
      const withoutSession = await postMcp(gateway, toolCallMessage("internal.create_note", {}), { bearer: token });

      // Assess
      expect(initialized.status).toBe(200);
      expect(initialized.headers.get("mcp-session-id")).toMatch(/^[0-9a-f-]{36}$/);
      expect(withoutSession.status).toBe(400);
      expect(gateway.stats().active_sessions).toBeGreaterThanOrEqual(1);
    });

    it("answers 404 for an expired session, and a new session then works", async () => {
      // Prepare
      const { gateway } = demo;
      const first = await demo.connect();
      const expiredId = first.transport.sessionId;
      expect(expiredId).toEqual(expect.any(String));
      const expired = await fetch(`${gateway.origin}/admin/expire-sessions`, { method: "POST" });
      expect(await expired.json()).toEqual({ expired: expect.any(Number) });

      // Act
      const gone = await errorOf(callTool(first.client, "internal.create_note", { text: "x", idempotency_key: "s-1" }));
      const second = await demo.connect();
      const result = await callTool(second.client, "internal.create_note", { text: "x", idempotency_key: "s-1" });

      // Assess
      expect(gone).toMatchObject({ code: 404 });
      expect(second.transport.sessionId).toEqual(expect.any(String));
      expect(second.transport.sessionId).not.toBe(expiredId);
      expect(result.isError).toBe(false);
      expect(gateway.calls().map((call) => [call.session_id, call.http_status])).toEqual([
        [expiredId, 404],
        [second.transport.sessionId, 200],
      ]);
    });
  },
);

describe.each(ALL_MODES.filter((options) => options.mode === "stateless"))("stateless ($response)", (options) => {
  const demo = useGateway(options);

  it("issues no session id, offers no GET stream, and has no sessions to expire", async () => {
    // Prepare
    const { gateway, token } = demo;
    const { client, transport } = await demo.connect();

    // Act
    const stream = await fetch(gateway.url, {
      headers: { accept: "text/event-stream", authorization: `Bearer ${token}` },
    });
    const expired = await gateway.expireSessions();
    const result = await callTool(client, "internal.create_note", { text: "still here", idempotency_key: "sl-1" });

    // Assess
    expect(transport.sessionId).toBeUndefined();
    expect(stream.status).toBe(405);
    expect(expired).toBe(0);
    expect(result.isError).toBe(false);
  });
});

describe("token lifetime and shutdown", () => {
  it("answers 401 'token expired' once tokenTtlSeconds have passed", async () => {
    // Prepare
    const gateway = await startDemoGateway({ mode: "stateless", response: "json", tokenTtlSeconds: 1 });
    try {
      const token = await accessToken(gateway);
      const fresh = await postMcp(gateway, initializeMessage, { bearer: token });
      await fresh.body?.cancel();

      // Act: JWT times are whole seconds, so wait past the next second boundary for certain.
      await sleep(2_100);
      const stale = await postMcp(gateway, initializeMessage, { bearer: token });

      // Assess
      expect(fresh.status).toBe(200);
      expect(stale.status).toBe(401);
      expect(stale.headers.get("www-authenticate")).toContain('error_description="token expired"');
    } finally {
      await gateway.stop();
    }
  });

  it("listens on the requested port, and stop() ends open streams and calls in flight and frees the port", async () => {
    // Prepare
    const port = await freePort();
    const gateway = await startDemoGateway({ mode: "stateful", response: "sse", port });
    const token = await accessToken(gateway);
    const transport = new StreamableHTTPClientTransport(new URL(gateway.url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    });
    const client = new Client({ name: "demo-gateway-test", version: "1.0.0" });
    await client.connect(transport);
    // Raw, because the SDK client leaves a request pending when its SSE reply stream breaks.
    const slow = postMcp(gateway, toolCallMessage("demo.slow", { delay_ms: 60_000, idempotency_key: "stop-1" }), {
      bearer: token,
      sessionId: transport.sessionId,
    }).then((response) => response.text());
    const settled = slow.catch((error: unknown) => `connection failed: ${String(error)}`);
    await expect.poll(() => gateway.calls().length).toBe(1);

    // Act
    const startedAt = performance.now();
    await gateway.stop();

    // Assess
    expect(gateway.url).toBe(`http://127.0.0.1:${port}/mcp`);
    expect(performance.now() - startedAt).toBeLessThan(2_000);
    expect(await settled).not.toContain('"result"');
    expect(gateway.objects()).toEqual([]);
    await expect(fetch(gateway.tokenUrl, { method: "POST" })).rejects.toThrow();
    await client.close();
  });
});
