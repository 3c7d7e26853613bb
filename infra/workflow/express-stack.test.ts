// The prod stack, which deploys EXPRESS (Pulumi.prod.yaml), through the whole program under mocks: the
// definition's worst case fits Express's five minutes, so the program takes it; the state machine logs at the
// stack's level, traces, and is started by the same EventBridge target as Standard; the alarms and the
// dashboard read only what an Express state machine publishes.
import { beforeAll, describe, expect, it } from "vitest";
import type { PolicyDocument } from "../iam.ts";
import type { RecordedResource } from "../testing/pulumi-mocks.ts";
import { synthesizeStack } from "../testing/stack-under-test.ts";
import { EXPRESS_MAX_SECONDS } from "./workflow-type.ts";

let prod: Awaited<ReturnType<typeof synthesizeStack>>;
beforeAll(async () => {
  prod = await synthesizeStack("prod");
}, 120_000);

const ofType = (type: string) => prod.resources.filter((resource) => resource.type === type);
const one = (type: string) => ofType(type)[0] as RecordedResource;
const stateMachineArn = () => prod.outputs.stateMachineArn as string;

describe("the prod stack, an EXPRESS workflow", () => {
  it("is taken: its worst case, computed from the rendered definition, fits Express's five minutes", () => {
    expect(prod.durationBound).toMatchObject({ bounded: true, seconds: 294 });
    expect(EXPRESS_MAX_SECONDS).toBe(300);
  });

  it("declares an Express state machine that traces and logs failures to its own log group, without execution data", () => {
    const stateMachine = one("aws:sfn/stateMachine:StateMachine");
    const logGroup = ofType("aws:cloudwatch/logGroup:LogGroup").find((group) => group.name === "workflow-logs");

    expect(stateMachine.inputs).toMatchObject({
      type: "EXPRESS",
      tracingConfiguration: { enabled: true },
      loggingConfiguration: { level: "ERROR", includeExecutionData: false },
    });
    expect(String((stateMachine.inputs.loggingConfiguration as { logDestination: string }).logDestination)).toMatch(
      /^arn:aws:logs:us-east-1:123456789012:log-group:\/aws\/vendedlogs\/states\/action-execution-engine-prod:\*$/,
    );
    expect(logGroup?.inputs).toMatchObject({ retentionInDays: 365 });
  });

  // EventBridge starts a state machine target with StartExecution, which starts an Express workflow
  // asynchronously, at least once (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-express-synchronous.html,
  // .../express-at-least-once-execution.html): the same target, role and dead-letter queue as Standard.
  it("is started asynchronously by the approval rule's target, with StartExecution and nothing else", () => {
    const target = one("aws:cloudwatch/eventTarget:EventTarget");
    const startPolicy = JSON.parse(
      String(
        ofType("aws:iam/rolePolicy:RolePolicy").find((policy) => policy.name === "trigger-start-execution")?.inputs
          .policy,
      ),
    ) as PolicyDocument;

    expect(target.inputs.arn).toBe(stateMachineArn());
    expect(target.inputs).not.toHaveProperty("sqsTarget");
    expect(startPolicy.Statement).toEqual([
      { Sid: "StartApprovedExecution", Effect: "Allow", Action: "states:StartExecution", Resource: stateMachineArn() },
    ]);
  });

  it("alarms on and plots only what Express publishes: its failures and timeouts, no throttled transitions", () => {
    const alarms = ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
    const dashboard = String(one("aws:cloudwatch/dashboard:Dashboard").inputs.dashboardBody);
    const statesMetrics = alarms.flatMap((alarm) =>
      (
        (alarm.inputs.metricQueries as { metric?: { namespace: string; metricName: string } }[] | undefined) ?? []
      ).flatMap((query) => (query.metric?.namespace === "AWS/States" ? [query.metric.metricName] : [])),
    );

    expect(statesMetrics.sort()).toEqual(["ExecutionsAborted", "ExecutionsFailed", "ExecutionsTimedOut"]);
    expect(JSON.stringify(alarms.map((alarm) => alarm.inputs))).not.toContain("ExecutionThrottled");
    expect(dashboard).not.toContain("ExecutionThrottled");
    expect(dashboard).toContain("ExecutionsTimedOut");
  });
});
