// IAM's answer to one request, evaluated offline by @cloud-copilot/iam-simulate: the caller's identity
// policies and the resource's own policy (a queue policy, a role's trust policy), conditions included, as
// AWS evaluates them within one account. The simulator is AGPL-3.0: tests and the local engine use it, no
// deployed bundle may contain it (infra/deployed-bundles.test.ts holds every bundle to that).
import { getDenialReasons, getGrantReasons, type RequestAnalysis, runSimulation } from "@cloud-copilot/iam-simulate";

/** A policy document as IAM reads it: the program's own (infra/iam.ts) or one parsed from a synthesized stack. */
export type PolicyJson = { Version?: string; Statement: unknown };

export interface SimulationRequest {
  /**
   * Who calls: a role session (`arn:aws:sts::<account>:assumed-role/<role>/<session>`), a role or user ARN, or
   * a service principal such as `events.amazonaws.com`.
   */
  principal: string;
  action: string;
  /** The resource's ARN, as AWS writes it (a secret's with its six-character suffix), or `*`. */
  resource: string;
  /** The caller's identity policies; a service principal has none. */
  policies?: PolicyJson[];
  /** The resource's own policy: a queue policy, a role's trust policy, a function's permissions. */
  resourcePolicy?: PolicyJson;
  /** Request context keys conditions may test, e.g. `aws:SourceArn`. */
  context?: Record<string, string | string[]>;
  /** The account owning the resource; by default the resource ARN's, else the principal's. */
  resourceAccount?: string;
}

export type SimulationResult = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

export interface SimulationVerdict {
  result: SimulationResult;
  /** The statements that decided, e.g. `identity policy 1: InvokeEngineFunctions`; none for a plain implicit deny. */
  statements: string[];
  /** The request, the verdict and why, in one line: for assertion messages and refusals. */
  explanation: string;
}

/** The simulator refused the request or a policy: an unknown action, a malformed ARN, an invalid statement. */
export class IamSimulationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "IamSimulationError";
  }
}

const accountOf = (arn: string) => (arn.startsWith("arn:") ? (arn.split(":")[4] ?? "") : "");
const identityPolicyName = (index: number) => `identity policy ${index + 1}`;

function decidingStatements(result: SimulationResult, analysis: RequestAnalysis | undefined): string[] {
  if (!analysis) return [];
  const named = (policy: string, statementId: string | undefined, index: number) =>
    `${policy}: ${statementId ?? `statement ${index}`}`;
  if (result === "Allowed") {
    return getGrantReasons(analysis).map((grant) =>
      named(
        grant.policyType === "resource" ? "resource policy" : grant.policyIdentifier,
        grant.statementId,
        grant.statementIndex,
      ),
    );
  }
  return getDenialReasons(analysis).flatMap((denial) =>
    denial.denialType === "Explicit"
      ? [named(denial.policyIdentifier ?? `${denial.policyType} policy`, denial.statementId, denial.statementIndex)]
      : [],
  );
}

export async function simulate(request: SimulationRequest): Promise<SimulationVerdict> {
  const { principal, action, resource, policies = [], resourcePolicy, context = {} } = request;
  const simulation = await runSimulation(
    {
      request: {
        principal,
        action,
        resource: {
          resource,
          accountId: request.resourceAccount || accountOf(resource) || accountOf(principal),
        },
        contextVariables: context,
      },
      identityPolicies: policies.map((policy, index) => ({ name: identityPolicyName(index), policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
    },
    {},
  );
  const asked = `${principal} ${action} on ${resource}${Object.keys(context).length ? ` with ${JSON.stringify(context)}` : ""}`;
  if (simulation.resultType === "error") {
    throw new IamSimulationError(`cannot evaluate ${asked}: ${JSON.stringify(simulation.errors)}`);
  }
  const result = simulation.overallResult;
  const analysis = simulation.resultType === "single" ? simulation.result.analysis : simulation.results[0]?.analysis;
  const statements = decidingStatements(result, analysis);
  const why = statements.length
    ? ` by ${statements.join(", ")}`
    : result === "ImplicitlyDenied"
      ? ": no statement allows it"
      : "";
  return { result, statements, explanation: `${asked}: ${result}${why}` };
}
