import { describe, expect, it } from "vitest";
import { artifactsLifecycleRules } from "./index.ts";

describe("the artifacts bucket's lifecycle", () => {
  const rules = artifactsLifecycleRules({ currentDays: 90, noncurrentDays: 30 });

  it("expires artifacts, then their old versions, then the delete markers left behind", () => {
    expect(rules).toEqual([
      expect.objectContaining({
        status: "Enabled",
        expiration: { days: 90 },
        noncurrentVersionExpiration: { noncurrentDays: 30 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
      }),
      expect.objectContaining({ status: "Enabled", expiration: { expiredObjectDeleteMarker: true } }),
    ]);
  });

  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleExpiration.html: ExpiredObjectDeleteMarker
  // "cannot be specified with Days or Date in a Lifecycle Expiration Policy".
  it("never puts expiredObjectDeleteMarker in an expiration with days or a date, which S3 refuses", () => {
    for (const rule of rules) {
      const expiration = (rule.expiration ?? {}) as Record<string, unknown>;
      if ("expiredObjectDeleteMarker" in expiration) {
        expect(Object.keys(expiration), String(rule.id)).toEqual(["expiredObjectDeleteMarker"]);
      }
    }
    expect(new Set(rules.map((rule) => rule.id)).size).toBe(rules.length);
  });
});
