// The two AWS calls the CLI makes outside DynamoDB and EventBridge, as one SigV4-signed fetch each
// (aws4fetch, already the functions' signer) with the caller's own credentials: the gateway client
// secret's GetSecretValue for `registry put`, and STS GetCallerIdentity for who changed a kill switch.
// Endpoints follow the SDK's convention (AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL), so the same
// code reaches a stand-in when those variables point at one.
import { AwsClient } from "aws4fetch";
import { OperationError } from "./errors.ts";

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SigningContext {
  region: string;
  credentials: () => Promise<Credentials>;
  env: Record<string, string | undefined>;
}

function endpointOf(context: SigningContext, variable: string, host: string): string {
  return context.env[`AWS_ENDPOINT_URL_${variable}`] ?? context.env.AWS_ENDPOINT_URL ?? `https://${host}`;
}

async function signedPost(
  context: SigningContext,
  service: string,
  url: string,
  init: { headers: Record<string, string>; body: string },
  what: string,
): Promise<string> {
  const { accessKeyId, secretAccessKey, sessionToken } = await context.credentials();
  const client = new AwsClient({ accessKeyId, secretAccessKey, sessionToken, service, region: context.region });
  let response: Response;
  try {
    response = await client.fetch(url, { method: "POST", ...init });
  } catch (error) {
    throw new OperationError(`${what} did not reach ${url}: ${(error as Error).message}`, { cause: error });
  }
  const text = await response.text();
  if (!response.ok) throw new OperationError(`${what} failed (${response.status}): ${text.slice(0, 500)}`);
  return text;
}

/** https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html */
export async function getSecretString(context: SigningContext, secretId: string): Promise<string> {
  const text = await signedPost(
    context,
    "secretsmanager",
    endpointOf(context, "SECRETS_MANAGER", `secretsmanager.${context.region}.amazonaws.com`),
    {
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "secretsmanager.GetSecretValue" },
      body: JSON.stringify({ SecretId: secretId }),
    },
    `GetSecretValue on ${secretId}`,
  );
  const { SecretString } = JSON.parse(text) as { SecretString?: unknown };
  if (typeof SecretString !== "string" || SecretString === "") {
    throw new OperationError(`the secret ${secretId} holds no secret string`);
  }
  return SecretString;
}

/**
 * The caller's ARN. STS answers the Query protocol in XML.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
 */
export async function getCallerArn(context: SigningContext): Promise<string> {
  const text = await signedPost(
    context,
    "sts",
    endpointOf(context, "STS", `sts.${context.region}.amazonaws.com`),
    {
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body: "Action=GetCallerIdentity&Version=2011-06-15",
    },
    "STS GetCallerIdentity",
  );
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(text)?.[1];
  if (!arn) throw new OperationError("STS GetCallerIdentity answered without an Arn");
  return arn;
}
