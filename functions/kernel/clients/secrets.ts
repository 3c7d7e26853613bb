// Secret strings from Secrets Manager: GetSecretValue as one signed fetch (signed-fetch.ts), each kept
// for a while so a warm container asks once per period and still sees a rotation.
import { PermanentError } from "../errors.ts";
import { type AwsService, serviceEndpoint, signedFetch } from "./signed-fetch.ts";

const secretsManager: AwsService = {
  signingName: "secretsmanager",
  traceName: "SecretsManager",
  endpointVariable: "SECRETS_MANAGER",
};

async function fetchSecretString(secretId: string): Promise<string> {
  const response = await signedFetch({
    service: secretsManager,
    operation: "GetSecretValue",
    url: serviceEndpoint(secretsManager).href,
    init: {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "secretsmanager.GetSecretValue",
      },
      body: JSON.stringify({ SecretId: secretId }),
    },
    subject: `secret ${secretId}`,
    traceFields: { secret_id: secretId },
    errorCode: (text) => {
      try {
        // JSON protocol errors name their type, sometimes prefixed by a namespace: "ns#Code".
        return ((JSON.parse(text) as { __type?: string }).__type ?? "").split("#").pop() || undefined;
      } catch {
        return undefined;
      }
    },
  });
  const { SecretString } = (await response.json()) as { SecretString?: unknown };
  if (typeof SecretString !== "string" || SecretString === "") {
    throw new PermanentError(`secret ${secretId} holds no secret string`);
  }
  return SecretString;
}

export interface SecretCache {
  /** The secret's string, fetched at most once per `maxAgeSeconds` (concurrent callers share one fetch). */
  get(secretId: string): Promise<string>;
}

export function createSecretCache(maxAgeSeconds: number, now = () => Date.now()): SecretCache {
  const entries = new Map<string, { value: Promise<string>; expiresAt: number }>();
  return {
    get(secretId) {
      const cached = entries.get(secretId);
      if (cached && cached.expiresAt > now()) return cached.value;
      const value = fetchSecretString(secretId);
      entries.set(secretId, { value, expiresAt: now() + maxAgeSeconds * 1000 });
      // A failure is not kept: the next caller asks again.
      value.catch(() => {
        if (entries.get(secretId)?.value === value) entries.delete(secretId);
      });
      return value;
    },
  };
}
