// The whole engine as one recipe: state, functions, the state machine, the trigger, the status API,
// alarms and a dashboard. `infra/index.ts` runs it for the selected stack; tests and `npm run synth` run
// it under mocks with a stack's config.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { StatusApi } from "./api/index.ts";
import { engineFunctions } from "./catalog.ts";
import type { EngineConfig } from "./config.ts";
import { EngineData } from "./data/index.ts";
import { EngineFunctions } from "./functions/index.ts";
import { GatewayCredentials } from "./gateway/index.ts";
import { Observability } from "./observability/index.ts";
import type { StackOutputName } from "./stack-outputs.ts";
import { Trigger } from "./trigger/index.ts";
import { Workflow } from "./workflow/index.ts";

/** The bus approvals arrive on and signals leave by: adopted by name, or created. */
function eventBusFor(config: EngineConfig) {
  if (config.adopt.eventBusName) {
    const existing = aws.cloudwatch.getEventBusOutput({ name: config.adopt.eventBusName });
    return { name: existing.name, arn: existing.arn };
  }
  const bus = new aws.cloudwatch.EventBus(
    "events",
    { name: `${config.namePrefix}-events` },
    { protect: config.protect },
  );
  return { name: bus.name, arn: bus.arn };
}

export function createEngineStack(config: EngineConfig) {
  const eventBus = eventBusFor(config);
  const data = new EngineData("data", {
    namePrefix: config.namePrefix,
    protect: config.protect,
    artifactsRetentionDays: config.artifactsRetentionDays,
    artifactsNoncurrentRetentionDays: config.artifactsNoncurrentRetentionDays,
    adopt: {
      intents: config.adopt.intentsTableName,
      ledger: config.adopt.ledgerTableName,
      signals: config.adopt.signalsTableName,
    },
  });
  const credentials = new GatewayCredentials("gateway", {
    namePrefix: config.namePrefix,
    existingSecretId: config.gateway.clientSecretId,
    clientSecret: config.gateway.clientSecret,
    recoveryWindowDays: config.gateway.secretRecoveryWindowDays,
    protect: config.protect,
  });
  const functions = new EngineFunctions("functions", {
    config,
    tables: data.tables,
    artifactsBucket: data.artifactsBucket,
    eventBus,
    gatewaySecret: credentials.secret,
  });
  const workflow = new Workflow("workflow", {
    namePrefix: config.namePrefix,
    functionArns: Object.fromEntries(
      engineFunctions.filter((fn) => "placeholder" in fn).map((fn) => [fn.id, functions.functions[fn.id].arn]),
    ),
    logRetentionDays: config.logRetentionDays,
    logLevel: config.workflowLogLevel,
    logExecutionData: config.logExecutionData,
    workflowType: config.workflowType,
    traceSampling: config.traceSampling,
    protect: config.protect,
  });
  const trigger = new Trigger("trigger", {
    eventBusName: eventBus.name,
    trigger: config.trigger,
    stateMachineArn: workflow.stateMachineArn,
    namePrefix: config.namePrefix,
    protect: config.protect,
  });
  const api = new StatusApi("status-api", {
    handler: functions.functions["status-api"],
    api: config.api,
    logRetentionDays: config.logRetentionDays,
    namePrefix: config.namePrefix,
    protect: config.protect,
  });
  const observability = new Observability("observability", {
    namePrefix: config.namePrefix,
    metricsNamespace: config.metricsNamespace,
    alarms: config.alarms,
    stateMachineArn: workflow.stateMachineArn,
    workflowType: config.workflowType,
    functionNames: Object.fromEntries(Object.entries(functions.functions).map(([id, fn]) => [id, fn.name])),
    deadLetterQueueNames: { trigger: trigger.deadLetterQueueName },
    httpApi: { apiId: api.apiId, stage: api.stageName },
  });

  const outputs = {
    apiUrl: api.apiEndpoint,
    dashboardUrl: observability.dashboardUrl,
    alarmTopicArn: observability.topicArn,
    stateMachineArn: workflow.stateMachineArn,
    eventBusName: eventBus.name,
    tableNames: pulumi.all(Object.fromEntries(Object.entries(data.tables).map(([table, ref]) => [table, ref.name]))),
    artifactsBucketName: data.artifactsBucket.name,
    deadLetterQueueUrl: trigger.deadLetterQueueUrl,
    gatewayUrl: config.gateway.url,
    gatewayTokenUrl: config.gateway.tokenUrl,
    gatewayClientId: config.gateway.clientId,
    gatewayClientSecretArn: credentials.secret.apply((secret) => secret.arn),
    triggerSource: config.trigger.source,
    triggerDetailType: config.trigger.detailType,
  } satisfies Record<StackOutputName, pulumi.Input<unknown>>;
  return { ...outputs, components: { data, functions, workflow, trigger, api, observability } };
}
