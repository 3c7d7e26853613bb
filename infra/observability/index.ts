// The engine's alarms, the SNS topic they notify, and its dashboard. What each alarm reads and when it fires
// is decided by alarmSpecs(); the dashboard body by dashboardBody(); this component only declares them.
import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { EngineConfig } from "../config.ts";
import { type AlarmSpec, alarmSpecs, type WatchedResources, watchedExpression } from "./alarm-specs.ts";
import { dashboardBody } from "./dashboard.ts";

export interface ObservabilityArgs extends WatchedResources<pulumi.Input<string>> {
  /** Prefix of the alarm, topic and dashboard names (EngineConfig.namePrefix). */
  namePrefix: string;
  /** The namespace the functions emit EMF metrics to (EngineConfig.metricsNamespace). */
  metricsNamespace: string;
  alarms: EngineConfig["alarms"];
}

/** A CloudWatch MetricAlarm's arguments for a spec; alarm and recovery both notify `actions`. */
export function metricAlarmArgs(
  spec: AlarmSpec<pulumi.Input<string>>,
  actions: pulumi.Input<string>[],
): aws.cloudwatch.MetricAlarmArgs {
  const common: aws.cloudwatch.MetricAlarmArgs = {
    name: spec.name,
    alarmDescription: spec.description,
    comparisonOperator: spec.comparison,
    evaluationPeriods: spec.evaluationPeriods,
    datapointsToAlarm: spec.datapointsToAlarm,
    threshold: spec.threshold,
    treatMissingData: spec.treatMissingData,
    alarmActions: actions,
    okActions: actions,
  };
  if (spec.kind === "metric") {
    return {
      ...common,
      namespace: spec.namespace,
      metricName: spec.metricName,
      dimensions: spec.dimensions,
      period: spec.periodSeconds,
      statistic: spec.statistic,
      extendedStatistic: spec.extendedStatistic,
      unit: spec.unit,
    };
  }
  return {
    ...common,
    metricQueries: [
      ...spec.metrics.map((term) => ({
        id: term.id,
        label: term.label,
        returnData: false,
        metric: {
          namespace: term.namespace,
          metricName: term.metricName,
          dimensions: term.dimensions,
          period: term.periodSeconds,
          stat: term.statistic,
        },
      })),
      // CloudWatch alarms on the one query that returns data: the watched (last) expression.
      ...spec.expressions.map(({ id, label, expression }) => ({
        id,
        label,
        expression,
        returnData: id === watchedExpression(spec).id,
      })),
    ],
  };
}

/** Resource names from the address, stable when the list of emails is reordered. */
const emailKey = (email: string) => createHash("sha256").update(email.toLowerCase()).digest("hex").slice(0, 12);

export class Observability extends pulumi.ComponentResource {
  readonly topicArn: pulumi.Output<string>;
  readonly alarmNames: pulumi.Output<string[]>;
  readonly dashboardName: pulumi.Output<string>;
  readonly dashboardUrl: pulumi.Output<string>;

  constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("engine:observability:Observability", name, {}, opts);
    const parent = { parent: this };

    const topic = new aws.sns.Topic(`${name}-alarms`, { name: `${args.namePrefix}-alarms` }, parent);
    for (const email of args.alarms.emails) {
      new aws.sns.TopicSubscription(
        `${name}-email-${emailKey(email)}`,
        { topic: topic.arn, protocol: "email", endpoint: email },
        parent,
      );
    }

    const alarms = alarmSpecs<pulumi.Input<string>>(args).map(
      (spec) => new aws.cloudwatch.MetricAlarm(`${name}-${spec.id}`, metricAlarmArgs(spec, [topic.arn]), parent),
    );

    const region = aws.getRegionOutput({}, parent).region;
    const account = aws.getCallerIdentityOutput({}, parent).accountId;
    const partition = aws.getPartitionOutput({}, parent).partition;
    const alarmArns = pulumi
      .all([partition, region, account, ...alarms.map((alarm) => alarm.name)])
      .apply(([part, reg, acct, ...names]) =>
        names.map((alarm) => `arn:${part}:cloudwatch:${reg}:${acct}:alarm:${alarm}`),
      );
    const body = pulumi
      .output({
        region,
        alarmArns,
        stateMachineArn: args.stateMachineArn,
        workflowType: args.workflowType,
        functionNames: args.functionNames,
        deadLetterQueueNames: args.deadLetterQueueNames,
        httpApi: args.httpApi,
      })
      .apply((resolved) =>
        JSON.stringify(dashboardBody({ ...resolved, metricsNamespace: args.metricsNamespace, alarms: args.alarms })),
      );
    const dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      { dashboardName: args.namePrefix, dashboardBody: body },
      { parent: this, dependsOn: alarms },
    );

    this.topicArn = topic.arn;
    this.alarmNames = pulumi.all(alarms.map((alarm) => alarm.name));
    this.dashboardName = dashboard.dashboardName;
    this.dashboardUrl = pulumi.interpolate`https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards:name=${dashboard.dashboardName}`;
    this.registerOutputs({
      topicArn: this.topicArn,
      alarmNames: this.alarmNames,
      dashboardName: this.dashboardName,
      dashboardUrl: this.dashboardUrl,
    });
  }
}
