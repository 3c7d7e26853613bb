// IAM's answer to a function's request, from the role policy the stack deploys, evaluated offline by
// local/iam/simulation.ts (@cloud-copilot/iam-simulate, AGPL-3.0: the local engine and the tests
// use it, no deployed bundle does), and remembered: a warm engine asks the same few questions thousands of
// times, and a role's policy does not change while the engine runs.
import type { PolicyDocument } from "../../infra/iam.ts";
import { type SimulationResult, simulate } from "./simulation.ts";

export interface IamRequest {
  action: string;
  resource: string;
  /** Request context keys a condition may test, e.g. `dynamodb:EnclosingOperation`. */
  context?: Record<string, string | string[]>;
}

export type IamResult = SimulationResult;

export interface IamVerdict {
  result: IamResult;
  /** The Sid of the statement that allowed or explicitly denied the request; absent for an implicit deny. */
  statement?: string;
}

export function cachedEvaluator(principal: string, policy: PolicyDocument) {
  const verdicts = new Map<string, Promise<IamVerdict>>();
  const evaluate = async (request: IamRequest): Promise<IamVerdict> => {
    const { result, statements } = await simulate({ principal, policies: [policy], ...request });
    // The simulator names a statement `<policy>: <Sid>`.
    const statement = statements[0]?.split(": ").pop();
    return statement ? { result, statement } : { result };
  };
  return (request: IamRequest): Promise<IamVerdict> => {
    const key = JSON.stringify([request.action, request.resource, request.context ?? {}]);
    let verdict = verdicts.get(key);
    if (!verdict) {
      // Object keys differ per execution: an engine left running must not remember every one.
      if (verdicts.size >= 10_000) verdicts.clear();
      verdict = evaluate(request);
      verdicts.set(key, verdict);
      verdict.catch(() => verdicts.delete(key));
    }
    return verdict;
  };
}
