// 4. Status API under load: autocannon, in its own process, against the local engine's HTTP API (JWT
// checked like API Gateway's authorizer, the status-api bundle in its worker, DynamoDB Local behind it),
// with one fixed token. Two reads: one execution's status, and one account's list of 100 executions.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createRequire } from "node:module";
import { round } from "./stats.ts";

export interface StatusLoadRow {
  name: string;
  path: string;
  connections: number;
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers other than 2xx, plus connection errors and timeouts. */
  failures: number;
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}

const autocannonCli = createRequire(import.meta.url).resolve("autocannon/autocannon.js");

export async function runAutocannon(
  name: string,
  url: string,
  token: string,
  options: { connections: number; seconds: number },
): Promise<StatusLoadRow> {
  const child = spawn(
    process.execPath,
    [
      autocannonCli,
      "--json",
      "--no-progress",
      "--connections",
      String(options.connections),
      "--duration",
      String(options.seconds),
      "--headers",
      `authorization=Bearer ${token}`,
      url,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += String(chunk);
  });
  child.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const [code] = (await once(child, "exit")) as [number | null];
  const line = stdout.trim().split("\n").at(-1);
  if (code !== 0 || !line) throw new Error(`autocannon exited with ${code}: ${stderr.trim()}`);
  const result = JSON.parse(line) as AutocannonResult;
  return {
    name,
    path: new URL(url).pathname + new URL(url).search,
    connections: options.connections,
    seconds: round(result.duration, 1),
    requests: result.requests.total,
    requestsPerSecond: round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

/** Requests before the measured run, so the first samples are not the status worker's JIT. */
export async function warmUp(url: string, token: string, requests = 50): Promise<void> {
  for (let index = 0; index < requests; index++) {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${url} answered ${response.status} during warm-up`);
  }
}
