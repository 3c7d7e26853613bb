// status <intent-id>  and  executions --account <id>: reads through the status API, as a client would.
import { type Command, type CommandContext, checkIdentifier, type OptionSpecs } from "../command.ts";
import {
  apiRefusal,
  describeExecution,
  type ExecutionListResponse,
  type ExecutionStatusResponse,
  getFromApi,
  listPath,
  statusPath,
} from "../status-api.ts";

const tokenOptions: OptionSpecs = {
  tenant: {
    type: "string",
    value: "id",
    description: "the tenant to read as (locally: a dev token is minted for it)",
  },
  token: {
    type: "string",
    value: "jwt",
    description: "a token the status API accepts (default $ENGINE_TOKEN; required against a stack)",
  },
};

async function tokenFor(context: CommandContext): Promise<string> {
  const target = await context.target();
  const tenant = context.identifier("tenant");
  const token = context.string("token");
  return target.apiToken({ ...(tenant === undefined ? {} : { tenant }), ...(token === undefined ? {} : { token }) });
}

export const status: Command = {
  words: ["status"],
  summary: "show one intent's execution status through the status API",
  synopsis: "<intent-id> [--tenant <id>] [--token <jwt>]",
  positionals: { min: 1, max: 1 },
  details: [
    "Locally a dev token for --tenant is minted with the engine's signing key. Against a stack, pass a " +
      "token the API's authorizer accepts (a Cognito access token carrying the tenant claim).",
  ],
  options: tokenOptions,
  examples: ["status intent-0042 --tenant tenant-demo", 'status intent-0042 --stack dev --token "$TOKEN" --json'],
  async run(context) {
    const [id] = context.positionals as [string];
    checkIdentifier("intent-id", id);
    const target = await context.target();
    const answer = await getFromApi(target, statusPath(id), await tokenFor(context));
    if (answer.httpStatus !== 200) throw apiRefusal(answer, `intent ${id}`, target);
    if (context.json) return context.out.json(answer.body);
    context.out.say(...describeExecution(answer.body as ExecutionStatusResponse));
  },
};

export const executions: Command = {
  words: ["executions"],
  summary: "list one account's executions, newest first, through the status API",
  synopsis: "--account <id> [--limit <n>] [--next-token <token>] [--tenant <id>] [--token <jwt>]",
  positionals: { min: 0, max: 0 },
  options: {
    account: { type: "string", value: "id", description: "the account whose executions to list (required)" },
    limit: { type: "string", value: "n", description: "at most this many, 1 to 100 (default: the API's page size)" },
    "next-token": { type: "string", value: "token", description: "the next page, as the previous answer named it" },
    ...tokenOptions,
  },
  examples: ["executions --account account-demo --tenant tenant-demo --limit 5"],
  async run(context) {
    const account = checkIdentifier("account", context.required("account", "the API lists one account's executions"));
    const limit =
      context.string("limit") === undefined ? undefined : context.integer("limit", { min: 1, max: 100, fallback: 0 });
    const target = await context.target();
    const answer = await getFromApi(
      target,
      listPath(account, limit, context.string("next-token")),
      await tokenFor(context),
    );
    if (answer.httpStatus !== 200) throw apiRefusal(answer, `the executions of account ${account}`, target);
    if (context.json) return context.out.json(answer.body);
    const page = answer.body as ExecutionListResponse;
    context.out.say(
      `${page.executions.length} execution(s) of account ${account}${page.executions.length > 0 ? ", newest first:" : "."}`,
      ...page.executions.flatMap(describeExecution),
      ...(page.next_token ? [`More: add --next-token ${page.next_token}`] : []),
    );
  },
};
