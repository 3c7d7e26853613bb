// IAM's answer to one request, evaluated offline by @cloud-copilot/iam-simulate from the identity policy
// the stack deploys: allowed, implicitly denied (no statement allows) or explicitly denied, and which
// statement decided. The simulator is AGPL-3.0: the local engine and the tests use it, no bundle does.
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { PolicyDocument } from "../../infra/iam.ts";

export interface IamRequest {
  action: string;
  resource: string;
  /** Request context keys a condition may test, e.g. `dynamodb:EnclosingOperation`. */
  context?: Record<string, string | string[]>;
}

export type IamResult = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

export interface IamVerdict {
  result: IamResult;
  /** The Sid of the statement that allowed or explicitly denied the request; absent for an implicit deny. */
  statement?: string;
}

/** The simulator refused the request or the policy: a malformed ARN or action, an invalid statement. */
export class IamSimulationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "IamSimulationError";
  }
}

const accountOf = (principal: string) => principal.split(":")[4] ?? "";

/** The deciding statement's Sid; the first when several decide alike. */
const sidOf = (statements: { statement: { sid(): string | undefined } }[] | undefined) => {
  const statement = statements?.[0]?.statement;
  return statement ? (statement.sid() ?? "a statement without Sid") : undefined;
};

export async function evaluateIdentityPolicy(
  principal: string,
  policy: PolicyDocument,
  request: IamRequest,
): Promise<IamVerdict> {
  const account = accountOf(principal);
  const simulation = await runSimulation(
    {
      request: {
        principal,
        action: request.action,
        // Every resource the engine touches is in the principal's own account (S3 ARNs carry none).
        resource: { resource: request.resource, accountId: account },
        contextVariables: request.context ?? {},
      },
      identityPolicies: [{ name: "role-policy", policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (simulation.resultType === "error") {
    throw new IamSimulationError(
      `cannot evaluate ${request.action} on ${request.resource}: ${simulation.errors.message} ${JSON.stringify(simulation.errors)}`,
    );
  }
  const result = simulation.overallResult;
  const analysis = simulation.resultType === "single" ? simulation.result.analysis : simulation.results[0]?.analysis;
  const identity = analysis?.identityAnalysis;
  const statement =
    result === "Allowed"
      ? sidOf(identity?.allowStatements)
      : result === "ExplicitlyDenied"
        ? sidOf(identity?.denyStatements)
        : undefined;
  return statement ? { result, statement } : { result };
}

/**
 * One principal's policy with its verdicts remembered per (action, resource, context): a warm engine asks
 * the same few questions thousands of times, and the policy does not change while it is in use.
 */
export function cachedEvaluator(principal: string, policy: PolicyDocument) {
  const verdicts = new Map<string, Promise<IamVerdict>>();
  return (request: IamRequest): Promise<IamVerdict> => {
    const key = JSON.stringify([request.action, request.resource, request.context ?? {}]);
    let verdict = verdicts.get(key);
    if (!verdict) {
      verdict = evaluateIdentityPolicy(principal, policy, request);
      verdicts.set(key, verdict);
      verdict.catch(() => verdicts.delete(key));
    }
    return verdict;
  };
}
