// End to end on the local engine, driven only as its users drive it: PutEvents, DynamoDB (intents and
// controls, as upstream and operators write them), the status API with a JWT, the gateway's admin view.
// The functions run from their deployable bundles in their own workers; the state machine is the
// rendered definition on aws-local-stepfunctions.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, describe, expect, inject, it } from "vitest";
import { keys, type TableName } from "../../functions/kernel/data-layout.ts";
import { type EngineFunctionId, engineFunctions } from "../../infra/catalog.ts";
import { demoScenarios, publicClient, type ScenarioResult } from "../../local/demo-scenarios.ts";
import { startLocalEngine } from "../../local/engine.ts";
import { localArns } from "../../local/iam/arns.ts";
import type { IamRequest } from "../../local/iam/evaluate.ts";
import { simulate } from "../../local/iam/simulation.ts";
import { deployedRoles, neighboursOf, type ResourceArns, translateArn } from "../support/deployed-roles.ts";
import { itemsOf } from "../support/engine-records.ts";

const engine = await startLocalEngine({
  dynamodbEndpoint: inject("dynamodbEndpoint"),
  tablePrefix: "e2e",
  stateDirectory: mkdtempSync(join(tmpdir(), "engine-e2e-")),
  retryIntervalMs: 10,
});
afterAll(() => engine.stop());
const client = publicClient(engine);
const results = new Map<string, ScenarioResult>();

describe("demo scenarios through the public endpoints", () => {
  for (const scenario of demoScenarios) {
    it(scenario.name, async () => {
      const result = await scenario.run(engine, client);
      results.set(scenario.name, result);

      expect(result.problems).toEqual([]);
    });
  }
});

describe("what every recorded execution leaves behind", () => {
  it("exactly one ledger entry and one signal per recorded intent, and one published signal", async () => {
    const recorded = [...results.values()].filter((result) => result.intent && result.status?.httpStatus === 200);
    expect(recorded.length).toBeGreaterThan(8);

    for (const { intent, name } of recorded) {
      if (!intent) continue;
      expect(await itemsOf(client, client.tables.ledger, intent.tenant_id, intent.action_intent_id), name).toHaveLength(
        1,
      );
      expect(
        await itemsOf(client, client.tables.signals, intent.tenant_id, intent.action_intent_id),
        name,
      ).toHaveLength(1);
      const published = engine.bus.events.filter(
        (event) =>
          (event.detail as { action_intent_id?: string }).action_intent_id === intent.action_intent_id &&
          event.source === "cc-native.execution",
      );
      expect(published, name).toHaveLength(1);
    }
  });

  it("calls the tool once for an approval sent three times", async () => {
    const { intent } = results.get("the same approval sent three times") ?? {};
    const calls = engine.gateway
      .calls()
      .filter((call) => call.tool === "internal.create_note" && call.arguments.text === "Only once");

    expect(intent).toBeDefined();
    expect(calls).toHaveLength(1);
  });

  it("keeps the raw tool reply in S3 under the tenant and intent", async () => {
    const { intent } = results.get("create a CRM task") ?? {};
    const { Item } = await client.db.send(
      new GetCommand({
        TableName: client.tables.executions,
        Key: keys.execution(intent?.tenant_id ?? "", intent?.action_intent_id ?? ""),
      }),
    );
    const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(String(Item?.raw_response_ref)) ?? [];
    const s3 = new S3Client({
      endpoint: engine.endpoints.s3.endpoint,
      region: engine.endpoints.region,
      forcePathStyle: true,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    });

    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));

    expect(key?.startsWith(`${intent?.tenant_id}/${intent?.action_intent_id}/toolrun/`)).toBe(true);
    expect(await object.Body?.transformToString()).toContain("crm-task-");
  });

  it("answers 404 to another tenant asking for an execution", async () => {
    const { intent } = results.get("create a CRM task") ?? {};
    if (!intent) throw new Error("the CRM scenario did not run");

    const answer = await client.status(intent, "tenant-other");

    expect(answer.httpStatus).toBe(404);
  });

  it("answers 401 without a valid token", async () => {
    const response = await fetch(`${engine.endpoints.httpApi.url}/executions/anything/status`);

    expect(response.status).toBe(401);
  });

  it("ignores events the rule does not match, as EventBridge does", async () => {
    const before = engine.executions.length;

    await client.publish("SOMETHING_ELSE", { data: { action_intent_id: "x", tenant_id: "t", account_id: "a" } });
    await engine.idle();

    expect(engine.executions).toHaveLength(before);
  });

  it("leaves no execution RUNNING", async () => {
    const { Items } = await client.db.send(new ScanCommand({ TableName: client.tables.executions }));

    expect(Items?.filter((item) => item.status === "RUNNING")).toEqual([]);
  });
});

describe("IAM as the prod stack deploys it", () => {
  it("allows every call each function made in the scenarios, and none of them on a neighbouring resource", async () => {
    const { endpoints } = engine;
    const local: ResourceArns = {
      tables: Object.fromEntries(
        Object.entries(endpoints.dynamodb.tables).map(([table, name]) => [table, localArns.table(name)]),
      ) as Record<TableName, string>,
      artifactsBucketArn: localArns.bucket(endpoints.s3.bucket),
      eventBusArn: localArns.eventBus(endpoints.eventBridge.busName),
      gatewaySecretArn: endpoints.secretsManager.gatewaySecretArn,
    };
    const prod = await deployedRoles("prod");
    // Each distinct call, its resource written as the deployed stack's; object keys vary per intent.
    type Call = {
      functionId: EngineFunctionId;
      action: string;
      resource: string;
      local: string;
      context?: IamRequest["context"];
    };
    const calls = new Map<string, Call>();
    const unmapped: string[] = [];
    for (const decision of engine.iam.decisions) {
      const resource = translateArn(decision.resource, local, prod.resources);
      if (!resource) {
        unmapped.push(`${decision.functionId} ${decision.action} ${decision.resource}`);
        continue;
      }
      const key = `${decision.functionId} ${decision.action} ${resource.replace(/(:::[^/]+\/[^/]+).*/, "$1")}`;
      calls.set(key, {
        functionId: decision.functionId as EngineFunctionId,
        action: decision.action,
        resource,
        local: decision.resource,
        context: decision.context,
      });
    }
    const verdict = async (call: Call, resource: string) => {
      const role = prod.roles[call.functionId];
      const { action, context } = call;
      return (await simulate({ principal: role.principal, policies: [role.policy], action, resource, context })).result;
    };

    const refused: string[] = [];
    const reachable: string[] = [];
    for (const call of calls.values()) {
      const result = await verdict(call, call.resource);
      if (result !== "Allowed")
        refused.push(`${call.functionId} ${call.action} ${call.resource} (locally ${call.local}): ${result}`);
      for (const neighbour of neighboursOf(call.resource)) {
        if ((await verdict(call, neighbour)) === "Allowed") {
          reachable.push(`${call.functionId} ${call.action} ${neighbour}`);
        }
      }
    }

    expect(unmapped).toEqual([]);
    expect(prod.resources.gatewaySecretArn).toMatch(/:secret:[\w/+=.@-]+-[A-Za-z0-9]{6}$/);
    expect(new Set([...calls.values()].map((call) => call.functionId))).toEqual(
      new Set(engineFunctions.map((fn) => fn.id)),
    );
    expect(refused).toEqual([]);
    expect(reachable).toEqual([]);
  });
});
