// The operator CLI against a real local engine (one for the file), run in-process through runCli for speed
// and as a child process where the process boundary matters: help, a usage error, a command with no AWS
// credentials anywhere, and a deployed target reached through the SDK's credential chain and endpoints.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, describe, expect, inject, it } from "vitest";
import { keys } from "../functions/kernel/data-layout.ts";
import type { StackOutputs } from "../infra/stack-outputs.ts";
import { LOCAL_CREDENTIALS } from "../local/credentials.ts";
import { demoIntent } from "../local/demo-data.ts";
import { publicClient } from "../local/demo-scenarios.ts";
import { type LocalEndpoints, startLocalEngine } from "../local/engine.ts";
import type { ActionIntent, RegistryEntry } from "../schemas/records.ts";
import { commands } from "./commands/index.ts";
import type { CliIo } from "./output.ts";
import { runCli } from "./run.ts";

const stateDirectory = mkdtempSync(join(tmpdir(), "engine-cli-"));
const engine = await startLocalEngine({
  dynamodbEndpoint: inject("dynamodbEndpoint"),
  tablePrefix: "cli",
  stateDirectory,
  retryIntervalMs: 10,
});
afterAll(() => engine.stop());
const client = publicClient(engine);
const scratch = mkdtempSync(join(tmpdir(), "engine-cli-files-"));
const mainScript = new URL("./main.ts", import.meta.url).pathname;
/** A CLI process loads the SDK, Ajv and the MCP client: seconds on a busy machine. */
const processTimeoutMs = 60_000;

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command line in-process against the test engine (unless it names another target). */
async function cli(
  argv: string[],
  options: { stdin?: string; env?: Record<string, string>; noDir?: boolean } = {},
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    readStdin: async () => options.stdin ?? "",
    env: options.env ?? {},
    cwd: scratch,
  };
  const targeted = argv.some((arg) => ["--dir", "--stack", "--outputs"].includes(arg));
  const code = await runCli(targeted || options.noDir ? argv : [...argv, "--dir", stateDirectory], io);
  return { code, stdout, stderr };
}

/** Runs the CLI as `npm run engine` runs it: its own Node process, with only the environment given. */
function cliProcess(argv: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [mainScript, ...argv], {
      cwd: scratch,
      env: { PATH: process.env.PATH ?? "", HOME: scratch, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function writeJson(name: string, value: unknown): string {
  const file = join(scratch, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

/** A state directory whose endpoints file is the test engine's, changed: a stale or misconfigured engine. */
function endpointsCopy(name: string, change: (endpoints: LocalEndpoints) => void): string {
  const directory = join(scratch, name);
  mkdirSync(directory, { recursive: true });
  const endpoints = JSON.parse(readFileSync(join(stateDirectory, "endpoints.json"), "utf8")) as LocalEndpoints;
  change(endpoints);
  writeFileSync(join(directory, "endpoints.json"), JSON.stringify(endpoints));
  return directory;
}

let sequence = 0;
function freshIntent(fields: Partial<ActionIntent> = {}): ActionIntent {
  sequence += 1;
  return demoIntent({
    action_intent_id: `cli-intent-${Date.now()}-${sequence}`,
    tenant_id: "tenant-cli",
    account_id: "account-cli",
    action_type: "CREATE_INTERNAL_NOTE",
    parameters: { text: `note ${sequence}` },
    ...fields,
  });
}

async function executionOf(intent: Pick<ActionIntent, "tenant_id" | "action_intent_id">) {
  await engine.idle();
  const { Item } = await client.db.send(
    new GetCommand({
      TableName: client.tables.executions,
      Key: keys.execution(intent.tenant_id, intent.action_intent_id),
    }),
  );
  return Item;
}

async function controlsItem(key: { pk: string; sk: string }) {
  const { Item } = await client.db.send(new GetCommand({ TableName: client.tables.controls, Key: key }));
  return Item;
}

describe("help and usage", () => {
  it(
    "prints the overview, exit 0, as its own process",
    async () => {
      const run = await cliProcess(["--help"]);

      expect(run.code).toBe(0);
      for (const command of commands) expect(run.stdout).toContain(command.words.join(" "));
    },
    processTimeoutMs,
  );

  it("prints usage, options and an example for every command's --help", async () => {
    for (const command of commands) {
      const run = await cli([...command.words, "--help"]);

      expect(run.code, command.words.join(" ")).toBe(0);
      expect(run.stdout).toContain(`usage: npm run engine -- ${command.words.join(" ")}`);
      expect(run.stdout).toMatch(/Examples?:\n {2}npm run engine -- /);
      for (const option of Object.keys(command.options)) expect(run.stdout).toContain(`--${option}`);
    }
  });

  it(
    "refuses a command line it cannot run with exit 2, naming what was wrong, as its own process",
    async () => {
      const missing = await cliProcess(["approve"]);
      const unknown = await cliProcess(["aprove", "x.json"]);
      const badOption = await cliProcess(["registry", "list", "--tenent", "t1"]);

      expect(missing).toMatchObject({ code: 2, stdout: "" });
      expect(missing.stderr).toContain("engine approve: missing argument: <intent.json | - | intent-id>");
      expect(missing.stderr).toContain("usage: npm run engine -- approve");
      expect(unknown).toMatchObject({ code: 2 });
      expect(unknown.stderr).toContain('unknown command "aprove"');
      expect(badOption).toMatchObject({ code: 2 });
      expect(badOption.stderr).toContain("Unknown option '--tenent'");
    },
    processTimeoutMs,
  );

  it("refuses two targets at once, and a number out of range", async () => {
    const both = await cli(["registry", "list", "--dir", stateDirectory, "--stack", "dev"]);
    const timeout = await cli(["smoke", "--timeout", "0"]);

    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--dir and --stack");
    expect(timeout.code).toBe(2);
    expect(timeout.stderr).toContain('--timeout must be a whole number from 1 to 900, got "0"');
  });

  it("says the engine does not answer when its endpoints file outlived it", async () => {
    const stale = endpointsCopy("stale", (endpoints) => {
      endpoints.dynamodb.endpoint = "http://127.0.0.1:9";
    });

    const run = await cli(["registry", "list", "--dir", stale]);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`the local engine in ${stale} does not answer`);
    expect(run.stderr).toContain("start it again with `npm start`");
  });

  it("finds the engine through ENGINE_STATE_DIR, as npm start does, when --dir is not given", async () => {
    const run = await cli(["kill-switch", "status"], { env: { ENGINE_STATE_DIR: stateDirectory }, noDir: true });
    const elsewhere = await cli(["kill-switch", "status"], { noDir: true });

    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Kill switches of the local engine in ${stateDirectory}`);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain("no local engine is running with state directory .local");
  });

  it("says no engine runs where --dir points, with exit 1", async () => {
    const run = await cli(["registry", "list", "--dir", join(scratch, "nothing-here")]);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain("no local engine is running with state directory");
    expect(run.stderr).toContain("npm start");
  });
});

describe("approve", () => {
  it(
    "stores an intent from a file and approves it, with no AWS credentials anywhere (own process)",
    async () => {
      const intent = freshIntent();
      const file = writeJson("intent.json", intent);

      const run = await cliProcess(["approve", file, "--dir", stateDirectory]);

      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Stored and approved intent ${intent.action_intent_id}`);
      expect(run.stdout).toContain(`status ${intent.action_intent_id} --dir ${stateDirectory} --tenant tenant-cli`);
      expect(await executionOf(intent)).toMatchObject({ status: "SUCCEEDED" });
    },
    processTimeoutMs,
  );

  it("reads the intent from standard input with -", async () => {
    const intent = freshIntent();

    const run = await cli(["approve", "-", "--json"], { stdin: JSON.stringify(intent) });

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ action_intent_id: intent.action_intent_id, stored: true });
    expect(await executionOf(intent)).toMatchObject({ status: "SUCCEEDED" });
  });

  it("approves a stored intent again by id: the engine ignores the duplicate and calls the tool once", async () => {
    const intent = freshIntent({ parameters: { text: "approved twice by id" } });
    await client.storeIntent(intent);
    const first = await cli(["approve", intent.action_intent_id, "--tenant", intent.tenant_id]);
    await engine.idle();
    const runsBefore = engine.executions.length;

    const again = await cli(["approve", intent.action_intent_id, "--tenant", intent.tenant_id]);
    await engine.idle();

    expect([first.code, again.code]).toEqual([0, 0]);
    expect(again.stdout).toContain(`Approved intent ${intent.action_intent_id}`);
    expect(engine.executions.length).toBe(runsBefore + 1);
    expect(engine.executions.at(-1)?.path).toContain("DuplicateIgnored");
    expect(engine.gateway.calls().filter((call) => call.arguments.text === "approved twice by id")).toHaveLength(1);
  });

  it("fails when the bus refuses the entry, although PutEvents answers 200 (FailedEntryCount)", async () => {
    const wrongBus = endpointsCopy("wrong-bus", (endpoints) => {
      endpoints.eventBridge.busName = "no-such-bus";
    });
    const intent = freshIntent();

    const run = await cli(["approve", writeJson("wrong-bus-intent.json", intent), "--dir", wrongBus]);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`the bus no-such-bus refused the approval of ${intent.action_intent_id}`);
    expect(await executionOf(intent)).toBeUndefined();
  });

  it("refuses an id without --tenant (2), an id never stored (1), and an intent that breaks the contract (1)", async () => {
    const noTenant = await cli(["approve", "some-intent"]);
    const unknown = await cli(["approve", "never-stored", "--tenant", "tenant-cli"]);
    const invalid = await cli(["approve", writeJson("bad-intent.json", { ...freshIntent(), registry_version: "1" })]);

    expect(noTenant.code).toBe(2);
    expect(noTenant.stderr).toContain("--tenant is required with an intent id");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no intent never-stored of tenant tenant-cli");
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain("is not a valid action intent");
    expect(invalid.stderr).toContain("/registry_version");
  });
});

describe("registry", () => {
  const noteEntry = (fields: Partial<RegistryEntry> = {}) =>
    ({
      action_type: "CLI_NOTE",
      registry_version: 1,
      tool_name: "internal.create_note",
      tool_schema_version: "1",
      parameter_mapping: { text: { from: "/parameters/text" } },
      compensation_strategy: "NONE",
      ...fields,
    }) as RegistryEntry;

  it("lists the entries and gets the newest version of one", async () => {
    const list = await cli(["registry", "list"]);
    const get = await cli(["registry", "get", "CREATE_CRM_TASK", "--json"]);

    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/CREATE_CRM_TASK\s+1\s+crm\.create_task\s+AUTOMATIC crm\.delete_task/);
    expect(JSON.parse(get.stdout)).toMatchObject({ action_type: "CREATE_CRM_TASK", registry_version: 1 });
  });

  it("refuses to replace an existing version, naming the next free one", async () => {
    const replacement = {
      action_type: "CREATE_CRM_TASK",
      registry_version: 1,
      tool_name: "crm.create_task",
      tool_schema_version: "2",
      parameter_mapping: { title: { value: "changed" }, account_id: { from: "/account_id" } },
      compensation_strategy: "NONE",
    };

    const run = await cli(["registry", "put", writeJson("replace.json", replacement)]);
    const stored = await cli(["registry", "get", "CREATE_CRM_TASK", "1", "--json"]);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain("CREATE_CRM_TASK v1 already exists and versions are immutable");
    expect(run.stderr).toContain("Put it as version 2");
    expect(JSON.parse(stored.stdout)).toMatchObject({ tool_schema_version: "1" });
  });

  it("refuses a tool and a compensation tool the gateway does not list, naming each", async () => {
    const run = await cli([
      "registry",
      "put",
      writeJson(
        "unknown-tool.json",
        noteEntry({
          action_type: "CLI_UNKNOWN_TOOL",
          tool_name: "crm.no_such_tool",
          compensation_strategy: "AUTOMATIC",
          compensation_tool_name: "crm.no_such_undo",
        }),
      ),
    ]);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('the gateway has no tool "crm.no_such_tool" (tool_name)');
    expect(run.stderr).toContain('the gateway has no tool "crm.no_such_undo" (compensation_tool_name)');
    expect(run.stderr).toContain("crm.create_task");
    expect((await cli(["registry", "get", "CLI_UNKNOWN_TOOL"])).code).toBe(1);
  });

  it("refuses a mapping whose arguments break the tool's input schema, naming the field", async () => {
    const missingArgument = noteEntry({
      action_type: "CLI_BAD_MAPPING",
      tool_name: "crm.create_task",
      parameter_mapping: { title: { from: "/parameters/title" } },
    });
    const wrongType = noteEntry({ action_type: "CLI_BAD_MAPPING", parameter_mapping: { text: { value: 42 } } });

    const missing = await cli(["registry", "put", writeJson("missing-arg.json", missingArgument)]);
    const typed = await cli(["registry", "put", writeJson("wrong-type.json", wrongType)]);
    const sampled = await cli([
      "registry",
      "put",
      writeJson("sampled.json", noteEntry({ action_type: "CLI_BAD_MAPPING" })),
      "--sample-parameters",
      '{"text": ""}',
    ]);

    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('tool "crm.create_task" refuses the arguments parameter_mapping gives');
    expect(missing.stderr).toContain("account_id");
    expect(typed.code).toBe(1);
    expect(typed.stderr).toContain('tool "internal.create_note" refuses');
    expect(typed.stderr).toContain("/text");
    expect(sampled.code).toBe(1);
    expect(sampled.stderr).toContain("/text");
    expect((await cli(["registry", "get", "CLI_BAD_MAPPING"])).code).toBe(1);
  });

  it("accepts a good entry, which then carries an intent through the engine", async () => {
    const put = await cli(["registry", "put", writeJson("good.json", noteEntry())]);
    const intent = freshIntent({ action_type: "CLI_NOTE", parameters: { text: "via a CLI registry entry" } });
    const approved = await cli(["approve", writeJson("cli-note-intent.json", intent)]);

    expect(put.stderr).toBe("");
    expect(put.code).toBe(0);
    expect(put.stdout).toContain("Registered CLI_NOTE v1");
    expect(approved.code).toBe(0);
    expect(await executionOf(intent)).toMatchObject({ status: "SUCCEEDED", tool_name: "internal.create_note" });
    expect(engine.gateway.calls().some((call) => call.arguments.text === "via a CLI registry entry")).toBe(true);
  });
});

describe("kill-switch", () => {
  it("turns a tenant's switch on (executions end KILL_SWITCH) and off again", async () => {
    const on = await cli(["kill-switch", "on", "--tenant", "tenant-ks", "--reason", "incident 7"]);
    const status = await cli(["kill-switch", "status", "--tenant", "tenant-ks"]);
    const stopped = freshIntent({ tenant_id: "tenant-ks" });
    await cli(["approve", writeJson("stopped.json", stopped)]);
    const stoppedRecord = await executionOf(stopped);
    const off = await cli(["kill-switch", "off", "--tenant", "tenant-ks"]);
    const running = freshIntent({ tenant_id: "tenant-ks" });
    await cli(["approve", writeJson("running.json", running)]);

    expect(on.code).toBe(0);
    expect(on.stdout).toContain("Stopped: the kill switch is ON for tenant tenant-ks");
    expect(status.stdout).toContain("Executions of tenant tenant-ks: stopped for this tenant (tenant kill switch)");
    expect(stoppedRecord).toMatchObject({ status: "FAILED", error_class: "KILL_SWITCH" });
    expect(off.code).toBe(0);
    expect(await executionOf(running)).toMatchObject({ status: "SUCCEEDED" });
    expect(await controlsItem(keys.tenantControls("tenant-ks"))).toEqual({
      ...keys.tenantControls("tenant-ks"),
      tenant_id: "tenant-ks",
      kill_switch: false,
      updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      updated_by: "local",
    });
  });

  it("adds and removes one action type without touching the rest of the item", async () => {
    await cli(["kill-switch", "on", "--tenant", "tenant-types", "--reason", "whole tenant"]);
    const added = await cli([
      "kill-switch",
      "on",
      "--tenant",
      "tenant-types",
      "--action-type",
      "CREATE_CRM_TASK",
      "--reason",
      "CRM migration",
    ]);
    await cli(["kill-switch", "on", "--tenant", "tenant-types", "--action-type", "DEMO_SLOW", "--reason", "slow"]);
    const again = await cli([
      "kill-switch",
      "on",
      "--tenant",
      "tenant-types",
      "--action-type",
      "DEMO_SLOW",
      "--reason",
      "x",
    ]);
    await cli(["kill-switch", "off", "--tenant", "tenant-types"]);
    const removed = await cli(["kill-switch", "off", "--tenant", "tenant-types", "--action-type", "CREATE_CRM_TASK"]);
    const status = await cli(["kill-switch", "status", "--tenant", "tenant-types", "--json"]);

    expect(added.code).toBe(0);
    expect(again.stdout).toContain("Unchanged: action type DEMO_SLOW was already disabled");
    expect(removed.stdout).toContain("Resumed: action type CREATE_CRM_TASK is enabled again for tenant tenant-types");
    expect(JSON.parse(status.stdout).tenant).toMatchObject({
      tenant_id: "tenant-types",
      kill_switch: false,
      disabled_action_types: ["DEMO_SLOW"],
      updated_by: "local",
    });
  });

  it("writes the global item: the whole switch, and action types without --tenant", async () => {
    const on = await cli(["kill-switch", "on", "--reason", "incident 9"]);
    const onItem = await controlsItem(keys.globalControls());
    await cli(["kill-switch", "off"]);
    await cli(["kill-switch", "on", "--action-type", "DEMO_FLAKY", "--reason", "flaky tool"]);
    const status = await cli(["kill-switch", "status", "--tenant", "tenant-cli"]);
    await cli(["kill-switch", "off", "--action-type", "DEMO_FLAKY"]);
    const offItem = await controlsItem(keys.globalControls());

    expect(on.stdout).toContain("Stopped: the kill switch is ON for every tenant (global)");
    expect(onItem).toEqual({
      ...keys.globalControls(),
      kill_switch: true,
      reason: "incident 9",
      updated_at: expect.any(String),
      updated_by: "local",
    });
    expect(status.stdout).toContain("Executions of tenant tenant-cli: running, except DEMO_FLAKY (global)");
    expect(offItem).toMatchObject({ kill_switch: false, disabled_action_types: [] });
  });

  it("requires --reason to turn a switch on", async () => {
    const run = await cli(["kill-switch", "on", "--tenant", "tenant-ks"]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--reason is required");
  });
});

describe("status and executions", () => {
  it("reads an execution through the status API with a dev token, as a summary and as JSON", async () => {
    const intent = freshIntent({ account_id: "account-status" });
    await cli(["approve", writeJson("status.json", intent)]);
    await engine.idle();

    const summary = await cli(["status", intent.action_intent_id, "--tenant", intent.tenant_id]);
    const raw = await cli(["status", intent.action_intent_id, "--tenant", intent.tenant_id, "--json"]);
    const otherTenant = await cli(["status", intent.action_intent_id, "--tenant", "tenant-other"]);
    const noTenant = await cli(["status", intent.action_intent_id]);

    expect(summary.code).toBe(0);
    expect(summary.stdout).toContain(`${intent.action_intent_id}  SUCCEEDED`);
    expect(summary.stdout).toMatch(/tool\s+internal\.create_note/);
    expect(JSON.parse(raw.stdout)).toMatchObject({ action_intent_id: intent.action_intent_id, status: "SUCCEEDED" });
    expect(otherTenant.code).toBe(1);
    expect(otherTenant.stderr).toContain("the status API answered 404");
    expect(noTenant.code).toBe(2);
    expect(noTenant.stderr).toContain("--tenant is required");
  });

  it("lists an account's executions, newest first, one page at a time", async () => {
    const older = freshIntent({ account_id: "account-list" });
    const newer = freshIntent({ account_id: "account-list" });
    await cli(["approve", writeJson("older.json", older)]);
    await engine.idle();
    await cli(["approve", writeJson("newer.json", newer)]);
    await engine.idle();

    const page = await cli(["executions", "--account", "account-list", "--tenant", "tenant-cli", "--limit", "1"]);
    const all = await cli(["executions", "--account", "account-list", "--tenant", "tenant-cli", "--json"]);

    expect(page.code).toBe(0);
    expect(page.stdout).toContain(`${newer.action_intent_id}  SUCCEEDED`);
    expect(page.stdout).not.toContain(older.action_intent_id);
    expect(page.stdout).toContain("More: add --next-token ");
    expect(JSON.parse(all.stdout).executions.map((execution: ActionIntent) => execution.action_intent_id)).toEqual([
      newer.action_intent_id,
      older.action_intent_id,
    ]);
  });
});

describe("smoke", () => {
  it("passes every link on a working engine, and leaves the smoke tenant's switch on", async () => {
    const run = await cli(["smoke", "--json"]);
    const report = JSON.parse(run.stdout);

    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(report).toMatchObject({ ok: true, tenant_id: "smoke-tests" });
    expect(report.links).toHaveLength(8);
    expect(await executionOf({ tenant_id: "smoke-tests", action_intent_id: report.action_intent_id })).toMatchObject({
      status: "FAILED",
      error_class: "KILL_SWITCH",
    });
    expect(await controlsItem(keys.tenantControls("smoke-tests"))).toMatchObject({
      kill_switch: true,
      reason: "smoke test",
    });
  });

  it("names the registry link when the smoke action type is not registered", async () => {
    const run = await cli(["smoke", "--action-type", "NOT_REGISTERED"]);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain("BROKEN  registry: an action type to approve");
    expect(run.stderr).toContain('smoke failed at "registry: an action type to approve"');
    expect(run.stderr).toContain("no registry entry for action type NOT_REGISTERED");
  });

  it("names the status API link when the API does not answer, after every earlier link passed", async () => {
    const elsewhere = endpointsCopy("api-down", (endpoints) => {
      endpoints.httpApi.url = "http://127.0.0.1:9";
    });

    const run = await cli(["smoke", "--dir", elsewhere, "--timeout", "20"]);

    expect(run.code).toBe(1);
    expect(run.stdout.match(/^ {2}ok {4}/gm)).toHaveLength(7);
    expect(run.stderr).toContain('smoke failed at "status API -> authorizer -> status function: answers FAILED"');
    expect(run.stderr).toContain("the status API at http://127.0.0.1:9 does not answer");
  });
});

describe("a deployed target", () => {
  /** What `pulumi stack output --json` would print for a stack whose resources are the local engine's. */
  function outputsFile(): string {
    const { endpoints } = engine;
    const outputs: StackOutputs = {
      alarmTopicArn: "arn:aws:sns:us-east-1:000000000000:engine-local-alarms",
      apiUrl: `${endpoints.httpApi.url}/`,
      artifactsBucketName: endpoints.s3.bucket,
      dashboardUrl: "https://console.aws.amazon.com/cloudwatch/home",
      deadLetterQueueUrl: "https://sqs.us-east-1.amazonaws.com/000000000000/engine-local-dlq",
      eventBusName: endpoints.eventBridge.busName,
      gatewayClientId: endpoints.gateway.clientId,
      gatewayClientSecretArn: endpoints.secretsManager.gatewaySecretArn,
      gatewayTokenUrl: endpoints.gateway.tokenUrl,
      gatewayUrl: endpoints.gateway.url,
      stateMachineArn: `arn:aws:states:${endpoints.region}:000000000000:stateMachine:engine-local`,
      tableNames: endpoints.dynamodb.tables,
      triggerDetailType: endpoints.eventBridge.detailType,
      triggerSource: endpoints.eventBridge.source,
    };
    return writeJson("outputs.json", outputs);
  }

  /** The SDK's own configuration variables: credentials for its default chain, endpoints per service. */
  const sdkEnvironment = () => ({
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: engine.endpoints.dynamodb.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: engine.endpoints.eventBridge.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: engine.endpoints.secretsManager.endpoint,
  });

  it(
    "registers through the outputs and the default credential chain, reading the gateway secret itself",
    async () => {
      const entry = {
        action_type: "CLI_DEPLOYED_NOTE",
        registry_version: 1,
        tool_name: "internal.create_note",
        tool_schema_version: "1",
        parameter_mapping: { text: { from: "/parameters/text" } },
        compensation_strategy: "NONE",
      };
      const outputs = outputsFile();

      const put = await cliProcess(
        ["registry", "put", writeJson("deployed-entry.json", entry), "--outputs", outputs],
        sdkEnvironment(),
      );
      const intent = freshIntent({ action_type: "CLI_DEPLOYED_NOTE", parameters: { text: "deployed path" } });
      const approved = await cliProcess(
        ["approve", writeJson("deployed-intent.json", intent), "--outputs", outputs],
        sdkEnvironment(),
      );

      expect(put.stderr).toBe("");
      expect(put.code).toBe(0);
      expect(approved.code).toBe(0);
      expect(approved.stdout).toContain(`status ${intent.action_intent_id} --outputs ${outputs} --token <token>`);
      expect(await executionOf(intent)).toMatchObject({ status: "SUCCEEDED" });
    },
    processTimeoutMs,
  );

  it("needs a token for the status API, and says which outputs an older stack lacks", async () => {
    const noToken = await cli(["status", "some-intent", "--outputs", outputsFile()]);
    const { gatewayUrl: _url, triggerSource: _source, ...older } = JSON.parse(readFileSync(outputsFile(), "utf8"));
    const lacking = await cli(["registry", "list", "--outputs", writeJson("older-outputs.json", older)]);

    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain("--token (or ENGINE_TOKEN) is required against a deployed stack");
    expect(lacking.code).toBe(1);
    expect(lacking.stderr).toContain("lack gatewayUrl, triggerSource");
    expect(lacking.stderr).toContain("pulumi up");
  });

  it("says the Pulumi CLI is missing when --stack cannot run it", async () => {
    const run = await cli(["registry", "list", "--stack", "dev"], { env: { PATH: join(scratch, "no-bin") } });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain("--stack needs the Pulumi CLI, and `pulumi` is not on PATH");
    expect(run.stderr).toContain("--outputs");
  });
});
