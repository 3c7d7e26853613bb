import { S3Client } from "@aws-sdk/client-s3";
import { tracer } from "../powertools.ts";

export const s3Client = tracer.captureAWSv3Client(
  // Checksums only where S3 requires them: S3-compatible stores reject or corrupt the default trailers.
  new S3Client({
    requestChecksumCalculation: "WHEN_REQUIRED",
    forcePathStyle: process.env.S3_FORCE_PATH_STYLE === "true",
  }),
);
