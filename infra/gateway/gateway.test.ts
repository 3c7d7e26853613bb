import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { installPulumiMocks, outputValue } from "../testing/pulumi-mocks.ts";

const cmkSecret = "engine/test/cmk-secret";
const awsKeySecret = "engine/test/aws-key-secret";
const resources = installPulumiMocks({
  secretKmsKeys: { [cmkSecret]: "alias/engine-secrets", [awsKeySecret]: "alias/aws/secretsmanager" },
});
const { GatewayCredentials, customerManagedKeyId, secretLookup } = await import("./index.ts");

const partialArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:engine/test/gateway-credentials";
const suffixed = (arn: string) => new RegExp(`^${arn}-[A-Za-z0-9]{6}$`);

describe("an existing gateway secret", () => {
  it("is looked up by ARN when given one, by name otherwise", () => {
    expect(secretLookup(partialArn)).toEqual({ arn: partialArn });
    expect(secretLookup("engine/test/gateway-credentials")).toEqual({ name: "engine/test/gateway-credentials" });
  });

  it.each([
    ["a partial ARN", partialArn],
    ["a name", "engine/test/gateway-credentials"],
  ])("given as %s, resolves to the full ARN IAM matches, suffix included", async (kind, secretId) => {
    const credentials = new GatewayCredentials(`by-${kind.split(" ").at(-1)}`, {
      namePrefix: "engine-test",
      existingSecretId: secretId,
      recoveryWindowDays: 30,
      protect: false,
    });

    const secret = await outputValue(credentials.secret);

    expect(secret.arn).toMatch(suffixed(partialArn));
    expect(secret.kmsKeyArn).toBeUndefined();
  });

  it("given as a name ending in '-' and six characters, is still found: a name is never read as an ARN", async () => {
    const credentials = new GatewayCredentials("six-character-tail", {
      namePrefix: "engine-test",
      existingSecretId: "engine/test/gateway-client-secret",
      recoveryWindowDays: 30,
      protect: false,
    });

    expect((await outputValue(credentials.secret)).arn).toMatch(
      suffixed("arn:aws:secretsmanager:us-east-1:123456789012:secret:engine/test/gateway-client-secret"),
    );
  });

  it("given as a partial ARN ending in '-' and six characters, is not found, as AWS reads it as a full ARN", async () => {
    const ambiguous = "arn:aws:secretsmanager:us-east-1:123456789012:secret:engine/test/gateway-client-secret";

    await expect(aws.secretsmanager.getSecret(secretLookup(ambiguous))).rejects.toThrow("ResourceNotFoundException");
  });

  it("keeps a full ARN as it is", async () => {
    const full = (
      await outputValue(
        new GatewayCredentials("partial", {
          namePrefix: "engine-test",
          existingSecretId: partialArn,
          recoveryWindowDays: 30,
          protect: false,
        }).secret,
      )
    ).arn;

    const again = await outputValue(
      new GatewayCredentials("full", {
        namePrefix: "engine-test",
        existingSecretId: full,
        recoveryWindowDays: 30,
        protect: false,
      }).secret,
    );

    expect(again.arn).toBe(full);
  });

  it("names its customer-managed key by key ARN, even when the secret names an alias", async () => {
    const credentials = new GatewayCredentials("cmk", {
      namePrefix: "engine-test",
      existingSecretId: cmkSecret,
      recoveryWindowDays: 30,
      protect: false,
    });

    const secret = await outputValue(credentials.secret);

    expect(secret.kmsKeyArn).toMatch(/^arn:aws:kms:us-east-1:123456789012:key\/[0-9a-f-]{36}$/);
  });

  it("names no key when the AWS-managed aws/secretsmanager key encrypts it", async () => {
    const credentials = new GatewayCredentials("aws-key", {
      namePrefix: "engine-test",
      existingSecretId: awsKeySecret,
      recoveryWindowDays: 30,
      protect: false,
    });

    expect((await outputValue(credentials.secret)).kmsKeyArn).toBeUndefined();
    expect(customerManagedKeyId("arn:aws:kms:us-east-1:123456789012:alias/aws/secretsmanager")).toBeUndefined();
    expect(customerManagedKeyId("")).toBeUndefined();
  });
});

describe("a secret the stack creates", () => {
  it("has the recovery window the stack config gives, and is granted by its full ARN", async () => {
    const credentials = new GatewayCredentials("created", {
      namePrefix: "engine-test",
      clientSecret: pulumi.secret("s3cr3t"),
      recoveryWindowDays: 0,
      protect: false,
    });

    const secret = await outputValue(credentials.secret);
    const created = resources.find((resource) => resource.type === "aws:secretsmanager/secret:Secret");

    expect(created?.inputs).toMatchObject({ name: "engine-test/gateway-client-secret", recoveryWindowInDays: 0 });
    expect(secret).toEqual({
      arn: expect.stringMatching(
        suffixed(`arn:aws:secretsmanager:us-east-1:123456789012:secret:engine-test/gateway-client-secret`),
      ),
    });
  });
});
