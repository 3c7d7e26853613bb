// AWS calls as one SigV4-signed fetch each (aws4fetch), for the functions whose only AWS calls are one
// simple request: the tool invoker's S3 PutObject and the gateway client secret's GetSecretValue. The
// SDK clients for them brought about 150 KB to bundles that already load fetch for the MCP gateway.
// Endpoints and credentials come from the variables the SDK reads; each call gets the subsegment an SDK
// call would, in the aws namespace.
import { AwsClient } from "aws4fetch";
import { requireEnv } from "../config.ts";
import { PermanentError, TransientError } from "../errors.ts";
import { tracer } from "../powertools.ts";

/** Three attempts, as the SDK's standard retry mode; aws4fetch retries 5xx and 429 answers. */
const RETRIES = 2;

/** Signing keys are derived once per day and credentials; the cache outlives each request's client. */
const signingKeys = new Map<string, ArrayBuffer>();

export interface AwsService {
  /** The SigV4 signing name. */
  signingName: string;
  /** The X-Ray subsegment name, as the SDK names it. */
  traceName: string;
  /** The SDK's endpoint variable suffix: AWS_ENDPOINT_URL_<suffix>. */
  endpointVariable: string;
}

/** The service's endpoint: its own variable, then the global one, then the regional default. */
export function serviceEndpoint(service: AwsService): URL {
  const region = requireEnv("AWS_REGION");
  return new URL(
    process.env[`AWS_ENDPOINT_URL_${service.endpointVariable}`] ??
      process.env.AWS_ENDPOINT_URL ??
      `https://${service.signingName}.${region}.amazonaws.com`,
  );
}

function signer(service: AwsService): AwsClient {
  return new AwsClient({
    // Read per call, as the SDK's environment provider does, so rotated variables are picked up.
    accessKeyId: requireEnv("AWS_ACCESS_KEY_ID"),
    secretAccessKey: requireEnv("AWS_SECRET_ACCESS_KEY"),
    sessionToken: process.env.AWS_SESSION_TOKEN,
    service: service.signingName,
    region: requireEnv("AWS_REGION"),
    cache: signingKeys,
    retries: RETRIES,
  });
}

export interface SignedCall {
  service: AwsService;
  /** The operation, for errors and the subsegment. */
  operation: string;
  url: string;
  init: RequestInit;
  /** What the call is about, for messages (an s3:// URL, a secret id). */
  subject: string;
  /** Extra `aws` fields on the subsegment. */
  traceFields?: Record<string, string>;
  /** The service's error code from a failed answer's body. */
  errorCode(body: string): string | undefined;
}

async function send(call: SignedCall): Promise<Response> {
  const what = `${call.service.traceName} ${call.operation} ${call.subject}`;
  let response: Response;
  try {
    response = await signer(call.service).fetch(call.url, call.init);
  } catch (error) {
    throw new TransientError(`${what} did not complete: ${(error as Error).message}`, { cause: error });
  }
  if (response.ok) return response;
  const code = call.errorCode(await response.text()) ?? `HTTP ${response.status}`;
  const message = `${what} failed: ${code} (${response.status})`;
  throw response.status >= 500 || response.status === 429 || code === "ThrottlingException"
    ? new TransientError(message)
    : new PermanentError(message);
}

/** Sends the call inside a subsegment named as the SDK names it, where X-Ray's service map expects it. */
export async function signedFetch(call: SignedCall): Promise<Response> {
  const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
  if (!parent) return send(call);
  const subsegment = parent.addNewSubsegment(call.service.traceName);
  subsegment.addAttribute("namespace", "aws");
  subsegment.addAttribute("aws", { operation: call.operation, ...call.traceFields });
  tracer.setSegment(subsegment);
  try {
    return await send(call);
  } catch (error) {
    subsegment.addError(error as Error);
    throw error;
  } finally {
    subsegment.close();
    tracer.setSegment(parent);
  }
}
