// A Secrets Manager stand-in for GetSecretValue (JSON 1.1 protocol) on loopback, so the functions read
// the gateway's client secret locally, at the endpoint the SDK would use (AWS_ENDPOINT_URL_SECRETS_MANAGER).
// Secrets have ARNs as AWS makes them, the name followed by `-` and six random characters, and a SecretId
// is resolved as AWS resolves it: a name, a full ARN, or a partial ARN (without the suffix) matching one
// secret. With local IAM, the caller must be allowed secretsmanager:GetSecretValue on the FULL ARN.
// https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { isArn, localArns } from "./iam/arns.ts";
import type { LocalIam } from "./iam/authorizer.ts";
import { type JsonProtocol, jsonError, jsonRefusal, writeAnswer } from "./iam/refusals.ts";

export interface SecretDescription {
  ARN: string;
  Name: string;
}

export interface LocalSecretsManager {
  endpoint: string;
  /** Stores a secret's value (a new version when the name exists) and answers its full ARN. */
  putSecret(name: string, value: string): string;
  /** The secret a SecretId names, as DescribeSecret answers it; undefined when it names none. */
  describeSecret(secretId: string): SecretDescription | undefined;
  stop(): Promise<void>;
}

interface StoredSecret extends SecretDescription {
  value: string;
  version: string;
  created: number;
}

const protocol: JsonProtocol = { contentType: "application/x-amz-json-1.1", typePrefix: "" };

/** Six characters from the set Secrets Manager's suffixes use. */
function randomSuffix(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return [...randomBytes(6)].map((byte) => alphabet[byte % alphabet.length]).join("");
}

/**
 * An ARN ending in `-` and six characters is read as a full ARN, anything shorter as a partial one that
 * must match exactly one secret; a name matches by name.
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DescribeSecret.html
 */
function resolve(secrets: Iterable<StoredSecret>, secretId: string): StoredSecret | undefined {
  const all = [...secrets];
  if (!isArn(secretId)) return all.find((secret) => secret.Name === secretId);
  if (/-[A-Za-z0-9]{6}$/.test(secretId)) {
    const exact = all.find((secret) => secret.ARN === secretId);
    if (exact) return exact;
  }
  const partial = all.filter((secret) => secret.ARN.slice(0, -7) === secretId);
  return partial.length === 1 ? partial[0] : undefined;
}

export async function startSecretsManager(
  options: { port?: number; iam?: LocalIam } = {},
): Promise<LocalSecretsManager> {
  const secrets = new Map<string, StoredSecret>();
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.headers["x-amz-target"] !== "secretsmanager.GetSecretValue") {
      writeAnswer(
        response,
        jsonError(protocol, 400, "UnknownOperationException", "only GetSecretValue is served locally"),
      );
      return;
    }
    const body = Buffer.concat(chunks);
    let secretId: unknown;
    try {
      secretId = (JSON.parse(body.toString("utf8")) as { SecretId?: unknown }).SecretId;
    } catch {
      writeAnswer(response, jsonError(protocol, 400, "SerializationException", "request body is not JSON"));
      return;
    }
    const id = String(secretId);
    const secret = typeof secretId === "string" ? resolve(secrets.values(), secretId) : undefined;
    if (options.iam) {
      // A secret that does not exist is answered AccessDenied or ResourceNotFound, as the caller's
      // permissions on the ARN it named decide.
      const resource = secret?.ARN ?? (isArn(id) ? id : localArns.secret(id));
      const refusal = jsonRefusal(
        protocol,
        await options.iam.authorize(
          { method: request.method ?? "POST", url: request.url ?? "/", headers: request.headers, body },
          [{ action: "secretsmanager:GetSecretValue", resource }],
        ),
      );
      if (refusal) {
        writeAnswer(response, refusal);
        return;
      }
    }
    if (!secret) {
      writeAnswer(
        response,
        jsonError(protocol, 400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret."),
      );
      return;
    }
    writeAnswer(response, {
      status: 200,
      contentType: protocol.contentType,
      body: JSON.stringify({
        ARN: secret.ARN,
        Name: secret.Name,
        SecretString: secret.value,
        VersionId: secret.version,
        VersionStages: ["AWSCURRENT"],
        CreatedDate: secret.created,
      }),
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    putSecret: (name, value) => {
      const ARN = secrets.get(name)?.ARN ?? localArns.secret(`${name}-${randomSuffix()}`);
      secrets.set(name, { ARN, Name: name, value, version: crypto.randomUUID(), created: Date.now() / 1000 });
      return ARN;
    },
    describeSecret: (secretId) => {
      const secret = resolve(secrets.values(), secretId);
      return secret ? { ARN: secret.ARN, Name: secret.Name } : undefined;
    },
    stop: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
