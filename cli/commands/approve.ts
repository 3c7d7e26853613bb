// approve <intent.json | - | intent-id>: what the decision layer does once an intent is approved. A file
// (or standard input) is checked against the intent contract and stored first; an id re-approves an
// intent already stored, read back for its account.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { ActionIntent } from "../../schemas/records.ts";
import { type Command, type CommandContext, checkIdentifier, PROGRAM } from "../command.ts";
import { OperationError, UsageError } from "../errors.ts";
import { parseIntent, publishApproval, readIntent, storeIntent } from "../intents.ts";
import { fieldLines } from "../output.ts";

/** A path names a file; anything else that is an identifier names a stored intent. */
const looksLikeFile = (argument: string) => argument.endsWith(".json") || argument.includes("/");

async function intentFrom(
  context: CommandContext,
  argument: string,
): Promise<{ intent: ActionIntent; stored: boolean }> {
  const { io } = context;
  const file = argument === "-" ? undefined : resolve(io.cwd, argument);
  if (argument === "-" || looksLikeFile(argument) || (file !== undefined && existsSync(file))) {
    if (context.string("tenant") !== undefined) {
      throw new UsageError("--tenant goes with an intent id; an intent file names its own tenant_id");
    }
    let text: string;
    try {
      text = argument === "-" ? await io.readStdin() : await readFile(file as string, "utf8");
    } catch (error) {
      throw new OperationError(`cannot read ${argument}: ${(error as Error).message}`, { cause: error });
    }
    const intent = parseIntent(text, argument === "-" ? "standard input" : argument);
    await storeIntent(await context.target(), intent);
    return { intent, stored: true };
  }
  const id = checkIdentifier("intent-id", argument);
  const tenant = context.identifier("tenant");
  if (tenant === undefined) {
    throw new UsageError(
      `--tenant is required with an intent id ("${argument}" is not a file): intents are stored per tenant`,
    );
  }
  return { intent: await readIntent(await context.target(), tenant, id), stored: false };
}

export const approve: Command = {
  words: ["approve"],
  summary: "store an action intent (from a file) and approve it, or approve a stored intent again",
  synopsis: "<intent.json | - | intent-id> [--tenant <id>]",
  positionals: { min: 1, max: 1 },
  details: [
    "A file (or - for standard input) must be an action intent as the contract describes it " +
      "(action_intent_id, tenant_id, account_id, action_type, parameters, registry_version, trace_id, " +
      "expires_at_epoch). It is stored in the intents table, then the approval event is published to the " +
      "engine's bus, which starts one execution. An intent id alone needs --tenant and approves the stored " +
      "intent again (a repeated approval of an intent that already ran is ignored by the engine).",
  ],
  options: {
    tenant: { type: "string", value: "id", description: "the tenant of a stored intent given by id" },
  },
  examples: ["approve my-intent.json", "approve intent-0042 --tenant tenant-demo"],
  async run(context) {
    const [argument] = context.positionals as [string];
    const { intent, stored } = await intentFrom(context, argument);
    const target = await context.target();
    const eventId = await publishApproval(target, intent);
    const expired = intent.expires_at_epoch <= Math.floor(Date.now() / 1000);
    if (context.json) {
      context.out.json({
        action_intent_id: intent.action_intent_id,
        tenant_id: intent.tenant_id,
        stored,
        event_id: eventId,
      });
      return;
    }
    context.out.say(
      `${stored ? "Stored and approved" : "Approved"} intent ${intent.action_intent_id} (${target.description}):`,
      ...fieldLines({
        tenant: intent.tenant_id,
        account: intent.account_id,
        "action type": `${intent.action_type} v${intent.registry_version}`,
        event: eventId,
      }),
      ...(expired ? ["Note: its expires_at_epoch has passed, so the execution will end EXPIRED."] : []),
      `Its status: ${PROGRAM} status ${intent.action_intent_id}${context.targetFlags} ` +
        (target.local ? `--tenant ${intent.tenant_id}` : "--token <token>"),
    );
  },
};
