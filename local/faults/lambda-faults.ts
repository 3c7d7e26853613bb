// Faults of the Lambda service around an invocation, played by the function host (function-workers.ts):
// the invocation is throttled before it runs, the sandbox dies (before the handler runs, or after it
// returned and before its result was reported), or the function times out. What Step Functions sees is
// what it reports for a Lambda task (https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html):
// - throttle: `Lambda.TooManyRequestsException`, the invocation never ran;
// - crash: `Lambda.Unknown`, "unhandled errors in Lambda ... include out-of-memory errors", the runtime's
//   own report of a killed process (Runtime.ExitError, "signal: killed") as the cause;
// - timeout: `Sandbox.Timedout`, "Task timed out after N seconds", as the host reports a real timeout. The
//   clock is compressed: the timeout is reported at once instead of after the function's full timeout.
// After a crash or a timeout Lambda discards the sandbox: the next invocation starts cold.
import { randomUUID } from "node:crypto";
import type { LambdaFailure } from "../function-protocol.ts";
import { THROTTLED_ERROR } from "../lambda-concurrency.ts";
import type { FaultPlan } from "./plan.ts";
import { stableSubject } from "./plan.ts";

export interface HostFault {
  kind: "crash" | "throttle" | "timeout";
  /** before: the handler never runs; after: it ran, and its result is lost. */
  at: "before" | "after";
  failure: LambdaFailure;
}

export function hostFailure(kind: HostFault["kind"], timeoutMs: number): LambdaFailure {
  const requestId = randomUUID();
  switch (kind) {
    case "throttle":
      return {
        errorType: THROTTLED_ERROR,
        errorMessage: "Rate Exceeded. (Service: Lambda, Status Code: 429)",
        trace: [],
      };
    case "crash":
      return {
        errorType: "Lambda.Unknown",
        errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: signal: killed (Runtime.ExitError)`,
        trace: [],
      };
    case "timeout":
      return {
        errorType: "Sandbox.Timedout",
        errorMessage: `RequestId: ${requestId} Error: Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`,
        trace: [],
      };
  }
}

/** What an invocation is about: the intent a state's input names, else the HTTP route a request takes. */
function invocationSubject(event: unknown): string {
  const fields = (event ?? {}) as { action_intent_id?: unknown; routeKey?: unknown; rawPath?: unknown };
  return stableSubject(String(fields.action_intent_id ?? fields.rawPath ?? fields.routeKey ?? ""));
}

/** The fault the plan plays on one invocation of `functionId`, if any. */
export function lambdaFaultFor(
  plan: FaultPlan,
  functionId: string,
  event: unknown,
  timeoutMs: number,
): HostFault | undefined {
  const decision = plan.decide({
    service: "lambda",
    targets: [functionId],
    caller: functionId,
    subject: `${functionId} ${invocationSubject(event)}`,
  });
  if (!decision) return undefined;
  const kind = decision.fault.kind as HostFault["kind"];
  return { kind, at: kind === "throttle" ? "before" : decision.at, failure: hostFailure(kind, timeoutMs) };
}
