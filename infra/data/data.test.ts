import { describe, expect, it } from "vitest";
import { tables } from "../../functions/kernel/data-layout.ts";
import { artifactsLifecycleRules, tableArgs } from "./index.ts";

describe("the idempotency table", () => {
  // The attribute names @aws-lambda-powertools/idempotency's DynamoDB persistence writes by default:
  // https://docs.powertools.aws.dev/lambda/typescript/latest/features/idempotency/#dynamodb-table
  it("is keyed by `id` alone and expires records by TTL on `expiration`", () => {
    const args = tableArgs("engine-idempotency", tables.idempotency, true);

    expect(args).toMatchObject({
      hashKey: "id",
      attributes: [{ name: "id", type: "S" }],
      ttl: { attributeName: "expiration", enabled: true },
      billingMode: "PAY_PER_REQUEST",
    });
    expect(args.rangeKey).toBeUndefined();
  });
});

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
