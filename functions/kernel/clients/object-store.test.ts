// The signed-fetch PutObject against s3rver, a real S3-compatible engine: stored bytes, content type and
// key encoding, and the error classes the state machine retries on or not.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ARTIFACTS_BUCKET, useToolEngines } from "../../../tests/support/tool-engines.ts";
import { objectStore, objectUrl } from "./object-store.ts";

const engines = await useToolEngines();
afterEach(() => vi.unstubAllEnvs());

describe("object store (S3 PutObject over signed fetch)", () => {
  it("stores the body and content type under a key with spaces, unicode and slashes", async () => {
    const key = "tenant-1/intent 1/toolrun/ü+x/response";
    const body = JSON.stringify({ ok: true, text: "é".repeat(1000) });

    await objectStore.put({ bucket: ARTIFACTS_BUCKET, key, body, contentType: "application/json" });

    await expect(engines.artifact(`s3://${ARTIFACTS_BUCKET}/${key}`)).resolves.toEqual({
      body,
      contentType: "application/json",
    });
  });

  it("fails with PermanentError naming S3's error code when the bucket does not exist", async () => {
    const attempt = objectStore.put({ bucket: "no-such-bucket", key: "k", body: "x", contentType: "text/plain" });

    await expect(attempt).rejects.toMatchObject({
      name: "PermanentError",
      message: expect.stringContaining("s3://no-such-bucket/k failed: NoSuchBucket (404)"),
    });
  });

  it("fails with TransientError when S3 cannot be reached", async () => {
    vi.stubEnv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9");

    const attempt = objectStore.put({ bucket: ARTIFACTS_BUCKET, key: "k", body: "x", contentType: "text/plain" });

    await expect(attempt).rejects.toMatchObject({
      name: "TransientError",
      message: expect.stringContaining(`S3 PutObject s3://${ARTIFACTS_BUCKET}/k did not complete`),
    });
  });
});

describe("object URL", () => {
  beforeEach(() => {
    vi.stubEnv("AWS_REGION", "eu-west-1");
    vi.stubEnv("AWS_ENDPOINT_URL_S3", undefined);
    vi.stubEnv("S3_FORCE_PATH_STYLE", undefined);
  });
  it("puts the bucket in the host name on AWS, and encodes each key segment", () => {
    expect(objectUrl("engine-artifacts", "tenant 1/ü/response")).toBe(
      "https://engine-artifacts.s3.eu-west-1.amazonaws.com/tenant%201/%C3%BC/response",
    );
  });

  it("keeps a bucket with dots in the path, where the TLS certificate still matches", () => {
    expect(objectUrl("engine.artifacts", "k")).toBe("https://s3.eu-west-1.amazonaws.com/engine.artifacts/k");
  });
});
