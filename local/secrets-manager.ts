// A Secrets Manager stand-in for GetSecretValue (JSON 1.1 protocol) on loopback, so the functions read
// the gateway's client secret locally, at the endpoint the SDK would use (AWS_ENDPOINT_URL_SECRETS_MANAGER).
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface LocalSecretsManager {
  endpoint: string;
  putSecret(name: string, value: string): void;
  stop(): Promise<void>;
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
  response.end(JSON.stringify(body));
}

export async function startSecretsManager(options: { port?: number } = {}): Promise<LocalSecretsManager> {
  const secrets = new Map<string, { value: string; version: string; created: number }>();
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.headers["x-amz-target"] !== "secretsmanager.GetSecretValue") {
      reply(response, 400, { __type: "UnknownOperationException", message: "only GetSecretValue is served locally" });
      return;
    }
    let secretId: unknown;
    try {
      secretId = (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { SecretId?: unknown }).SecretId;
    } catch {
      reply(response, 400, { __type: "SerializationException", message: "request body is not JSON" });
      return;
    }
    const secret = typeof secretId === "string" ? secrets.get(secretId) : undefined;
    if (!secret) {
      reply(response, 400, {
        __type: "ResourceNotFoundException",
        message: `Secrets Manager can't find the specified secret: ${String(secretId)}`,
      });
      return;
    }
    reply(response, 200, {
      ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${String(secretId)}`,
      Name: secretId,
      SecretString: secret.value,
      VersionId: secret.version,
      VersionStages: ["AWSCURRENT"],
      CreatedDate: secret.created,
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    putSecret: (name, value) => secrets.set(name, { value, version: crypto.randomUUID(), created: Date.now() / 1000 }),
    stop: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
