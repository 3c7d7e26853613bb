// S3 PutObject as one SigV4-signed fetch (aws4fetch). The tool invoker's only S3 call is this PUT, and
// the SDK's S3 client brought about 105 KB to its bundle (XML protocol, checksums, S3 endpoint rules)
// where the invoker already loads fetch for the MCP gateway. Endpoint, path style and credentials come
// from the same environment variables the SDK reads; the call gets an "S3" subsegment as an SDK call would.
import { AwsClient } from "aws4fetch";
import { flagEnv, requireEnv } from "../config.ts";
import { PermanentError, TransientError } from "../errors.ts";
import { tracer } from "../powertools.ts";

export interface StoredObject {
  bucket: string;
  key: string;
  body: string;
  contentType: string;
}

export interface ObjectStore {
  put(object: StoredObject): Promise<void>;
}

/** Three attempts, as the SDK's standard retry mode; only 5xx and 429 answers are retried by aws4fetch. */
const RETRIES = 2;

/** Signing keys are derived once per day and credentials; the cache outlives each request's client. */
const signingKeys = new Map<string, ArrayBuffer>();

function objectUrl(bucket: string, key: string): string {
  const region = requireEnv("AWS_REGION");
  const endpoint = new URL(
    process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL ?? `https://s3.${region}.amazonaws.com`,
  );
  const path = key.split("/").map(encodeURIComponent).join("/");
  // S3-compatible stores on an IP address cannot take the bucket as a host name.
  if (flagEnv("S3_FORCE_PATH_STYLE", false)) return `${endpoint.origin}/${bucket}/${path}`;
  return `${endpoint.protocol}//${bucket}.${endpoint.host}/${path}`;
}

function client(): AwsClient {
  return new AwsClient({
    // Read per call, as the SDK's environment provider does, so rotated variables are picked up.
    accessKeyId: requireEnv("AWS_ACCESS_KEY_ID"),
    secretAccessKey: requireEnv("AWS_SECRET_ACCESS_KEY"),
    sessionToken: process.env.AWS_SESSION_TOKEN,
    service: "s3",
    region: requireEnv("AWS_REGION"),
    cache: signingKeys,
    retries: RETRIES,
  });
}

/** S3's error code from its XML error body, when there is one. */
function s3ErrorCode(body: string): string | undefined {
  return /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
}

async function putObject({ bucket, key, body, contentType }: StoredObject): Promise<void> {
  const target = `s3://${bucket}/${key}`;
  let response: Response;
  try {
    response = await client().fetch(objectUrl(bucket, key), {
      method: "PUT",
      body,
      headers: { "content-type": contentType },
    });
  } catch (error) {
    throw new TransientError(`S3 PutObject ${target} did not complete: ${(error as Error).message}`, { cause: error });
  }
  if (response.ok) {
    await response.body?.cancel();
    return;
  }
  const code = s3ErrorCode(await response.text()) ?? `HTTP ${response.status}`;
  const message = `S3 PutObject ${target} failed: ${code} (${response.status})`;
  throw response.status >= 500 || response.status === 429 ? new TransientError(message) : new PermanentError(message);
}

/** Runs the PUT inside an "S3" subsegment in the aws namespace, where X-Ray's service map expects it. */
async function tracedPut(object: StoredObject): Promise<void> {
  const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
  if (!parent) return putObject(object);
  const subsegment = parent.addNewSubsegment("S3");
  subsegment.addAttribute("namespace", "aws");
  subsegment.addAttribute("aws", { operation: "PutObject", bucket_name: object.bucket, key: object.key });
  tracer.setSegment(subsegment);
  try {
    await putObject(object);
  } catch (error) {
    subsegment.addError(error as Error);
    throw error;
  } finally {
    subsegment.close();
    tracer.setSegment(parent);
  }
}

export const objectStore: ObjectStore = { put: tracedPut };
