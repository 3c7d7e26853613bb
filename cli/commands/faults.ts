// faults show | faults set <profile.yaml | -> | faults clear: the local engine's fault injection, changed
// while it runs (local/faults/). A deployed stack has none: AWS Fault Injection Service plays faults there.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { FaultPlanState } from "../../local/faults/index.ts";
import type { Command, CommandContext } from "../command.ts";
import { OperationError, UsageError } from "../errors.ts";

async function adminOf(context: CommandContext): Promise<string> {
  const target = await context.target();
  if (!target.faultsAdmin) {
    throw new UsageError(
      `${target.description} has no fault injection: only the local engine (npm start) injects faults; on AWS, use AWS Fault Injection Service`,
    );
  }
  return target.faultsAdmin;
}

async function send(admin: string, init: RequestInit): Promise<FaultPlanState> {
  let response: Response;
  try {
    response = await fetch(admin, init);
  } catch (error) {
    throw new OperationError(`the local engine's fault admin endpoint ${admin} did not answer: restart the engine`, {
      cause: error,
    });
  }
  const body = (await response.json()) as FaultPlanState & { error?: string };
  if (!response.ok) throw new OperationError(body.error ?? `the fault admin endpoint answered ${response.status}`);
  return body;
}

function describe(context: CommandContext, state: FaultPlanState): void {
  if (context.json) {
    context.out.json(state);
    return;
  }
  if (!state.profile) {
    context.out.say("No faults are injected.");
    return;
  }
  const since = state.appliedAt === undefined ? "" : `, applied ${new Date(state.appliedAt).toISOString()}`;
  context.out.say(
    `${state.profile.faults.length} fault(s), seed ${state.seed}${since}${state.profile.description ? `: ${state.profile.description}` : ""}`,
    ...state.injected.map((fault) => `  ${String(fault.injected).padStart(6)} injected  ${fault.label}`),
  );
}

export const faultsShow: Command = {
  words: ["faults", "show"],
  summary: "the faults the local engine injects now, and how often each was injected",
  synopsis: "",
  positionals: { min: 0, max: 0 },
  options: {},
  examples: ["faults show", "faults show --json"],
  async run(context) {
    describe(context, await send(await adminOf(context), { method: "GET" }));
  },
};

export const faultsSet: Command = {
  words: ["faults", "set"],
  summary: "inject the faults of a profile from now on, in place of any others",
  synopsis: "<profile.yaml | profile.json | ->",
  positionals: { min: 1, max: 1 },
  details: [
    "A profile lists faults, each with a service (lambda, dynamodb, s3, secretsmanager, eventbridge, " +
      "gateway), a kind, a rate, and optionally a target, the calling function, an operation, a window and a " +
      "latency; see chaos/profiles/ for examples. The engine checks it against its schema and against the " +
      "functions, tables and tools it has, and refuses it whole naming what is wrong. Windows count from now.",
  ],
  options: {},
  examples: ["faults set chaos/profiles/crash-20.yaml", "faults set - < my-profile.json"],
  async run(context) {
    const [argument] = context.positionals as [string];
    let text: string;
    try {
      text =
        argument === "-" ? await context.io.readStdin() : await readFile(resolve(context.io.cwd, argument), "utf8");
    } catch (error) {
      throw new UsageError(`cannot read the profile ${argument}: ${(error as Error).message}`);
    }
    describe(context, await send(await adminOf(context), { method: "PUT", body: text }));
  },
};

export const faultsClear: Command = {
  words: ["faults", "clear"],
  summary: "stop injecting faults",
  synopsis: "",
  positionals: { min: 0, max: 0 },
  options: {},
  examples: ["faults clear"],
  async run(context) {
    describe(context, await send(await adminOf(context), { method: "DELETE" }));
  },
};
