// InvokeTool waits out another run's claim on the same tool call. The claim is a Powertools idempotency record
// whose in-progress expiry is the claiming invocation's deadline: Powertools stamps it `Date.now() +
// context.getRemainingTimeInMillis()` (functions/kernel/exactly-once.ts registers the Lambda context), so it
// lies at most the tool invoker's Lambda timeout after the claim. A run told ToolCallInProgressError saw the
// claim after it was made: once it has waited that timeout and the margin below, the record is COMPLETED (its
// result is replayed) or its claim has expired (this run claims and calls). Any shorter, and the rerun of an
// Express execution could give up on a call that is about to succeed and record the execution FAILED.
// (https://docs.powertools.aws.dev/lambda/typescript/latest/features/idempotency/#handling-lambda-timeout)
import { describe, expect, it } from "vitest";
import { engineFunctions } from "../catalog.ts";
import { loadTemplate, validateTemplate } from "./definition.ts";
import { retrierWaits } from "./duration-bound.ts";

/**
 * What the claim can outlive its deadline by, as seen by the run that waits: Lambda stops a timed-out
 * invocation a little late (about 0.7 s observed:
 * https://github.com/aws-powertools/powertools-lambda-python/issues/4759), and the expiry is stamped by one
 * host's clock and compared on another's, each kept by NTP
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html, TZ).
 */
const CLAIM_MARGIN_SECONDS = 2;

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
}

const template = validateTemplate(loadTemplate());
const retriersOf = (state: string) => (template.States[state]?.Retry as Retrier[] | undefined) ?? [];
const toolInvoker = engineFunctions.find((fn) => fn.id === "tool-invoker");
// A retrier is chosen by the first whose ErrorEquals matches the error's name, or takes every error.
const matchesInProgress = (retrier: Retrier) =>
  retrier.ErrorEquals.some((name) => ["ToolCallInProgressError", "States.ALL", "States.TaskFailed"].includes(name));

describe("InvokeTool's retrier for a tool call in progress in another run", () => {
  it("is InvokeTool's own, the first to match ToolCallInProgressError, and waits without jitter", () => {
    const retrier = retriersOf("InvokeTool").find(matchesInProgress);

    expect(retrier?.ErrorEquals).toEqual(["ToolCallInProgressError"]);
    // FULL jitter draws each wait between 0 and its backoff: only an un-jittered wait is guaranteed
    // (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
    expect(retrier?.JitterStrategy ?? "NONE").toBe("NONE");
  });

  it("waits in all at least the tool invoker's Lambda timeout plus the claim's margin", () => {
    const retrier = retriersOf("InvokeTool").find(matchesInProgress);
    if (!retrier || !toolInvoker) throw new Error("InvokeTool's in-progress retrier or the tool invoker is missing");

    const guaranteedWait = retrierWaits(retrier).reduce((sum, wait) => sum + wait, 0);

    expect(guaranteedWait).toBeGreaterThanOrEqual(toolInvoker.timeoutSeconds + CLAIM_MARGIN_SECONDS);
  });
});
