import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { installPulumiMocks, outputValue } from "./pulumi-mocks.ts";

const resources = installPulumiMocks();

describe("pulumi mocks", () => {
  it("records resources with their inputs and answers ARN-shaped state", async () => {
    const queue = new aws.sqs.Queue("dead-letters", { name: "engine-dlq", messageRetentionSeconds: 1209600 });

    expect(await outputValue(queue.arn)).toBe("arn:aws:sqs:us-east-1:123456789012:engine-dlq");
    expect(resources).toContainEqual(
      expect.objectContaining({
        type: "aws:sqs/queue:Queue",
        name: "dead-letters",
        inputs: expect.objectContaining({ messageRetentionSeconds: 1209600 }),
      }),
    );
  });
});
