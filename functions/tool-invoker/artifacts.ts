// Raw tool responses go to the artifacts bucket; state payloads carry only the s3:// reference.
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";

export interface RawResponse {
  rawBody: string;
  contentType: string;
}

/** Keys lead with tenant and intent, so one prefix holds everything an intent's executions produced. */
export function artifactKey(tenantId: string, actionIntentId: string, toolRunRef: string): string {
  return `${tenantId}/${actionIntentId}/${toolRunRef}/response`;
}

export async function storeRawResponse(
  s3: S3Client,
  bucket: string,
  key: string,
  response: RawResponse,
): Promise<string> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: response.rawBody,
      ContentType: response.contentType || "application/octet-stream",
    }),
  );
  return `s3://${bucket}/${key}`;
}
