import { describe, expect, it } from "vitest";
import { installPulumiMocks, MOCK_ACCOUNT, outputValue, type RecordedResource } from "../testing/pulumi-mocks.ts";
import { engineConfigOf } from "../testing/stack-config.ts";
import { type AlarmSpec, alarmSpecs } from "./alarm-specs.ts";
import type { DashboardBody } from "./dashboard.ts";
import { stackConfig, watched } from "./fixtures.ts";

const resources = installPulumiMocks({ region: "eu-west-1" });
const { Observability } = await import("./index.ts");

const config = stackConfig({ alarmEmails: '["oncall@example.com","lead@example.com"]' });

/** Creates the component and waits until its resources are registered. */
async function deploy(name: string, emails: string[], alarms = config.alarms) {
  const observability = new Observability(name, {
    ...watched,
    namePrefix: `engine-${name}`,
    metricsNamespace: config.metricsNamespace,
    alarms: { ...alarms, emails },
  });
  const outputs = {
    topicArn: await outputValue(observability.topicArn),
    alarmNames: await outputValue(observability.alarmNames),
    dashboardName: await outputValue(observability.dashboardName),
    dashboardUrl: await outputValue(observability.dashboardUrl),
  };
  const own = (type: string) =>
    resources.filter((resource) => resource.type === type && resource.name.startsWith(`${name}-`));
  return {
    outputs,
    topics: own("aws:sns/topic:Topic"),
    subscriptions: own("aws:sns/topicSubscription:TopicSubscription"),
    alarms: own("aws:cloudwatch/metricAlarm:MetricAlarm"),
    dashboards: own("aws:cloudwatch/dashboard:Dashboard"),
  };
}

type MetricQuery = { id: string; expression?: string; returnData?: boolean; metric?: Record<string, unknown> };
const queriesOf = (alarm: RecordedResource | undefined) => (alarm?.inputs.metricQueries ?? []) as MetricQuery[];

describe("Observability component", () => {
  it("creates an alarm per spec that notifies the topic on alarm and on recovery", async () => {
    // Act
    const { outputs, topics, alarms } = await deploy("alarms", []);

    // Assess
    const specs = alarmSpecs({
      ...watched,
      metricsNamespace: config.metricsNamespace,
      namePrefix: "engine-alarms",
      alarms: config.alarms,
    });
    const topicArn = `arn:aws:sns:eu-west-1:${MOCK_ACCOUNT}:engine-alarms-alarms`;
    expect(topics).toHaveLength(1);
    expect(outputs.topicArn).toBe(topicArn);
    // Registration order is not creation order under the mocks, so names are compared as sets.
    expect(alarms.map((alarm) => alarm.name).sort()).toEqual(specs.map((spec) => `alarms-${spec.id}`).sort());
    expect(alarms.map((alarm) => alarm.inputs.name).sort()).toEqual(specs.map((spec) => spec.name).sort());
    expect(outputs.alarmNames).toEqual(specs.map((spec) => spec.name));
    for (const alarm of alarms) {
      expect(alarm.inputs, alarm.name).toMatchObject({
        alarmActions: [topicArn],
        okActions: [topicArn],
        treatMissingData: "notBreaching",
      });
    }
    expect(alarms.find((alarm) => alarm.name === "alarms-failed-executions")?.inputs).toMatchObject({
      namespace: "ActionExecutionEngine",
      metricName: "ExecutionFailed",
      dimensions: { service: "action-execution-engine" },
      statistic: "Sum",
      period: 300,
      threshold: 5,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
    });
    expect(alarms.find((alarm) => alarm.name === "alarms-execution-duration")?.inputs).toMatchObject({
      extendedStatistic: "p90",
      unit: "Milliseconds",
    });
  });

  it("gives a math alarm its metrics as queries and returns data from the expression only", async () => {
    // Act
    const { alarms } = await deploy("math", []);

    // Assess
    const queries = queriesOf(alarms.find((alarm) => alarm.name === "math-throttles"));
    const watchedQueries = queries.filter((query) => query.returnData);
    expect(watchedQueries).toEqual([
      expect.objectContaining({ id: "total", expression: expect.stringMatching(/^FILL\(tool_throttled, 0\) \+ /) }),
    ]);
    const metricQueries = queries.filter((query) => !query.expression);
    expect(metricQueries.length).toBe(queries.length - 1);
    expect(metricQueries.every((query) => query.returnData === false)).toBe(true);
    expect(metricQueries[0]?.metric).toEqual({
      namespace: "ActionExecutionEngine",
      metricName: "ToolThrottled",
      dimensions: { service: "action-execution-engine" },
      period: 300,
      stat: "Sum",
    });
    const failures = alarms.find((alarm) => alarm.name === "math-state-machine-failures");
    expect(failures?.inputs.metricName).toBeUndefined();
    expect(queriesOf(failures).map((query) => [query.id, query.expression, query.returnData])).toEqual([
      ["sfn_failed", undefined, false],
      ["engine_failed", undefined, false],
      ["sfn_timed_out", undefined, false],
      ["sfn_aborted", undefined, false],
      [
        "unrecorded",
        "FILL(sfn_failed, 0) - FILL(engine_failed, 0) + FILL(sfn_timed_out, 0) + FILL(sfn_aborted, 0)",
        false,
      ],
      ["previous", "unrecorded - DIFF(unrecorded)", false],
      ["total", "unrecorded + IF(previous < 0, previous, 0)", true],
    ]);
  });

  it("gives every alarm of the prod stack its explicit M of N and missing-data treatment", async () => {
    // Prepare: prod once had evaluationPeriods 2 and no datapointsToAlarm, which CloudWatch reads as 2 of 2.
    const prod = engineConfigOf("prod");

    // Act
    const { alarms } = await deploy("prod", [], prod.alarms);

    // Assess
    const specs: AlarmSpec[] = alarmSpecs({
      ...watched,
      metricsNamespace: config.metricsNamespace,
      namePrefix: "engine-prod",
      alarms: prod.alarms,
    });
    const declared = (alarm: RecordedResource) => ({
      name: alarm.inputs.name,
      datapointsToAlarm: alarm.inputs.datapointsToAlarm,
      evaluationPeriods: alarm.inputs.evaluationPeriods,
      treatMissingData: alarm.inputs.treatMissingData,
    });
    expect(alarms.map(declared).sort((a, b) => String(a.name).localeCompare(String(b.name)))).toEqual(
      specs
        .map(({ name, datapointsToAlarm, evaluationPeriods, treatMissingData }) => ({
          name,
          datapointsToAlarm,
          evaluationPeriods,
          treatMissingData,
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
    expect(alarms.every((alarm) => Number(alarm.inputs.datapointsToAlarm) >= 1)).toBe(true);
    expect(
      declared(alarms.find((alarm) => alarm.name === "prod-state-machine-failures") as RecordedResource),
    ).toMatchObject({
      datapointsToAlarm: 1,
      evaluationPeriods: 1,
    });
  });

  it("subscribes each configured email, and nothing when none is configured", async () => {
    // Act
    const withEmails = await deploy("mailed", config.alarms.emails);
    const withoutEmails = await deploy("quiet", []);

    // Assess
    const byEndpoint = (inputs: Record<string, unknown>[]) =>
      inputs.sort((a, b) => String(a.endpoint).localeCompare(String(b.endpoint)));
    expect(byEndpoint(withEmails.subscriptions.map((subscription) => subscription.inputs))).toEqual([
      { topic: withEmails.outputs.topicArn, protocol: "email", endpoint: "lead@example.com" },
      { topic: withEmails.outputs.topicArn, protocol: "email", endpoint: "oncall@example.com" },
    ]);
    expect(
      withEmails.subscriptions.every((subscription) => /^mailed-email-[0-9a-f]{12}$/.test(subscription.name)),
    ).toBe(true);
    expect(withoutEmails.subscriptions).toEqual([]);
  });

  it("creates one dashboard whose body is the engine's widgets with every alarm in its status widget", async () => {
    // Act
    const { outputs, dashboards, alarms } = await deploy("dash", []);

    // Assess
    expect(dashboards).toHaveLength(1);
    const [dashboard] = dashboards;
    expect(dashboard?.inputs.dashboardName).toBe("engine-dash");
    const body = JSON.parse(String(dashboard?.inputs.dashboardBody)) as DashboardBody;
    const titles = body.widgets.map((widget) => widget.properties.title);
    expect(titles).toEqual(
      expect.arrayContaining(["Alarms", "Failures by error class", "Throttles", "Dead-letter queue depth"]),
    );
    const shown = body.widgets.find((widget) => widget.type === "alarm")?.properties.alarms as string[];
    expect(alarms).toHaveLength(6);
    expect([...shown].sort()).toEqual(
      alarms.map((alarm) => `arn:aws:cloudwatch:eu-west-1:${MOCK_ACCOUNT}:alarm:${alarm.inputs.name}`).sort(),
    );
    expect(JSON.stringify(body)).toContain(watched.stateMachineArn);
    expect(
      body.widgets
        .filter((widget) => widget.type === "metric")
        .every((widget) => widget.properties.region === "eu-west-1"),
    ).toBe(true);
    expect(outputs.dashboardName).toBe("engine-dash");
    expect(outputs.dashboardUrl).toBe(
      "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=engine-dash",
    );
  });
});
