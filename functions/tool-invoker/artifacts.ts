// Raw tool responses go to the artifacts bucket; state payloads carry only the s3:// reference.
import type { ObjectStore } from "#kernel/clients/object-store.ts";

export interface RawResponse {
  rawBody: string;
  contentType: string;
}

/** Keys lead with tenant and intent, so one prefix holds everything an intent's executions produced. */
export function artifactKey(tenantId: string, actionIntentId: string, toolRunRef: string): string {
  return `${tenantId}/${actionIntentId}/${toolRunRef}/response`;
}

export async function storeRawResponse(
  store: ObjectStore,
  bucket: string,
  key: string,
  response: RawResponse,
): Promise<string> {
  await store.put({
    bucket,
    key,
    body: response.rawBody,
    contentType: response.contentType || "application/octet-stream",
  });
  return `s3://${bucket}/${key}`;
}
