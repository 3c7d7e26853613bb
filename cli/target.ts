// Which engine a command acts on. By default the running local engine, found through the endpoints file
// it writes to its state directory (`--dir`, else ENGINE_STATE_DIR, else `.local`, as `npm start` picks
// it), with the local credentials its stand-ins accept, so no AWS credentials are needed. `--stack <name>`
// reads a deployed stack's outputs from the Pulumi CLI, `--outputs <file>` from a saved copy; deployed
// calls use the AWS SDK's default credential chain (AWS_PROFILE, SSO, environment, ...).
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type TableName, tables } from "../functions/kernel/data-layout.ts";
import { type StackOutputs, stackOutputNames } from "../infra/stack-outputs.ts";
import { LOCAL_CREDENTIALS } from "../local/credentials.ts";
import type { LocalEndpoints } from "../local/engine.ts";
import { loadSigningKey, mintToken } from "../local/jwt.ts";
import { stateDirectoryFrom, statePaths } from "../local/state-directory.ts";
import { OperationError, UsageError } from "./errors.ts";
import type { CliIo } from "./output.ts";
import { type Credentials, getCallerArn, getSecretString, type SigningContext } from "./signed-calls.ts";

export const TOKEN_VARIABLE = "ENGINE_TOKEN";

export interface TargetChoice {
  dir?: string;
  stack?: string;
  outputs?: string;
}

export interface GatewayAccess {
  url: string;
  tokenUrl: string;
  clientId: string;
  /** Read only when a command talks to the gateway. */
  clientSecret(): Promise<string>;
}

export interface Target {
  /** For messages: "the local engine in .local", "stack dev". */
  description: string;
  local: boolean;
  region: string;
  tables: Record<TableName, string>;
  bus: { name: string; source: string; detailType: string };
  apiUrl: string;
  db: DynamoDBDocumentClient;
  events: EventBridgeClient;
  gateway: GatewayAccess;
  /** The local engine's fault injection admin endpoint (local/faults/); a deployed stack has none. */
  faultsAdmin?: string;
  /** Who is making a change, as `updated_by` records it. */
  operator(): Promise<string>;
  /** A bearer token for the status API: the one given, else (locally) a dev token minted for the tenant. */
  apiToken(options: { tenant?: string; token?: string }): Promise<string>;
  close(): void;
}

export async function resolveTarget(choice: TargetChoice, io: CliIo): Promise<Target> {
  const chosen = (["dir", "stack", "outputs"] as const).filter((option) => choice[option] !== undefined);
  if (chosen.length > 1) {
    throw new UsageError(`choose one target: ${chosen.map((option) => `--${option}`).join(" and ")} were both given`);
  }
  if (choice.stack !== undefined) {
    return deployedTarget(await stackOutputs(choice.stack, io), `stack ${choice.stack}`, io);
  }
  if (choice.outputs !== undefined) {
    const file = resolve(io.cwd, choice.outputs);
    return deployedTarget(parseOutputs(await readText(file, "the outputs file"), file), `outputs in ${file}`, io);
  }
  return localTarget(stateDirectoryFrom(choice.dir, io.env), io);
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw new OperationError(`cannot read ${what} ${file}: ${(error as Error).message}`, { cause: error });
  }
}

// --- the local engine -------------------------------------------------------------------------------------

async function localTarget(dir: string, io: CliIo): Promise<Target> {
  const file = statePaths(resolve(io.cwd, dir)).endpoints;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new OperationError(
      `no local engine is running with state directory ${dir} (${file} does not exist): start one with \`npm start\`, ` +
        `pass --dir with the state directory of the one you started, or --stack <name> for a deployed stack`,
    );
  }
  const endpoints = parseLocalEndpoints(text, file);
  const credentials = LOCAL_CREDENTIALS;
  const region = endpoints.region;
  const dynamodb = new DynamoDBClient({ endpoint: endpoints.dynamodb.endpoint, region, credentials });
  const db = DynamoDBDocumentClient.from(dynamodb);
  const events = new EventBridgeClient({ endpoint: endpoints.eventBridge.endpoint, region, credentials });
  const signing: SigningContext = {
    region,
    credentials: async () => credentials,
    env: { AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager.endpoint },
  };
  const api = endpoints.httpApi;
  return {
    description: `the local engine in ${dir}`,
    local: true,
    region,
    tables: endpoints.dynamodb.tables,
    bus: {
      name: endpoints.eventBridge.busName,
      source: endpoints.eventBridge.source,
      detailType: endpoints.eventBridge.detailType,
    },
    apiUrl: api.url,
    ...(endpoints.faults ? { faultsAdmin: endpoints.faults.admin } : {}),
    db,
    events,
    gateway: {
      url: endpoints.gateway.url,
      tokenUrl: endpoints.gateway.tokenUrl,
      clientId: endpoints.gateway.clientId,
      clientSecret: () => getSecretString(signing, endpoints.secretsManager.gatewaySecretArn),
    },
    operator: async () => "local",
    apiToken: async ({ tenant, token }) => {
      if (token !== undefined) return token;
      if (tenant === undefined) {
        throw new UsageError("--tenant is required: the local status API answers one tenant, named in its token");
      }
      const keyFile = isAbsolute(api.signingKeyFile) ? api.signingKeyFile : resolve(io.cwd, api.signingKeyFile);
      let key: ReturnType<typeof loadSigningKey>;
      try {
        key = loadSigningKey(keyFile);
      } catch (error) {
        throw new OperationError(`${(error as Error).message}; restart the local engine`, { cause: error });
      }
      return mintToken(key, {
        tenantId: tenant,
        tenantClaim: api.tenantClaim,
        issuer: api.issuer,
        clientId: api.audience[0] ?? "",
      });
    },
    close: () => {
      dynamodb.destroy();
      events.destroy();
    },
  };
}

function parseLocalEndpoints(text: string, file: string): LocalEndpoints {
  let parsed: Partial<LocalEndpoints>;
  try {
    parsed = JSON.parse(text) as Partial<LocalEndpoints>;
  } catch {
    throw new OperationError(`${file} is not JSON: restart the local engine to rewrite it`);
  }
  const missing = [
    typeof parsed.region !== "string" && "region",
    typeof parsed.dynamodb?.endpoint !== "string" && "dynamodb.endpoint",
    !hasEveryTable(parsed.dynamodb?.tables) && "dynamodb.tables",
    typeof parsed.eventBridge?.endpoint !== "string" && "eventBridge",
    typeof parsed.secretsManager?.gatewaySecretArn !== "string" && "secretsManager",
    typeof parsed.gateway?.clientId !== "string" && "gateway.clientId",
    typeof parsed.httpApi?.signingKeyFile !== "string" && "httpApi",
  ].filter((field): field is string => field !== false);
  if (missing.length > 0) {
    throw new OperationError(
      `${file} lacks ${missing.join(", ")}: it was written by an older engine; restart the local engine`,
    );
  }
  return parsed as LocalEndpoints;
}

const hasEveryTable = (names: unknown): names is Record<TableName, string> =>
  typeof names === "object" &&
  names !== null &&
  Object.keys(tables).every((table) => typeof (names as Record<string, unknown>)[table] === "string");

// --- a deployed stack -------------------------------------------------------------------------------------

/** `pulumi stack output --json --stack <name>`, run where Pulumi.yaml is. */
async function stackOutputs(stack: string, io: CliIo): Promise<StackOutputs> {
  const text = await new Promise<string>((resolveOutput, reject) => {
    execFile(
      "pulumi",
      ["stack", "output", "--json", "--stack", stack],
      { cwd: io.cwd, env: io.env, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolveOutput(stdout);
        if ((error as NodeJS.ErrnoException).code === "ENOENT") {
          return reject(
            new OperationError(
              "--stack needs the Pulumi CLI, and `pulumi` is not on PATH: install it " +
                "(https://www.pulumi.com/docs/install/), or save the outputs where it is " +
                "(`pulumi stack output --json --stack <name> > outputs.json`) and pass --outputs outputs.json",
            ),
          );
        }
        reject(
          new OperationError(
            `\`pulumi stack output --json --stack ${stack}\` failed: ${stderr.trim() || error.message}`,
            { cause: error },
          ),
        );
      },
    );
  });
  return parseOutputs(text, `the outputs of stack ${stack}`);
}

export function parseOutputs(text: string, source: string): StackOutputs {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new OperationError(`${source} is not JSON (expected what \`pulumi stack output --json\` prints)`);
  }
  const missing = stackOutputNames.filter((name) =>
    name === "tableNames" ? !hasEveryTable(parsed[name]) : typeof parsed[name] !== "string",
  );
  if (missing.length > 0) {
    throw new OperationError(
      `${source} lack ${missing.join(", ")}: the stack was deployed before the engine exported them; run \`pulumi up\``,
    );
  }
  return parsed as StackOutputs;
}

/** Every ARN names its region; the state machine's is the stack's. */
function regionOf(outputs: StackOutputs): string {
  const region = outputs.stateMachineArn.split(":")[3];
  if (!region) throw new OperationError(`stateMachineArn ${outputs.stateMachineArn} is not an ARN with a region`);
  return region;
}

function deployedTarget(outputs: StackOutputs, description: string, io: CliIo): Target {
  const region = regionOf(outputs);
  const dynamodb = new DynamoDBClient({ region });
  const db = DynamoDBDocumentClient.from(dynamodb);
  const events = new EventBridgeClient({ region });
  // The SDK's default chain, resolved (and refreshed) by the client that owns it.
  const signing: SigningContext = {
    region,
    credentials: async () => (await dynamodb.config.credentials()) as Credentials,
    env: io.env,
  };
  return {
    description,
    local: false,
    region,
    tables: outputs.tableNames,
    bus: { name: outputs.eventBusName, source: outputs.triggerSource, detailType: outputs.triggerDetailType },
    apiUrl: outputs.apiUrl.replace(/\/$/, ""),
    db,
    events,
    gateway: {
      url: outputs.gatewayUrl,
      tokenUrl: outputs.gatewayTokenUrl,
      clientId: outputs.gatewayClientId,
      clientSecret: () => getSecretString(signing, outputs.gatewayClientSecretArn),
    },
    operator: () => getCallerArn(signing),
    apiToken: async ({ token }) => {
      const given = token ?? io.env[TOKEN_VARIABLE];
      if (given) return given;
      throw new UsageError(
        `--token (or ${TOKEN_VARIABLE}) is required against a deployed stack: a token the status API's ` +
          "authorizer accepts, carrying the tenant claim",
      );
    },
    close: () => {
      dynamodb.destroy();
      events.destroy();
    },
  };
}
