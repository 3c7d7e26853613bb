// The console's operator actions are the operator CLI's commands, run in-process against this engine's
// state directory with --json: the same contract checks, the same writes and the same refusals as
// `npm run engine -- approve | kill-switch on|off | registry put`. Reads use the CLI's own readers.
import { resolve } from "node:path";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { type Controls, readControls } from "../../cli/controls.ts";
import { listEntries } from "../../cli/registry.ts";
import { runCli } from "../../cli/run.ts";
import { resolveTarget, type Target } from "../../cli/target.ts";
import type { ActionResult, ControlsView, OperateView } from "./api-types.ts";

export interface KillSwitchRequest {
  on: boolean;
  tenant?: string;
  actionType?: string;
  reason?: string;
}

/** What the CLI printed on standard error, less its usage lines: the refusal itself. */
function refusalOf(stderr: string): string {
  const message = stderr.split(/\nusage: /)[0] ?? stderr;
  return message.replace(/^engine [a-z -]+: /, "").trim();
}

const controlsView = (controls: Controls | undefined, tenant?: string): ControlsView => ({
  ...(tenant === undefined ? {} : { tenant }),
  killSwitch: controls?.kill_switch ?? false,
  disabledActionTypes: controls?.disabled_action_types ?? [],
  ...(controls?.reason ? { reason: controls.reason } : {}),
  ...(controls?.updated_at ? { updatedAt: controls.updated_at } : {}),
  ...(controls?.updated_by ? { updatedBy: controls.updated_by } : {}),
});

export function createOperatorActions(stateDirectory: string) {
  const directory = resolve(stateDirectory);
  const io = (stdin = "") => {
    let stdout = "";
    let stderr = "";
    return {
      io: {
        stdout: (text: string) => {
          stdout += text;
        },
        stderr: (text: string) => {
          stderr += text;
        },
        readStdin: async () => stdin,
        env: {},
        cwd: process.cwd(),
      },
      output: () => ({ stdout, stderr }),
    };
  };
  const run = async (argv: string[], stdin?: string): Promise<ActionResult> => {
    const { io: cliIo, output } = io(stdin);
    const exitCode = await runCli([...argv, "--json", `--dir=${directory}`], cliIo);
    const { stdout, stderr } = output();
    if (exitCode !== 0) return { ok: false, exitCode, message: refusalOf(stderr) };
    return { ok: true, exitCode, result: JSON.parse(stdout) as unknown };
  };
  let target: Promise<Target> | undefined;
  const readTarget = () => {
    target ??= resolveTarget({ dir: directory }, io().io);
    return target;
  };

  return {
    /** The CLI's view of this engine, for the console's own reads. */
    target: readTarget,
    /** `approve -`: the intent is checked against the contract, stored and approved. */
    approve: (intentJson: string) => run(["approve", "-"], intentJson),
    /** `kill-switch on|off [--tenant] [--action-type] [--reason]`. */
    killSwitch: (request: KillSwitchRequest) =>
      run([
        "kill-switch",
        request.on ? "on" : "off",
        ...(request.tenant ? [`--tenant=${request.tenant}`] : []),
        ...(request.actionType ? [`--action-type=${request.actionType}`] : []),
        ...(request.reason === undefined ? [] : [`--reason=${request.reason}`]),
      ]),
    /** `registry put -`: checked against the contract and the gateway's tools; versions never replaced. */
    putRegistryEntry: (entryJson: string) => run(["registry", "put", "-"], entryJson),
    /** The global switch, every tenant's that was ever set, and the registry's entries. */
    async view(): Promise<OperateView> {
      const current = await readTarget();
      const { Items } = await current.db.send(
        new ScanCommand({ TableName: current.tables.controls, ProjectionExpression: "tenant_id" }),
      );
      const tenants = (Items ?? [])
        .map((item) => item.tenant_id)
        .filter((tenant): tenant is string => typeof tenant === "string")
        .sort();
      const controls = await Promise.all([
        readControls(current).then((global) => controlsView(global)),
        ...tenants.map(async (tenant) => controlsView(await readControls(current, tenant), tenant)),
      ]);
      return { controls, registry: (await listEntries(current)) as unknown as Record<string, unknown>[] };
    },
    async close() {
      (await target?.catch(() => undefined))?.close();
    },
  };
}

export type OperatorActions = ReturnType<typeof createOperatorActions>;
