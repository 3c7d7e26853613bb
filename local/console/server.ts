// The console's server, on loopback only: the page, a JSON API over what the engine keeps (executions,
// traces, logs, outcomes, alarms, the dashboard) and an event stream (SSE) of executions as they move.
// It reads the engine's data and changes nothing of it, except through the operator actions, which are
// the operator CLI's commands.
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { getExecution } from "../../functions/kernel/repositories/executions.ts";
import { LOCAL_CREDENTIALS } from "../credentials.ts";
import type { LocalEngine } from "../engine.ts";
import type { ExecutionFilter, ExecutionStatus, ExecutionSummary } from "./api-types.ts";
import { ASSETS_DIRECTORY } from "./assets.ts";
import { definitionGraph } from "./definition-graph.ts";
import { executionDetail } from "./execution-detail.ts";
import { createExecutionIndex } from "./execution-index.ts";
import { createExecutionStream } from "./execution-stream.ts";
import { alarmViews, dashboardView } from "./metrics-view.ts";
import { createOperatorActions, type KillSwitchRequest } from "./operator-actions.ts";
import { readOutcome } from "./outcome.ts";
import { createTelemetryIndex } from "./telemetry-index.ts";

export interface ConsoleOptions {
  /** 0 picks a free port. */
  port: number;
  engine: Omit<LocalEngine, "stop">;
  /** The engine's state directory, where the operator CLI finds it. */
  stateDirectory: string;
  /** Where the built page is (npm run console:build). */
  assetsDirectory?: string;
}

export interface LocalConsole {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const PAGE_LIMIT_MAX = 500;
const statuses: ExecutionStatus[] = ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT"];
const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
  ".txt": "text/plain; charset=utf-8",
};

class RequestError extends Error {
  override name = "RequestError";
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  response.end(text);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function filterOf(query: URLSearchParams): ExecutionFilter {
  const status = query.get("status") || undefined;
  if (status !== undefined && !statuses.includes(status as ExecutionStatus)) {
    throw new RequestError(400, `status must be one of ${statuses.join(", ")}`);
  }
  return {
    ...(query.get("tenant") ? { tenant: query.get("tenant") as string } : {}),
    ...(query.get("account") ? { account: query.get("account") as string } : {}),
    ...(status ? { status: status as ExecutionStatus } : {}),
    ...(query.get("actionType") ? { actionType: query.get("actionType") as string } : {}),
  };
}

export async function startConsole(options: ConsoleOptions): Promise<LocalConsole> {
  const { engine } = options;
  const assets = options.assetsDirectory ?? ASSETS_DIRECTORY;
  const index = createExecutionIndex();
  // Executions of earlier runs on this state directory, as their traces kept them.
  for (const document of engine.telemetry.documents) index.earlierRun(document);
  for (const report of engine.executions) index.report(report);
  const telemetry = createTelemetryIndex(engine.telemetry);
  const graph = definitionGraph(engine.definition);
  const operator = createOperatorActions(options.stateDirectory);
  const s3 = new S3Client({
    endpoint: engine.endpoints.s3.endpoint,
    region: engine.endpoints.region,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
  });
  const stream = createExecutionStream();

  /**
   * A failed execution's error class, from its record when its own states did not carry it (a FAILED
   * outcome leaves RecordOutcome as an error naming only the code). Read once per execution, and only for
   * executions a page shows or is watching, so an engine nobody looks at does no extra reads.
   */
  const asked = new Set<string>();
  const learnErrorClass = (summary: ExecutionSummary) => {
    if (summary.status !== "FAILED" || summary.errorClass || summary.earlierRun || asked.has(summary.id)) return;
    asked.add(summary.id);
    void (async () => {
      const target = await operator.target();
      const record = await getExecution(target.db, target.tables.executions, summary.tenantId, summary.actionIntentId);
      if (record?.execution_id !== summary.executionArn || !record.error_class) return;
      const enriched = index.enrich(summary.id, { errorClass: record.error_class });
      if (enriched) stream.changed(enriched);
    })().catch(() => asked.delete(summary.id));
  };
  const unwatch = engine.watchExecutions({
    transition: (_transition, report) => stream.changed(index.report(report)),
    ended: (report) => {
      const summary = index.report(report);
      stream.changed(summary);
      if (stream.watched()) learnErrorClass(summary);
    },
  });

  const detailSources = {
    index,
    telemetry,
    liveTraceId: engine.telemetry.traceIdOf,
    graph,
    outcome: async (intent: { tenantId: string; actionIntentId: string }) => {
      const target = await operator.target();
      return readOutcome({ db: target.db, tables: target.tables, s3 }, intent);
    },
    gatewayUrls: [engine.endpoints.gateway.url, engine.endpoints.gateway.tokenUrl],
  };

  const routes: Record<string, (request: IncomingMessage, url: URL, response: ServerResponse) => Promise<void>> = {
    "GET /api/executions": async (_request, url, response) => {
      const limit = Math.min(Number(url.searchParams.get("limit") ?? 50) || 50, PAGE_LIMIT_MAX);
      const before = url.searchParams.get("before") ?? undefined;
      const page = index.page(filterOf(url.searchParams), { limit, ...(before ? { before } : {}) });
      for (const summary of page.executions) learnErrorClass(summary);
      sendJson(response, 200, page);
    },
    "GET /api/events": async (request, _url, response) => stream.connect(request, response),
    "GET /api/graph": async (_request, _url, response) => sendJson(response, 200, graph),
    "GET /api/alarms": async (_request, _url, response) =>
      sendJson(response, 200, alarmViews(engine.alarms(), engine.telemetry.datapoints, Date.now())),
    "GET /api/dashboard": async (_request, url, response) => {
      const now = Date.now();
      const period = url.searchParams.get("period");
      const periodOverride = period ? Number(period) : undefined;
      if (periodOverride !== undefined && !(Number.isInteger(periodOverride) && periodOverride >= 10)) {
        throw new RequestError(400, "period must be a whole number of seconds, 10 or more");
      }
      const states = Object.fromEntries(
        alarmViews(engine.alarms(), engine.telemetry.datapoints, now).map((alarm) => [alarm.name, alarm.state]),
      );
      sendJson(
        response,
        200,
        dashboardView(engine.dashboard(), engine.telemetry.datapoints, states, now, periodOverride),
      );
    },
    "GET /api/operate": async (_request, _url, response) => sendJson(response, 200, await operator.view()),
    "POST /api/approve": async (request, _url, response) => {
      const result = await operator.approve(await readBody(request));
      sendJson(response, result.ok ? 200 : 400, result);
    },
    "POST /api/kill-switch": async (request, _url, response) => {
      let change: KillSwitchRequest;
      try {
        change = JSON.parse(await readBody(request)) as KillSwitchRequest;
      } catch {
        throw new RequestError(400, "the body must be JSON: { on, tenant?, actionType?, reason? }");
      }
      const result = await operator.killSwitch(change);
      sendJson(response, result.ok ? 200 : 400, result);
    },
    "POST /api/registry": async (request, _url, response) => {
      const result = await operator.putRegistryEntry(await readBody(request));
      sendJson(response, result.ok ? 200 : 400, result);
    },
  };

  const serveAsset = async (path: string, response: ServerResponse) => {
    const file = normalize(join(assets, path === "/" ? "index.html" : path.replace(/^\/assets\//, "")));
    if (!file.startsWith(normalize(assets))) throw new RequestError(404, "not found");
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      if (path === "/" || path.startsWith("/assets/")) {
        response.writeHead(503, { "content-type": "text/plain; charset=utf-8" });
        response.end(`The console page is not built (${file} is missing): run \`npm run console:build\`.\n`);
        return;
      }
      throw new RequestError(404, "not found");
    }
    response.writeHead(200, {
      "content-type": contentTypes[extname(file)] ?? "application/octet-stream",
      "cache-control": "no-cache",
    });
    response.end(body);
  };

  /** The console's own hosts: anything else is another site's page, or a DNS name rebound to loopback. */
  let hosts: string[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const method = request.method ?? "GET";
    const handle = async () => {
      if (!hosts.includes(request.headers.host ?? "")) throw new RequestError(421, "not this console's host");
      // Only pages of this console may act: a page from elsewhere cannot set a JSON content type
      // without a preflight this server never grants, nor forge its Origin.
      if (method !== "GET") {
        const requestOrigin = request.headers.origin;
        if (requestOrigin !== undefined && !hosts.some((host) => requestOrigin === `http://${host}`)) {
          throw new RequestError(403, "cross-origin request");
        }
        if (!String(request.headers["content-type"] ?? "").startsWith("application/json")) {
          throw new RequestError(415, "send application/json");
        }
      }
      const detail = /^\/api\/executions\/([A-Za-z0-9-]+)$/.exec(url.pathname);
      if (method === "GET" && detail) {
        const found = await executionDetail(detailSources, detail[1] as string);
        if (!found) throw new RequestError(404, `no execution ${detail[1]}`);
        return sendJson(response, 200, found);
      }
      const route = routes[`${method} ${url.pathname}`];
      if (route) return route(request, url, response);
      if (method === "GET" && !url.pathname.startsWith("/api/")) {
        // Views are addressed by the fragment, so every other path is the page or one of its files.
        return serveAsset(url.pathname.startsWith("/assets/") ? url.pathname : "/", response);
      }
      throw new RequestError(404, `no route ${method} ${url.pathname}`);
    };
    handle().catch((error: unknown) => {
      if (response.headersSent) return response.destroy();
      if (error instanceof RequestError) return sendJson(response, error.status, { message: error.message });
      sendJson(response, 500, { message: (error as Error).message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  hosts = [`127.0.0.1:${port}`, `localhost:${port}`];

  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    async stop() {
      unwatch();
      stream.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await operator.close();
      s3.destroy();
    },
  };
}
