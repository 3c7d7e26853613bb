// The status API's token contract, shared by the function, the stack's config and the local HTTP API.

/**
 * The claim that names the caller's tenant, unless the stack's `tenantClaim` says otherwise. Not Cognito's
 * `custom:tenant_id`: Cognito writes user attributes into ID tokens only, and an access token carries a
 * tenant only when the user pool's pre-token-generation trigger (event version V2_0, or V3_0 for
 * client-credentials tokens) adds one under `accessTokenGeneration.claimsToAddOrOverride`; the same
 * response can add it to ID tokens under `idTokenGeneration`. A plain name keeps the claim out of the
 * attribute namespace and lets either token carry it.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html
 */
export const DEFAULT_TENANT_CLAIM = "tenant_id";
