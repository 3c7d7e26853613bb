import { S3Client } from "@aws-sdk/client-s3";
import { flagEnv } from "../config.ts";
import { tracer } from "../powertools.ts";

export const s3Client = tracer.captureAWSv3Client(
  new S3Client({
    // Checksums only where S3 requires them: S3-compatible stores (s3rver) store streamed bodies corrupted otherwise.
    requestChecksumCalculation: "WHEN_REQUIRED",
    // S3-compatible stores on an IP address cannot take the bucket as a host name.
    forcePathStyle: flagEnv("S3_FORCE_PATH_STYLE", false),
  }),
);
