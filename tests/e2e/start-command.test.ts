// `npm start` as a person runs it (node local/start.ts, which npm start runs after generating the
// validators): a machine without Java hears what to install, and Ctrl-C, sent as a terminal sends it to the
// whole foreground process group (DynamoDB Local's Java included), lets the execution in flight finish.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { keys } from "../../functions/kernel/data-layout.ts";
import { approvalEntry } from "../../infra/trigger.ts";
import { demoIntent } from "../../local/demo-data.ts";
import type { LocalEndpoints } from "../../local/engine.ts";
import { localPorts } from "../../local/ports.ts";
import { LOCK_FILE } from "../../local/state-directory.ts";

const startScript = new URL("../../local/start.ts", import.meta.url).pathname;
/** Every port 0: this engine must not collide with another on the machine. */
const anyPorts = Object.fromEntries(Object.values(localPorts).map((port) => [port.env, "0"]));

interface StartProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves once stdout has printed a line matching `pattern`. */
  printed(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

function runStart(args: string[], env: NodeJS.ProcessEnv): StartProcess {
  // Its own process group, so that a signal to the group reaches every process of it, as a terminal's does.
  const child = spawn(process.execPath, [startScript, ...args], { env, detached: true, stdio: "pipe" });
  let output = "";
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const collect = (chunk: Buffer) => {
    output += String(chunk);
    for (const waiter of waiters.splice(0)) {
      if (waiter.pattern.test(output)) waiter.resolve();
      else waiters.push(waiter);
    }
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = once(child, "exit").then(([code]) => code as number | null);
  return {
    child,
    output: () => output,
    printed: (pattern, timeoutMs = 120_000) =>
      new Promise((resolve, reject) => {
        if (pattern.test(output)) return resolve();
        const timer = setTimeout(
          () => reject(new Error(`no ${pattern} within ${timeoutMs} ms in:\n${output}`)),
          timeoutMs,
        );
        waiters.push({
          pattern,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        void exited.then(() => setTimeout(() => reject(new Error(`exited before ${pattern}:\n${output}`)), 50));
      }),
    exited,
  };
}

describe("npm start", () => {
  it("names what to install when there is no Java, and leaves the state directory unlocked", async () => {
    // Prepare
    const directory = mkdtempSync(join(tmpdir(), "start-no-java-"));
    const noJava = mkdtempSync(join(tmpdir(), "no-java-"));

    // Act
    const start = runStart(["--dir", directory], { ...anyPorts, PATH: noJava });
    const code = await start.exited;

    // Assess
    expect(code).toBe(1);
    expect(start.output()).toContain(
      "The engine could not start: DynamoDB Local needs Java 17 or newer, and there is no java on PATH: install a JRE (Debian: apt-get install openjdk-17-jre-headless",
    );
    expect(start.output()).not.toContain("ENOENT");
    expect(existsSync(join(directory, LOCK_FILE))).toBe(false);
  }, 60_000);

  it("lets the execution in flight finish on Ctrl-C, then stops everything and releases the directory", async () => {
    // Prepare
    const directory = mkdtempSync(join(tmpdir(), "start-ctrl-c-"));
    const start = runStart(["--dir", directory], { ...process.env, ...anyPorts });
    await start.printed(/intent-demo-\d+\s+ended\s+SUCCEEDED/);
    const endpoints = JSON.parse(readFileSync(join(directory, "endpoints.json"), "utf8")) as LocalEndpoints;
    const credentials = { accessKeyId: "local", secretAccessKey: "local" };
    const dynamodb = new DynamoDBClient({
      endpoint: endpoints.dynamodb.endpoint,
      region: endpoints.region,
      credentials,
    });
    const slow = demoIntent({
      action_intent_id: `intent-slow-${Date.now()}`,
      tenant_id: "tenant-demo",
      account_id: "account-demo",
      action_type: "DEMO_SLOW",
      parameters: { delay_ms: 2500 },
    });
    await DynamoDBDocumentClient.from(dynamodb).send(
      new PutCommand({
        TableName: endpoints.dynamodb.tables.intents,
        Item: { ...keys.intent(slow.tenant_id, slow.action_intent_id), ...slow },
      }),
    );
    await new EventBridgeClient({
      endpoint: endpoints.eventBridge.endpoint,
      region: endpoints.region,
      credentials,
    }).send(new PutEventsCommand({ Entries: [approvalEntry(endpoints.eventBridge, slow)] }));
    await start.printed(new RegExp(`${slow.action_intent_id}\\s+entered\\s+InvokeTool`));

    // Act
    process.kill(-(start.child.pid as number), "SIGINT");
    const code = await start.exited;

    // Assess
    const output = start.output();
    expect(code).toBe(0);
    expect(output).toContain(
      "Waiting for 1 execution in flight to finish (at most 30 s; Ctrl-C again stops at once)...",
    );
    const waiting = output.indexOf("Waiting for 1 execution");
    const ended = output.search(new RegExp(`${slow.action_intent_id}\\s+ended\\s+SUCCEEDED`));
    expect(ended).toBeGreaterThan(waiting);
    expect(output.indexOf("Stopping...")).toBeGreaterThan(ended);
    expect(existsSync(join(directory, LOCK_FILE))).toBe(false);
    expect(existsSync(join(directory, "endpoints.json"))).toBe(false);
    // DynamoDB Local, which the Ctrl-C reached too, served the execution to its end and is stopped now.
    await expect(dynamodb.send(new ListTablesCommand({}))).rejects.toThrow();
    dynamodb.destroy();
  }, 180_000);
});
