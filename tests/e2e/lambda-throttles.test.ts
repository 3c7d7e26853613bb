// Lambda throttles on the local engine, from the stack's own reserved concurrency: a function reserved at 0
// is throttled on every invocation (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html),
// which exercises what a real throttle reaches: the state machine's Retry on Lambda.TooManyRequestsException,
// the failure recorded once the retries run out, AWS/Lambda's Throttles metric and the throttle alarm.
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { loadTemplate } from "../../infra/workflow/definition.ts";
import { demoIntent } from "../../local/demo-data.ts";
import { publicClient } from "../../local/demo-scenarios.ts";
import { startLocalEngine } from "../../local/engine.ts";
import { executionOf } from "../support/engine-records.ts";

const engine = await startLocalEngine({
  dynamodbEndpoint: inject("dynamodbEndpoint"),
  tablePrefix: `e2e-throttles-${randomUUID().slice(0, 8)}`,
  stateDirectory: mkdtempSync(join(tmpdir(), "engine-throttles-")),
  retryIntervalMs: 10,
  configOverrides: { reservedConcurrency: '{"tool-mapper": 0}', alarmThrottleThreshold: "1" },
});
afterAll(() => engine.stop());
const client = publicClient(engine);

/** How often the definition retries a throttled MapActionToTool. */
const throttleRetries = (() => {
  const retriers = (loadTemplate().States.MapActionToTool?.Retry ?? []) as {
    ErrorEquals: string[];
    MaxAttempts?: number;
  }[];
  const retrier = retriers.find((candidate) => candidate.ErrorEquals.includes("Lambda.TooManyRequestsException"));
  if (!retrier) throw new Error("MapActionToTool does not retry Lambda.TooManyRequestsException");
  return retrier.MaxAttempts ?? 3;
})();

describe("a function throttled by its reserved concurrency", () => {
  it("is retried by the state machine, then recorded as a rate-limit failure, counted as throttles and alarmed on", async () => {
    const intent = demoIntent({
      action_intent_id: `intent-${randomUUID().slice(0, 8)}`,
      tenant_id: "tenant-throttled",
      account_id: "account-throttled",
      action_type: "CREATE_CRM_TASK",
      parameters: { title: "never mapped" },
    });

    await client.storeAndApprove(intent);
    await engine.idle();

    const run = executionOf(engine, intent.action_intent_id);
    const retries = run?.transitions.filter((t) => t.state === "MapActionToTool" && t.event === "retried") ?? [];
    expect(retries).toHaveLength(throttleRetries);
    expect(run?.transitions).toContainEqual(
      expect.objectContaining({ state: "MapActionToTool", event: "caught", detail: "RecordFailure" }),
    );
    const { body } = await client.status(intent);
    expect(body).toMatchObject({ status: "FAILED", error_class: "RATE_LIMIT" });
    expect(engine.gateway.calls().filter((call) => call.arguments.title === "never mapped")).toEqual([]);

    const mapperPoints = engine.telemetry.datapoints.filter(
      (point) => point.namespace === "AWS/Lambda" && point.dimensions.FunctionName === "engine-local-tool-mapper",
    );
    // Every attempt throttled, none of them an invocation: Lambda counts a throttle in Throttles alone.
    expect(mapperPoints.map((point) => point.metricName)).toEqual(Array(throttleRetries + 1).fill("Throttles"));
    expect(engine.evaluateAlarms().find((alarm) => alarm.id === "throttles")?.state).toBe("ALARM");
  });
});
