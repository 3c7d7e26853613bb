// Lambda's concurrency limits, as the local function host enforces them
// (https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html): a function with reserved
// concurrency runs at most that many invocations at once; the functions without one share the account's
// limit less every reservation. An invocation over its limit is not queued: Lambda answers 429
// TooManyRequestsException, which a Step Functions Lambda task reports as `Lambda.TooManyRequestsException`
// (https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html).
//
// Concurrency counts invocations in flight, whether or not this machine has a worker free for each at
// once: on AWS each would hold an execution environment of its own.
import type { LambdaFailure } from "./function-protocol.ts";

export interface ConcurrencyLimits {
  /** The account's concurrent executions in the region. */
  accountLimit: number;
  /** Function id -> reserved concurrency; a function absent shares the unreserved pool. */
  reserved: Readonly<Partial<Record<string, number>>>;
}

/** The error name a throttled invocation fails with, as the state machine matches it. */
export const THROTTLED_ERROR = "Lambda.TooManyRequestsException";

/** Lambda's 429, with the reason its Invoke API gives (TooManyRequestsException's `Reason`). */
function throttled(reason: "ReservedFunctionConcurrentInvocationLimitExceeded" | "ConcurrentInvocationLimitExceeded") {
  return {
    errorType: THROTTLED_ERROR,
    errorMessage: `Rate Exceeded. (Service: Lambda, Status Code: 429, Reason: ${reason})`,
    trace: [],
  } satisfies LambdaFailure;
}

export function createConcurrencyLimiter(limits: ConcurrencyLimits) {
  const inFlight = new Map<string, number>();
  const reservedInAll = Object.values(limits.reserved).reduce<number>((sum, count) => sum + (count ?? 0), 0);
  const unreservedPool = Math.max(0, limits.accountLimit - reservedInAll);
  let unreservedInFlight = 0;
  return {
    /** Counts an invocation in, or answers the failure Lambda throttles it with. */
    admit(functionId: string): LambdaFailure | undefined {
      const reserved = limits.reserved[functionId];
      const running = inFlight.get(functionId) ?? 0;
      if (reserved !== undefined && running >= reserved)
        return throttled("ReservedFunctionConcurrentInvocationLimitExceeded");
      if (reserved === undefined && unreservedInFlight >= unreservedPool)
        return throttled("ConcurrentInvocationLimitExceeded");
      inFlight.set(functionId, running + 1);
      if (reserved === undefined) unreservedInFlight++;
      return undefined;
    },
    /** Counts an admitted invocation out. */
    release(functionId: string): void {
      inFlight.set(functionId, (inFlight.get(functionId) ?? 1) - 1);
      if (limits.reserved[functionId] === undefined) unreservedInFlight--;
    },
  };
}
