// Raw tool replies into S3: PutObject as one signed fetch (signed-fetch.ts).
import { flagEnv } from "../config.ts";
import { type AwsService, serviceEndpoint, signedFetch } from "./signed-fetch.ts";

export interface StoredObject {
  bucket: string;
  key: string;
  body: string;
  contentType: string;
}

export interface ObjectStore {
  put(object: StoredObject): Promise<void>;
}

const s3: AwsService = { signingName: "s3", traceName: "S3", endpointVariable: "S3" };

/** A bucket name that can lead a host name under TLS: no dots, which the wildcard certificate would not match. */
const virtualHostable = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** The object's URL: virtual-hosted where the bucket allows it, path-style otherwise, as the SDK decides. */
export function objectUrl(bucket: string, key: string): string {
  const endpoint = serviceEndpoint(s3);
  const path = key.split("/").map(encodeURIComponent).join("/");
  // S3-compatible stores on an IP address cannot take the bucket as a host name either.
  if (flagEnv("S3_FORCE_PATH_STYLE", false) || !virtualHostable.test(bucket)) {
    return `${endpoint.origin}/${bucket}/${path}`;
  }
  return `${endpoint.protocol}//${bucket}.${endpoint.host}/${path}`;
}

async function put({ bucket, key, body, contentType }: StoredObject): Promise<void> {
  const response = await signedFetch({
    service: s3,
    operation: "PutObject",
    url: objectUrl(bucket, key),
    init: { method: "PUT", body, headers: { "content-type": contentType } },
    subject: `s3://${bucket}/${key}`,
    traceFields: { bucket_name: bucket, key },
    errorCode: (text) => /<Code>([^<]+)<\/Code>/.exec(text)?.[1],
  });
  await response.body?.cancel();
}

export const objectStore: ObjectStore = { put };
