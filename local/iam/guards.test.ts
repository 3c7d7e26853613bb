// Local IAM at each service, through real SDK clients (and aws4fetch, the signer the functions use for
// Secrets Manager) signed with one function's credentials: what its role policy allows is served, what it
// does not is refused with that service's AccessDenied answer, and every decision is kept.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import { AwsClient } from "aws4fetch";
import { afterAll, describe, expect, inject, it } from "vitest";
import { type EngineFunctionId, engineFunctions } from "../../infra/catalog.ts";
import { demoRegistry } from "../demo-data.ts";
import { startFaultInjection } from "../faults/index.ts";
import { LOCAL_CREDENTIALS, startLocalServices } from "../services.ts";
import { LOCAL_REGION } from "./arns.ts";
import type { FunctionCredentials } from "./authorizer.ts";
import { dynamodbPermissions } from "./dynamodb-guard.ts";
import { issueFunctionRoles } from "./function-roles.ts";
import type { RequestGuard } from "./guard-proxy.ts";
import type { SignedRequest } from "./sigv4.ts";

const services = await startLocalServices({
  namePrefix: "iam-guards",
  dynamodbEndpoint: inject("dynamodbEndpoint"),
  onIamDenial: () => {},
});
afterAll(() => services.stop());
const iam = services.iam;
if (!iam) throw new Error("local IAM is on by default");
const gatewaySecretArn = services.secrets.describeSecret(services.names.gatewaySecretId)?.ARN ?? "";
const credentials = issueFunctionRoles(iam, engineFunctions, {
  resources: { ...services.names, gatewaySecretArn },
  functionName: (id) => `iam-guards-${id}`,
}) as Record<EngineFunctionId, FunctionCredentials>;
const { tables } = services;

const dynamodbAs = (id: EngineFunctionId, endpoint = services.dynamodbEndpoint) =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint,
      region: LOCAL_REGION,
      credentials: credentials[id],
      maxAttempts: 1,
    }),
  );
const s3As = (id: EngineFunctionId, endpoint = services.s3Endpoint) =>
  new S3Client({
    endpoint,
    region: LOCAL_REGION,
    credentials: credentials[id],
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    maxAttempts: 1,
  });
const eventsAs = (id: EngineFunctionId) =>
  new EventBridgeClient({ endpoint: services.bus.endpoint, region: LOCAL_REGION, credentials: credentials[id] });
const getSecretAs = (signer: FunctionCredentials | typeof LOCAL_CREDENTIALS, secretId: string) =>
  new AwsClient({ ...signer, service: "secretsmanager", region: LOCAL_REGION, retries: 0 }).fetch(
    services.secretsManagerEndpoint,
    {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "secretsmanager.GetSecretValue" },
      body: JSON.stringify({ SecretId: secretId }),
    },
  );

const principalOf = (id: EngineFunctionId) =>
  `arn:aws:sts::000000000000:assumed-role/iam-guards-${id}-role/iam-guards-${id}`;
const lastDecision = () => iam.decisions.at(-1);

describe("DynamoDB behind local IAM", () => {
  it("serves what the role allows and refuses the rest with DynamoDB's AccessDeniedException", async () => {
    const starter = dynamodbAs("execution-starter");
    const key = { pk: "TENANT#iam", sk: "EXECUTION#guarded" };

    await starter.send(new PutCommand({ TableName: tables.executions, Item: key }));
    const refused = await starter.send(new GetCommand({ TableName: tables.executions, Key: key })).catch((e) => e);

    expect(refused).toMatchObject({
      name: "AccessDeniedException",
      $metadata: { httpStatusCode: 400 },
      message: `User: ${principalOf("execution-starter")} is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/${tables.executions} because no identity-based policy allows the dynamodb:GetItem action`,
    });
    expect(lastDecision()).toMatchObject({
      functionId: "execution-starter",
      action: "dynamodb:GetItem",
      result: "ImplicitlyDenied",
    });
  });

  it("authorizes a query on an index as the index's ARN, and a batch read per table", async () => {
    const statusApi = dynamodbAs("status-api");

    await statusApi.send(
      new QueryCommand({
        TableName: tables.executions,
        IndexName: "by_account",
        KeyConditionExpression: "gsi1pk = :pk",
        ExpressionAttributeValues: { ":pk": "TENANT#iam#ACCOUNT#a" },
      }),
    );
    expect(lastDecision()).toMatchObject({
      resource: `arn:aws:dynamodb:us-east-1:000000000000:table/${tables.executions}/index/by_account`,
      result: "Allowed",
      statement: "ExecutionsTable",
    });
    const refused = await statusApi
      .send(
        new BatchGetCommand({
          RequestItems: {
            [tables.executions]: { Keys: [{ pk: "TENANT#iam", sk: "EXECUTION#x" }] },
            [tables.ledger]: { Keys: [{ pk: "TENANT#iam", sk: "LEDGER#x" }] },
          },
        }),
      )
      .catch((e) => e);

    expect(refused.name).toBe("AccessDeniedException");
    expect(refused.message).toContain(
      `dynamodb:BatchGetItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/${tables.ledger}`,
    );
  });

  it("authorizes each part of a transaction as its item operation, and refuses the whole on one part", async () => {
    const recorder = dynamodbAs("execution-recorder");
    const item = (sk: string) => ({ pk: "TENANT#iam", sk });

    const refused = await recorder
      .send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: tables.ledger, Item: item("LEDGER#tx") } },
            { Put: { TableName: tables.controls, Item: item("CONTROLS") } },
          ],
        }),
      )
      .catch((e) => e);
    const ledger = await services.db.send(new GetCommand({ TableName: tables.ledger, Key: item("LEDGER#tx") }));

    expect(refused.name).toBe("AccessDeniedException");
    expect(refused.message).toContain(
      `dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/${tables.controls}`,
    );
    expect(ledger.Item).toBeUndefined();
    // Allowed parts reach DynamoDB Local, which answers for the data (here: the condition fails).
    const served = await recorder
      .send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: tables.executions,
                Key: item("EXECUTION#absent"),
                UpdateExpression: "SET #s = :s",
                ConditionExpression: "attribute_exists(pk)",
                ExpressionAttributeNames: { "#s": "status" },
                ExpressionAttributeValues: { ":s": "SUCCEEDED" },
              },
            },
            { Put: { TableName: tables.ledger, Item: item("LEDGER#tx") } },
          ],
        }),
      )
      .catch((e) => e);
    expect(served.name).toBe("TransactionCanceledException");
  });

  it("maps every transaction part to the action IAM checks for it", () => {
    const permissions = dynamodbPermissions("TransactWriteItems", {
      TransactItems: [
        { Put: { TableName: "a" } },
        { Update: { TableName: "b" } },
        { Delete: { TableName: "c" } },
        { ConditionCheck: { TableName: "d" } },
      ],
    });

    expect(permissions.map(({ action, resource }) => `${action} ${resource.split("/").pop()}`)).toEqual([
      "dynamodb:PutItem a",
      "dynamodb:UpdateItem b",
      "dynamodb:DeleteItem c",
      "dynamodb:ConditionCheckItem d",
    ]);
    expect(permissions[0]?.context).toEqual({ "dynamodb:EnclosingOperation": "TransactWriteItems" });
    expect(dynamodbPermissions("TransactGetItems", { TransactItems: [{ Get: { TableName: "a" } }] })[0]?.action).toBe(
      "dynamodb:GetItem",
    );
  });

  it("refuses a function's key sent without its session token, and lets callers outside the functions do anything", async () => {
    const { sessionToken: _token, ...withoutToken } = credentials["execution-starter"];
    const client = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: services.dynamodbEndpoint,
        region: LOCAL_REGION,
        credentials: withoutToken,
        maxAttempts: 1,
      }),
    );

    const refused = await client
      .send(new PutCommand({ TableName: tables.executions, Item: { pk: "TENANT#iam", sk: "EXECUTION#t" } }))
      .catch((e) => e);
    const operator = await services.db.send(
      new PutCommand({ TableName: tables.controls, Item: { pk: "TENANT#iam", sk: "CONTROLS" } }),
    );

    expect(refused.name).toBe("UnrecognizedClientException");
    expect(operator.$metadata.httpStatusCode).toBe(200);
  });

  it("refuses a function's key whose request another secret signed", async () => {
    const forged = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: services.dynamodbEndpoint,
        region: LOCAL_REGION,
        credentials: { ...credentials["execution-starter"], secretAccessKey: "not-the-issued-secret" },
        maxAttempts: 1,
      }),
    );

    const refused = await forged
      .send(new PutCommand({ TableName: tables.executions, Item: { pk: "TENANT#iam", sk: "EXECUTION#f" } }))
      .catch((e) => e);

    expect(refused).toMatchObject({ name: "InvalidSignatureException", $metadata: { httpStatusCode: 400 } });
  });
});

describe("S3 behind local IAM", () => {
  const bucket = services.names.artifactsBucket;

  it("checks a function's signature, which s3rver does not for SigV4", async () => {
    const forged = new S3Client({
      endpoint: services.s3Endpoint,
      region: LOCAL_REGION,
      credentials: { ...credentials["tool-invoker"], secretAccessKey: "not-the-issued-secret" },
      forcePathStyle: true,
      maxAttempts: 1,
    });

    const refused = await forged
      .send(new PutObjectCommand({ Bucket: bucket, Key: "tenant/forged.json", Body: "{}" }))
      .catch((e) => e);

    expect(refused).toMatchObject({ name: "SignatureDoesNotMatch", $metadata: { httpStatusCode: 403 } });
  });

  it("serves the invoker's PutObject and refuses its GetObject with S3's 403 AccessDenied", async () => {
    const invoker = s3As("tool-invoker");

    await invoker.send(new PutObjectCommand({ Bucket: bucket, Key: "tenant/intent/toolrun/1.json", Body: "{}" }));
    const refused = await invoker
      .send(new GetObjectCommand({ Bucket: bucket, Key: "tenant/intent/toolrun/1.json" }))
      .catch((e) => e);

    expect(refused).toMatchObject({ name: "AccessDenied", $metadata: { httpStatusCode: 403 } });
    expect(refused.message).toBe(
      `User: ${principalOf("tool-invoker")} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::${bucket}/tenant/intent/toolrun/1.json" because no identity-based policy allows the s3:GetObject action`,
    );
  });

  it("refuses a PutObject from a function whose role has no artifacts grant", async () => {
    const refused = await s3As("execution-recorder")
      .send(new PutObjectCommand({ Bucket: bucket, Key: "tenant/x.json", Body: "{}" }))
      .catch((e) => e);

    expect(refused.name).toBe("AccessDenied");
    expect(lastDecision()).toMatchObject({ functionId: "execution-recorder", action: "s3:PutObject" });
  });
});

describe("EventBridge behind local IAM", () => {
  const entry = { Source: "cc-native.execution", DetailType: "ACTION_EXECUTED", Detail: "{}" };

  it("accepts the recorder's signal on the engine's bus and refuses the default bus with AccessDeniedException", async () => {
    const recorder = eventsAs("execution-recorder");

    const accepted = await recorder.send(
      new PutEventsCommand({ Entries: [{ ...entry, EventBusName: services.names.eventBusName }] }),
    );
    const refused = await recorder.send(new PutEventsCommand({ Entries: [entry] })).catch((e) => e);

    expect(accepted.FailedEntryCount).toBe(0);
    expect(refused).toMatchObject({ name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } });
    expect(refused.message).toContain(
      "events:PutEvents on resource: arn:aws:events:us-east-1:000000000000:event-bus/default",
    );
  });

  it("refuses a bus named by ARN the same as by name, and a function with no PutEvents grant at all", async () => {
    const busArn = `arn:aws:events:us-east-1:000000000000:event-bus/${services.names.eventBusName}`;

    const byArn = await eventsAs("execution-recorder").send(
      new PutEventsCommand({ Entries: [{ ...entry, EventBusName: busArn }] }),
    );
    const refused = await eventsAs("tool-mapper")
      .send(new PutEventsCommand({ Entries: [{ ...entry, EventBusName: services.names.eventBusName }] }))
      .catch((e) => e);

    expect(byArn.FailedEntryCount).toBe(0);
    expect(refused.name).toBe("AccessDeniedException");
  });

  it("fails an entry for a bus that does not exist", async () => {
    const operator = new EventBridgeClient({
      endpoint: services.bus.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });

    const answer = await operator.send(new PutEventsCommand({ Entries: [{ ...entry, EventBusName: "no-such-bus" }] }));

    expect(answer).toMatchObject({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: "ResourceNotFoundException", ErrorMessage: "Event bus no-such-bus does not exist." }],
    });
  });
});

describe("Secrets Manager behind local IAM", () => {
  const name = services.names.gatewaySecretId;

  it("gives secrets AWS-shaped ARNs and resolves a name, a partial ARN and a full ARN to the same secret", async () => {
    const partial = gatewaySecretArn.slice(0, -7);

    const answers = await Promise.all(
      [name, partial, gatewaySecretArn].map(async (id) => (await getSecretAs(credentials["tool-invoker"], id)).json()),
    );

    expect(gatewaySecretArn).toMatch(new RegExp(`:secret:${name}-[A-Za-z0-9]{6}$`));
    expect(answers.map((answer) => (answer as { ARN: string }).ARN)).toEqual([
      gatewaySecretArn,
      gatewaySecretArn,
      gatewaySecretArn,
    ]);
    // IAM checks the full ARN, whichever way the caller named the secret.
    expect(iam.decisions.slice(-3).map((decision) => decision.resource)).toEqual([
      gatewaySecretArn,
      gatewaySecretArn,
      gatewaySecretArn,
    ]);
  });

  it("refuses GetSecretValue to a function whose role does not name the secret, with AccessDeniedException", async () => {
    const response = await getSecretAs(credentials["execution-recorder"], name);

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      __type: "AccessDeniedException",
      Message: `User: ${principalOf("execution-recorder")} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${gatewaySecretArn} because no identity-based policy allows the secretsmanager:GetSecretValue action`,
    });
  });

  it("refuses a secret that only shares the name's start: IAM matches the full ARN", async () => {
    const neighbour = services.secrets.putSecret(`${name}-rotated`, "another value");

    const response = await getSecretAs(credentials["tool-invoker"], neighbour);

    expect(response.status).toBe(400);
    expect(((await response.json()) as { __type: string }).__type).toBe("AccessDeniedException");
  });
});

describe("the functions' path, through the fault proxies", () => {
  // The guards as given to the proxies, counting the requests each judges.
  const judged = { dynamodb: 0, s3: 0 };
  const counted = (name: keyof typeof judged) => {
    const guard = services.guards[name] as RequestGuard;
    return {
      upstream: guard.upstream,
      judge: (request: SignedRequest) => {
        judged[name]++;
        return guard.judge(request);
      },
    };
  };
  const faults = startFaultInjection({
    services: {
      dynamodbEndpoint: services.dynamodbEndpoint,
      s3Endpoint: services.s3Endpoint,
      secretsManagerEndpoint: services.secretsManagerEndpoint,
      eventBridgeEndpoint: services.bus.endpoint,
      gatewayOrigin: services.gateway.origin,
      guards: { dynamodb: counted("dynamodb"), s3: counted("s3") },
    },
    resources: { ...services.names, gatewaySecretId: gatewaySecretArn },
    registry: demoRegistry,
    functionOfKey: () => undefined,
  });
  afterAll(async () => (await faults).stop());
  const proxied = async (variable: "DYNAMODB" | "S3") =>
    (await faults).environment[`AWS_ENDPOINT_URL_${variable}`] as string;

  it("refuses in the proxy's own hop what the DynamoDB guard refuses, each request judged once", async () => {
    const endpoint = await proxied("DYNAMODB");
    const starter = dynamodbAs("execution-starter", endpoint);
    const key = { pk: "TENANT#iam", sk: "EXECUTION#proxied" };
    const before = iam.decisions.length;

    await starter.send(new PutCommand({ TableName: tables.executions, Item: key }));
    const refused = await starter.send(new GetCommand({ TableName: tables.executions, Key: key })).catch((e) => e);

    expect(refused).toMatchObject({ name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } });
    // Judged in the proxy and sent to DynamoDB Local itself, not on through the guard's endpoint.
    expect(judged.dynamodb).toBe(2);
    expect(iam.decisions.slice(before).map(({ action, result }) => [action, result])).toEqual([
      ["dynamodb:PutItem", "Allowed"],
      ["dynamodb:GetItem", "ImplicitlyDenied"],
    ]);
  });

  it("refuses in the proxy's own hop what the S3 guard refuses, with S3's 403", async () => {
    const invoker = s3As("tool-invoker", await proxied("S3"));
    const before = iam.decisions.length;

    await invoker.send(
      new PutObjectCommand({ Bucket: services.names.artifactsBucket, Key: "tenant/p/1.json", Body: "{}" }),
    );
    const refused = await invoker
      .send(new GetObjectCommand({ Bucket: services.names.artifactsBucket, Key: "tenant/p/1.json" }))
      .catch((e) => e);

    expect(refused).toMatchObject({ name: "AccessDenied", $metadata: { httpStatusCode: 403 } });
    expect(judged.s3).toBe(2);
    expect(iam.decisions.slice(before).map(({ action, result }) => [action, result])).toEqual([
      ["s3:PutObject", "Allowed"],
      ["s3:GetObject", "ImplicitlyDenied"],
    ]);
  });
});
