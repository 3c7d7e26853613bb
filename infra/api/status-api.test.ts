import { beforeAll, describe, expect, it } from "vitest";
import { installPulumiMocks, type RecordedResource, outputValue as resolved } from "../testing/pulumi-mocks.ts";
import { accessLogFormat, corsConfiguration, StatusApi, type StatusApiConfig, statusApiRoutes } from "./index.ts";

const resources = installPulumiMocks();

const apiConfig: StatusApiConfig = {
  jwtIssuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example",
  jwtAudience: ["console-client", "cli-client"],
  corsAllowedOrigins: ["https://console.example.com", "https://ops.example.com"],
  throttlingBurstLimit: 20,
  throttlingRateLimit: 40,
};
const functionName = "engine-test-status-api";
const invokeArn = `arn:aws:apigateway:us-east-1:lambda:path/functions/arn:aws:lambda:us-east-1:123456789012:function:${functionName}/invocations`;

function recordedAll(type: string): RecordedResource[] {
  return resources.filter((resource) => resource.type === type);
}

function recorded(type: string): RecordedResource {
  const found = recordedAll(type);
  expect(found, type).toHaveLength(1);
  return found[0] as RecordedResource;
}

describe("StatusApi", () => {
  let component: StatusApi;

  beforeAll(async () => {
    component = new StatusApi("status", {
      handler: { name: functionName, invokeArn },
      api: apiConfig,
      logRetentionDays: 30,
      namePrefix: "engine-test",
      protect: false,
    });
    await Promise.all([
      ...component.routes.map((route) => resolved(route.id)),
      resolved(component.stage.id),
      resolved(component.invokePermission.id),
    ]);
  });

  it("verifies JWTs from the configured issuer for the configured audiences", () => {
    const authorizer = recorded("aws:apigatewayv2/authorizer:Authorizer");

    expect(authorizer.inputs).toMatchObject({
      authorizerType: "JWT",
      identitySources: ["$request.header.Authorization"],
      jwtConfiguration: { issuer: apiConfig.jwtIssuer, audiences: apiConfig.jwtAudience },
    });
  });

  it("serves exactly the two status routes, each behind the JWT authorizer", () => {
    const authorizer = recorded("aws:apigatewayv2/authorizer:Authorizer");
    const integration = recorded("aws:apigatewayv2/integration:Integration");
    const routes = recordedAll("aws:apigatewayv2/route:Route");

    expect(routes.map((route) => route.inputs.routeKey).sort()).toEqual([
      "GET /accounts/{account_id}/executions",
      "GET /executions/{action_intent_id}/status",
    ]);
    for (const route of routes) {
      expect(route.inputs, String(route.inputs.routeKey)).toMatchObject({
        authorizationType: "JWT",
        authorizerId: authorizer.id,
        target: `integrations/${integration.id}`,
      });
    }
  });

  it("routes exactly the paths the status handler's router matches", () => {
    expect(statusApiRoutes.map((route) => route.routeKey)).toEqual([
      "GET /executions/{action_intent_id}/status",
      "GET /accounts/{account_id}/executions",
    ]);
  });

  it("proxies to the status function with payload format 2.0", () => {
    const integration = recorded("aws:apigatewayv2/integration:Integration");

    expect(integration.inputs).toMatchObject({
      integrationType: "AWS_PROXY",
      integrationUri: invokeArn,
      integrationMethod: "POST",
      payloadFormatVersion: "2.0",
    });
    expect(integration.inputs.timeoutMilliseconds).toBeLessThanOrEqual(30_000);
  });

  it("deploys on the $default stage, throttled and access-logged as JSON", async () => {
    const stage = recorded("aws:apigatewayv2/stage:Stage");
    const logGroup = recorded("aws:cloudwatch/logGroup:LogGroup");
    const api = recorded("aws:apigatewayv2/api:Api");

    expect(stage.inputs).toMatchObject({
      apiId: api.id,
      name: "$default",
      autoDeploy: true,
      defaultRouteSettings: { throttlingBurstLimit: 20, throttlingRateLimit: 40 },
      accessLogSettings: {
        destinationArn: `arn:aws:logs:us-east-1:123456789012:log-group:${logGroup.inputs.name}`,
        format: accessLogFormat(),
      },
    });
    expect(logGroup.inputs.retentionInDays).toBe(30);
    expect(await resolved(component.accessLogGroupName)).toBe(logGroup.inputs.name);
  });

  it("logs who called, what was answered and why a token was refused", () => {
    const format = JSON.parse(accessLogFormat());

    expect(format).toMatchObject({
      requestId: "$context.requestId",
      ip: "$context.identity.sourceIp",
      routeKey: "$context.routeKey",
      status: "$context.status",
      integrationError: "$context.integrationErrorMessage",
      authorizerError: "$context.authorizer.error",
    });
    expect(Object.keys(format)).toEqual(
      expect.arrayContaining(["requestTime", "httpMethod", "protocol", "responseLength", "latency"]),
    );
  });

  it("is an HTTP API allowing exactly the configured browser origins", () => {
    const api = recorded("aws:apigatewayv2/api:Api");

    expect(api.inputs.protocolType).toBe("HTTP");
    expect(api.inputs.corsConfiguration).toEqual({
      allowOrigins: apiConfig.corsAllowedOrigins,
      allowMethods: ["GET", "OPTIONS"],
      allowHeaders: ["authorization", "content-type"],
      maxAge: 600,
    });
    expect(JSON.stringify(api.inputs.corsConfiguration)).not.toContain("*");
  });

  it("lets only this API invoke the status function", async () => {
    const permission = recorded("aws:lambda/permission:Permission");
    const executionArn = await resolved(component.api.executionArn);

    expect(permission.inputs).toMatchObject({
      action: "lambda:InvokeFunction",
      function: functionName,
      principal: "apigateway.amazonaws.com",
      sourceArn: `${executionArn}/*/*`,
    });
    expect(executionArn).toBe("arn:aws:execute-api:us-east-1:123456789012:engine-test-status-api");
  });

  it("outputs the id, endpoint and stage clients and alarms need", async () => {
    const outputs = {
      apiId: await resolved(component.apiId),
      apiEndpoint: await resolved(component.apiEndpoint),
      stageName: await resolved(component.stageName),
    };

    expect(outputs).toEqual({
      apiId: recorded("aws:apigatewayv2/api:Api").id,
      apiEndpoint: "https://engine-test-status-api.execute-api.us-east-1.amazonaws.com",
      stageName: "$default",
    });
  });
});

describe("corsConfiguration", () => {
  it.each([["*"], ["https://*.example.com"], ["https://console.example.com/"], ["console.example.com"]])(
    "refuses %s, which is not one exact origin",
    (origin) => {
      const origins = ["https://console.example.com", origin];

      const configure = () => corsConfiguration(origins);

      expect(configure).toThrow(/corsAllowedOrigins/);
    },
  );

  it("leaves CORS off when no origin is configured, so no browser may read responses", () => {
    const origins: string[] = [];

    const cors = corsConfiguration(origins);

    expect(cors).toBeUndefined();
  });
});
