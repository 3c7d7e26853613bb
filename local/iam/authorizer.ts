// IAM for the local engine: each function gets credentials of its own, standing for its role's session
// (`assumed-role/<role>/<function>`) and its role policy; every request the local services receive is
// authorized here before it is served, and every decision about a function's request is kept.
// Keys that are not a function's belong to callers outside the functions (the decision layer writing
// intents, operators, tests, the benchmark): they act as the account's administrator, as those callers
// have permissions of their own on AWS.
import { randomBytes } from "node:crypto";
import type { PolicyDocument } from "../../infra/iam.ts";
import { cachedEvaluator, type IamRequest, type IamResult, type IamVerdict } from "./evaluate.ts";
import { type SignedRequest, signatureMatches, signerOf } from "./sigv4.ts";

export interface FunctionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

export interface FunctionIdentity {
  functionId: string;
  principal: string;
  policy: PolicyDocument;
  credentials: FunctionCredentials;
}

export interface AuthorizationDecision {
  functionId: string;
  principal: string;
  action: string;
  resource: string;
  context?: IamRequest["context"];
  result: IamResult;
  /** The statement that allowed or explicitly denied the request; absent when no statement allows it. */
  statement?: string;
  at: string;
}

/** What a service answers: serve, or refuse the way AWS refuses (each service renders its own error). */
export type Authorization =
  | { outcome: "allowed" }
  | { outcome: "unsigned" }
  /** A function's key with a session token that is missing or not the one issued with it. */
  | { outcome: "invalid-token"; accessKeyId: string }
  /** A function's key with a signature its secret key did not make. */
  | { outcome: "signature-mismatch"; accessKeyId: string }
  | { outcome: "denied"; decision: AuthorizationDecision; message: string };

export interface LocalIam {
  /** Issues a function's credentials; its requests are then evaluated against `policy` as `principal`. */
  issue(functionId: string, principal: string, policy: PolicyDocument): FunctionCredentials;
  identity(functionId: string): FunctionIdentity | undefined;
  /** Tells an engine that keeps its own key registry (s3rver) about each key issued from now on. */
  onIssue(listener: (credentials: FunctionCredentials) => void): void;
  /** Every permission must be allowed; the first one denied decides the answer. */
  authorize(request: SignedRequest, permissions: readonly IamRequest[]): Promise<Authorization>;
  /** Every decision about a function's request, oldest first (the latest 100,000). */
  readonly decisions: readonly AuthorizationDecision[];
}

/** Decisions kept: plenty for a test run or a demo, bounded for an engine left running for days. */
const KEPT_DECISIONS = 100_000;

/** AWS's wording, e.g. for DynamoDB, EventBridge and S3 (which quotes the resource) alike. */
export function denialMessage(decision: AuthorizationDecision, quoteResource = false): string {
  const resource = quoteResource ? `"${decision.resource}"` : decision.resource;
  const because =
    decision.result === "ExplicitlyDenied"
      ? "with an explicit deny in an identity-based policy"
      : `because no identity-based policy allows the ${decision.action} action`;
  return `User: ${decision.principal} is not authorized to perform: ${decision.action} on resource: ${resource} ${because}`;
}

/** Temporary credentials as STS issues them: an ASIA key id, a secret key and a session token. */
function newCredentials(): FunctionCredentials {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const keyId = [...randomBytes(16)].map((byte) => alphabet[byte % alphabet.length]).join("");
  return {
    accessKeyId: `ASIA${keyId}`,
    secretAccessKey: randomBytes(30).toString("base64"),
    sessionToken: randomBytes(96).toString("base64"),
  };
}

export function createLocalIam(
  options: { onDenial?: (decision: AuthorizationDecision, message: string) => void } = {},
) {
  const byKey = new Map<string, FunctionIdentity & { evaluate: (request: IamRequest) => Promise<IamVerdict> }>();
  const byFunction = new Map<string, FunctionIdentity>();
  const decisions: AuthorizationDecision[] = [];
  const issueListeners: ((credentials: FunctionCredentials) => void)[] = [];

  const iam: LocalIam = {
    issue(functionId, principal, policy) {
      const credentials = newCredentials();
      const identity = { functionId, principal, policy, credentials };
      byKey.set(credentials.accessKeyId, { ...identity, evaluate: cachedEvaluator(principal, policy) });
      byFunction.set(functionId, identity);
      for (const listener of issueListeners) listener(credentials);
      return credentials;
    },
    identity: (functionId) => byFunction.get(functionId),
    onIssue: (listener) => issueListeners.push(listener),
    async authorize(request, permissions) {
      const signer = signerOf(request);
      if (!signer) return { outcome: "unsigned" };
      const identity = byKey.get(signer.accessKeyId);
      if (!identity) return { outcome: "allowed" };
      if (signer.sessionToken !== identity.credentials.sessionToken) {
        return { outcome: "invalid-token", accessKeyId: signer.accessKeyId };
      }
      if (!signatureMatches(request, identity.credentials.secretAccessKey)) {
        return { outcome: "signature-mismatch", accessKeyId: signer.accessKeyId };
      }
      const verdicts = await Promise.all(permissions.map((permission) => identity.evaluate(permission)));
      let denied: AuthorizationDecision | undefined;
      permissions.forEach((permission, index) => {
        const verdict = verdicts[index] as IamVerdict;
        const decision: AuthorizationDecision = {
          functionId: identity.functionId,
          principal: identity.principal,
          action: permission.action,
          resource: permission.resource,
          ...(permission.context ? { context: permission.context } : {}),
          result: verdict.result,
          ...(verdict.statement ? { statement: verdict.statement } : {}),
          at: new Date().toISOString(),
        };
        decisions.push(decision);
        if (decisions.length > KEPT_DECISIONS) decisions.splice(0, decisions.length - KEPT_DECISIONS);
        if (verdict.result !== "Allowed") denied ??= decision;
      });
      if (!denied) return { outcome: "allowed" };
      const message = denialMessage(denied);
      options.onDenial?.(denied, message);
      return { outcome: "denied", decision: denied, message };
    },
    decisions,
  };
  return iam;
}
