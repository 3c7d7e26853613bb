// smoke: proves the chain end to end with an intent a kill switch stops, so no tool is ever called.
import { type Command, PROGRAM } from "../command.ts";
import { OperationError } from "../errors.ts";
import { runSmoke, SMOKE_REASON } from "../smoke.ts";

export const DEFAULT_SMOKE_TENANT = "smoke-tests";

export const smoke: Command = {
  words: ["smoke"],
  summary: "prove the whole chain (bus, rule, state machine, functions, tables, status API) without calling a tool",
  synopsis: "[--tenant <id>] [--action-type <type>] [--timeout <seconds>] [--token <jwt>]",
  positionals: { min: 0, max: 0 },
  details: [
    `Turns on the kill switch of a smoke tenant (reason "${SMOKE_REASON}"; it stays on), stores and approves ` +
      "a fresh intent for a registered action type, and checks link by link: PutEvents accepted it, the " +
      "execution record appeared (rule, state machine, execution starter), it ended FAILED with error class " +
      "KILL_SWITCH (validator, failure recorder), the ledger entry and signal record exist, and the status " +
      "API answers it (authorizer, status function). Exits 1 naming the first link that broke and what it saw.",
    "Against a stack, pass a status API token for the smoke tenant (--token or ENGINE_TOKEN).",
  ],
  options: {
    tenant: { type: "string", value: "id", description: `the smoke tenant (default ${DEFAULT_SMOKE_TENANT})` },
    "action-type": {
      type: "string",
      value: "type",
      description: "the action type to approve (default: the first in the registry)",
    },
    timeout: { type: "string", value: "seconds", description: "how long to wait for the execution (default 60)" },
    token: {
      type: "string",
      value: "jwt",
      description: "a status API token for the smoke tenant (default $ENGINE_TOKEN)",
    },
  },
  examples: ["smoke", 'smoke --stack dev --token "$TOKEN"'],
  async run(context) {
    const tenant = context.identifier("tenant") ?? DEFAULT_SMOKE_TENANT;
    const actionType = context.identifier("action-type");
    const timeoutSeconds = context.integer("timeout", { min: 1, max: 900, fallback: 60 });
    const target = await context.target();
    const given = context.string("token");
    // Asked first, so a missing token is refused before anything is written.
    const token = await target.apiToken({ tenant, ...(given === undefined ? {} : { token: given }) });
    if (!context.json) context.out.say(`Smoke test of ${target.description}, tenant ${tenant}:`);
    const report = await runSmoke(target, {
      tenant,
      ...(actionType === undefined ? {} : { actionType }),
      timeoutMs: timeoutSeconds * 1000,
      token,
      onLink: (link) => {
        if (!context.json) context.out.say(`  ${link.ok ? "ok    " : "BROKEN"}  ${link.name}: ${link.detail}`);
      },
    });
    if (context.json) context.out.json(report);
    if (!report.ok) {
      throw new OperationError(`smoke failed at "${report.broken?.name}": ${report.broken?.detail}`);
    }
    if (!context.json) {
      context.out.say(
        `Smoke passed: ${report.action_intent_id} went through every link. The kill switch of ${tenant} stays on ` +
          `(${PROGRAM} kill-switch status --tenant ${tenant}${context.targetFlags}).`,
      );
    }
  },
};
