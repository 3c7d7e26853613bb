// The status API: an HTTP API whose every route needs a JWT from the configured issuer, proxying to the
// status-api function (payload v2) on the `$default` stage, throttled and access-logged.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { statusRoutes } from "../../functions/status-api/routes.ts";
import { ConfigError, type EngineConfig } from "../config.ts";

export type StatusApiConfig = Pick<
  EngineConfig["api"],
  "jwtIssuer" | "jwtAudience" | "corsAllowedOrigins" | "throttlingBurstLimit" | "throttlingRateLimit"
>;

/** What the API needs of the status-api function; an `aws.lambda.Function` fits as it is. */
export interface StatusApiFunction {
  name: pulumi.Input<string>;
  invokeArn: pulumi.Input<string>;
}

export interface StatusApiArgs {
  /** The status-api Lambda function. */
  handler: StatusApiFunction;
  api: StatusApiConfig;
  logRetentionDays: number;
  namePrefix: string;
  /** Protects the API (its id is in every client's URL) and its access logs. */
  protect: boolean;
  /** How long API Gateway waits for the function; HTTP APIs allow at most 30 s. */
  integrationTimeoutMs?: number;
}

/**
 * The routes the status handler's router serves, by the same paths. The `$default` stage adds no path
 * prefix, so `requestContext.http.path` is exactly what the router matches.
 */
/** The HTTP API routes, from the same declaration the status handler's router matches. */
export const statusApiRoutes = [
  { id: "execution-status", routeKey: `${statusRoutes.executionStatus.method} ${statusRoutes.executionStatus.path}` },
  {
    id: "account-executions",
    routeKey: `${statusRoutes.accountExecutions.method} ${statusRoutes.accountExecutions.path}`,
  },
] as const;

export const defaultStageName = "$default";

export const jwtIdentitySource = "$request.header.Authorization";

/** A little above the status function's Lambda timeout, so the function, not the gateway, gives up first. */
export const defaultIntegrationTimeoutMs = 12_000;

/** Matches the preflight cache the handler's httpCors sets, so both answer alike. */
export const corsMaxAgeSeconds = 600;

/**
 * API-level CORS: API Gateway answers preflight itself and sets the headers on every response, so OPTIONS
 * needs no route and no token. Exact origins only, because every response carries one tenant's data;
 * no origins means no CORS at all, so no browser may read responses.
 */
export function corsConfiguration(origins: readonly string[]) {
  for (const origin of origins) {
    if (origin.includes("*") || !URL.canParse(origin) || new URL(origin).origin !== origin) {
      throw new ConfigError("corsAllowedOrigins", "a list of exact origins like https://app.example.com", origin);
    }
  }
  if (origins.length === 0) return undefined;
  return {
    allowOrigins: [...origins],
    allowMethods: ["GET", "OPTIONS"],
    allowHeaders: ["authorization", "content-type"],
    maxAge: corsMaxAgeSeconds,
  };
}

/** One JSON object per request; the authorizer's error says why a token was refused. */
export function accessLogFormat(): string {
  return JSON.stringify({
    requestId: "$context.requestId",
    ip: "$context.identity.sourceIp",
    requestTime: "$context.requestTime",
    httpMethod: "$context.httpMethod",
    routeKey: "$context.routeKey",
    status: "$context.status",
    protocol: "$context.protocol",
    responseLength: "$context.responseLength",
    integrationError: "$context.integrationErrorMessage",
    authorizerError: "$context.authorizer.error",
    latency: "$context.responseLatency",
  });
}

/** Any stage, method and path of this API; the routes themselves decide what reaches the function. */
export function invokePermissionSourceArn(executionArn: string): string {
  return `${executionArn}/*/*`;
}

export class StatusApi extends pulumi.ComponentResource {
  readonly api: aws.apigatewayv2.Api;
  readonly authorizer: aws.apigatewayv2.Authorizer;
  readonly routes: aws.apigatewayv2.Route[];
  readonly stage: aws.apigatewayv2.Stage;
  readonly invokePermission: aws.lambda.Permission;

  readonly apiId: pulumi.Output<string>;
  /** The base URL; the `$default` stage serves at the root. */
  readonly apiEndpoint: pulumi.Output<string>;
  readonly stageName: pulumi.Output<string>;
  readonly accessLogGroupName: pulumi.Output<string>;

  constructor(name: string, args: StatusApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("engine:api:StatusApi", name, {}, opts);
    const { namePrefix, api: config } = args;

    this.api = new aws.apigatewayv2.Api(
      `${name}-api`,
      {
        name: `${namePrefix}-status-api`,
        protocolType: "HTTP",
        description: "Execution status of approved action intents, per tenant",
        corsConfiguration: corsConfiguration(config.corsAllowedOrigins),
      },
      { parent: this, protect: args.protect },
    );

    this.authorizer = new aws.apigatewayv2.Authorizer(
      `${name}-jwt`,
      {
        apiId: this.api.id,
        name: `${namePrefix}-jwt`,
        authorizerType: "JWT",
        identitySources: [jwtIdentitySource],
        jwtConfiguration: { issuer: config.jwtIssuer, audiences: config.jwtAudience },
      },
      { parent: this },
    );

    const integration = new aws.apigatewayv2.Integration(
      `${name}-integration`,
      {
        apiId: this.api.id,
        integrationType: "AWS_PROXY",
        integrationUri: args.handler.invokeArn,
        integrationMethod: "POST",
        payloadFormatVersion: "2.0",
        timeoutMilliseconds: args.integrationTimeoutMs ?? defaultIntegrationTimeoutMs,
      },
      { parent: this },
    );

    this.routes = statusApiRoutes.map(
      (route) =>
        new aws.apigatewayv2.Route(
          `${name}-${route.id}`,
          {
            apiId: this.api.id,
            routeKey: route.routeKey,
            target: pulumi.interpolate`integrations/${integration.id}`,
            authorizationType: "JWT",
            authorizerId: this.authorizer.id,
          },
          { parent: this },
        ),
    );

    const accessLogs = new aws.cloudwatch.LogGroup(
      `${name}-access-logs`,
      { name: `/aws/apigateway/${namePrefix}-status-api`, retentionInDays: args.logRetentionDays },
      { parent: this, protect: args.protect },
    );

    this.stage = new aws.apigatewayv2.Stage(
      `${name}-stage`,
      {
        apiId: this.api.id,
        name: defaultStageName,
        autoDeploy: true,
        defaultRouteSettings: {
          throttlingBurstLimit: config.throttlingBurstLimit,
          throttlingRateLimit: config.throttlingRateLimit,
        },
        accessLogSettings: { destinationArn: accessLogs.arn, format: accessLogFormat() },
      },
      { parent: this },
    );

    this.invokePermission = new aws.lambda.Permission(
      `${name}-invoke`,
      {
        action: "lambda:InvokeFunction",
        function: args.handler.name,
        principal: "apigateway.amazonaws.com",
        sourceArn: this.api.executionArn.apply(invokePermissionSourceArn),
      },
      { parent: this },
    );

    this.apiId = this.api.id;
    this.apiEndpoint = this.api.apiEndpoint;
    this.stageName = this.stage.name;
    this.accessLogGroupName = accessLogs.name;
    this.registerOutputs({
      apiId: this.apiId,
      apiEndpoint: this.apiEndpoint,
      stageName: this.stageName,
      accessLogGroupName: this.accessLogGroupName,
    });
  }
}
