// Each function's role, locally: the policy the stack deploys for it (`policyDocumentFor`, the same
// function infra/functions/index.ts calls) over the local resources' ARNs, and credentials for the
// role's session, as Lambda hands a function its role's credentials in its environment.
import type { EngineFunction } from "../../infra/catalog.ts";
import { policyDocumentFor } from "../../infra/functions/permissions.ts";
import type { PolicyDocument } from "../../infra/iam.ts";
import { type LocalResources, localArns, localResourceArns } from "./arns.ts";
import type { FunctionCredentials, LocalIam } from "./authorizer.ts";

/** Changes a function's policy before it is issued, e.g. to prove a missing statement is refused. */
export type PolicyOverride = (functionId: string, document: PolicyDocument) => PolicyDocument;

export function issueFunctionRoles(
  iam: LocalIam,
  functions: readonly EngineFunction[],
  options: { resources: LocalResources; functionName: (id: string) => string; override?: PolicyOverride },
): Record<string, FunctionCredentials> {
  return Object.fromEntries(
    functions.map((fn) => {
      const name = options.functionName(fn.id);
      const document = policyDocumentFor(fn, localResourceArns(options.resources, `/aws/lambda/${name}`));
      const policy = options.override ? options.override(fn.id, document) : document;
      // Lambda's role session is named for the function.
      return [fn.id, iam.issue(fn.id, localArns.assumedRole(`${name}-role`, name), policy)];
    }),
  );
}

/** The variables Lambda sets from the role's session; the SDK and the signed-fetch clients read them. */
export function credentialsEnvironment(credentials: FunctionCredentials): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
  };
}
