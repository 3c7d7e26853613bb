// `npm run -s token -- --tenant <id> [--ttl <seconds>] [--token-use access|id]`: prints, alone on stdout, a
// token the running local engine's HTTP API accepts for that tenant, e.g.
//   curl -H "Authorization: Bearer $(npm run -s token -- --tenant t1)" <url>/executions/<id>/status
// By default an access token as a Cognito pool with a pre-token-generation trigger issues it (`client_id`,
// `scope`, the tenant claim, no `aud`); `--token-use id` gives the ID token of the same sign-in (`aud`).
// It reads <dir>/endpoints.json (written by the engine while it runs; `--dir` or ENGINE_STATE_DIR, default
// .local) and the signing key it names, and checks that the HTTP API there answers and trusts that key
// before minting.
import { readFile } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { identifier } from "#schemas/common.ts";
import { JWKS_PATH, type LocalEndpointsFile } from "./http-api.ts";
import { DEFAULT_TTL_SECONDS, type LocalSigningKey, loadSigningKey, mintToken, type TokenUse } from "./jwt.ts";
import { stateDirectoryFrom } from "./state-directory.ts";

const repositoryRoot = fileURLToPath(new URL("..", import.meta.url));

/** Cognito lets an access token live from 5 minutes to a day; locally anything up to a day. */
const maxTtlSeconds = 86_400;

const usage =
  "usage: npm run -s token -- --tenant <tenant-id> [--ttl <seconds>] [--token-use access|id] [--dir <state directory>]";

const tokenUses: readonly TokenUse[] = ["access", "id"];

/** A refusal to print for the user, without a stack trace. */
export class TokenCliError extends Error {
  override name = "TokenCliError";
}

export interface TokenCliOptions {
  /** Where `.local/` lives; default the repository root. */
  root?: string;
  /** How long to wait for the running HTTP API to answer; default 2 s. */
  probeTimeoutMs?: number;
}

/** Parses the arguments and mints the token; throws `TokenCliError` with a message meant for the user. */
export async function tokenFromArgs(args: string[], options: TokenCliOptions = {}): Promise<string> {
  const root = options.root ?? repositoryRoot;
  let values: { tenant?: string; ttl?: string; "token-use"?: string; dir?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        tenant: { type: "string" },
        ttl: { type: "string" },
        "token-use": { type: "string" },
        dir: { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new TokenCliError(`${(error as Error).message}\n${usage}`);
  }
  const tenant = values.tenant;
  if (tenant === undefined) throw new TokenCliError(`--tenant is required\n${usage}`);
  if (tenant.length > identifier.maxLength || !new RegExp(identifier.pattern).test(tenant)) {
    throw new TokenCliError(`--tenant "${tenant}" is not a tenant id: it must be ${identifier.description}`);
  }
  const ttlSeconds = values.ttl === undefined ? DEFAULT_TTL_SECONDS : Number(values.ttl);
  if (
    !/^\d+$/.test(values.ttl ?? "1") ||
    !Number.isInteger(ttlSeconds) ||
    ttlSeconds < 1 ||
    ttlSeconds > maxTtlSeconds
  ) {
    throw new TokenCliError(`--ttl must be a whole number of seconds from 1 to ${maxTtlSeconds}, got "${values.ttl}"`);
  }
  const tokenUse = (values["token-use"] ?? "access") as TokenUse;
  if (!tokenUses.includes(tokenUse)) {
    throw new TokenCliError(`--token-use must be ${tokenUses.join(" or ")}, got "${values["token-use"]}"`);
  }

  const endpointsFile = join(stateDirectoryFrom(values.dir), "endpoints.json");
  const api = await readHttpApiEndpoint(root, endpointsFile);
  const keyFile = isAbsolute(api.signingKeyFile) ? api.signingKeyFile : resolve(root, api.signingKeyFile);
  let key: LocalSigningKey;
  try {
    key = loadSigningKey(keyFile);
  } catch (error) {
    throw new TokenCliError(
      `${(error as Error).message}; restart the local engine (\`npm start -- --fresh\` replaces a damaged key)`,
    );
  }
  await checkTrusted(api, key.kid, options.probeTimeoutMs ?? 2000, endpointsFile);
  const [clientId] = api.audience;
  if (clientId === undefined) throw new TokenCliError(`${endpointsFile}: httpApi.audience is empty`);
  return mintToken(key, {
    tenantId: tenant,
    tenantClaim: api.tenantClaim,
    issuer: api.issuer,
    clientId,
    tokenUse,
    ttlSeconds,
  });
}

async function readHttpApiEndpoint(root: string, endpointsFile: string): Promise<LocalEndpointsFile> {
  const file = resolve(root, endpointsFile);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new TokenCliError(
        `the local engine is not running: there is no ${endpointsFile}. Start the engine first; it writes that file while it runs.`,
      );
    }
    throw new TokenCliError(`cannot read ${file}: ${(error as Error).message}`);
  }
  let parsed: { httpApi?: Partial<LocalEndpointsFile> };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new TokenCliError(`${endpointsFile} is not JSON; restart the local engine to rewrite it`);
  }
  const api = parsed.httpApi;
  const problems = [
    typeof api?.url !== "string" && "url",
    typeof api?.issuer !== "string" && "issuer",
    !(Array.isArray(api?.audience) && api.audience.every((value) => typeof value === "string")) && "audience",
    typeof api?.tenantClaim !== "string" && "tenantClaim",
    typeof api?.signingKeyFile !== "string" && "signingKeyFile",
  ].filter((problem): problem is string => problem !== false);
  if (problems.length > 0) {
    throw new TokenCliError(`${endpointsFile} has no valid httpApi section (check ${problems.join(", ")})`);
  }
  return api as LocalEndpointsFile;
}

/** The endpoints file outlives an engine that was killed: ask the HTTP API itself which key it trusts. */
async function checkTrusted(
  api: LocalEndpointsFile,
  kid: string,
  timeoutMs: number,
  endpointsFile: string,
): Promise<void> {
  let keys: { keys?: { kid?: unknown }[] };
  try {
    const response = await fetch(new URL(JWKS_PATH, api.url), { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`it answered ${response.status}`);
    keys = (await response.json()) as typeof keys;
  } catch (error) {
    throw new TokenCliError(
      `the local engine is not running: nothing answers at ${api.url} (${(error as Error).message}); ${endpointsFile} is left from an earlier run. Start the engine first.`,
    );
  }
  if (!keys.keys?.some((published) => published.kid === kid)) {
    throw new TokenCliError(
      `the HTTP API at ${api.url} does not trust the key in ${api.signingKeyFile}; restart the local engine`,
    );
  }
}

if (import.meta.main) {
  try {
    process.stdout.write(`${await tokenFromArgs(process.argv.slice(2))}\n`);
  } catch (error) {
    process.stderr.write(
      `token: ${error instanceof TokenCliError ? error.message : ((error as Error).stack ?? String(error))}\n`,
    );
    process.exitCode = 1;
  }
}
