// The AWS-published metrics the alarms and the dashboard use, with the dimensions each namespace is read by.
// Names as the service guides list them (Step Functions "Monitoring Step Functions metrics using Amazon
// CloudWatch", API Gateway "Monitor CloudWatch metrics for HTTP APIs", Lambda and SQS metric pages). Spelling
// is easy to get wrong: Step Functions' throttle metric is `ExecutionThrottled` (CDK's canned
// `ExecutionsThrottled` names no metric), and HTTP APIs publish `4xx`/`5xx`, not REST's `4XXError`/`5XXError`.

import type { WorkflowType } from "../workflow/workflow-type.ts";

export const awsMetricCatalog = {
  /** Per state machine, Standard or Express (see standardOnlyStatesMetrics). */
  "AWS/States": {
    dimensions: ["StateMachineArn"],
    metrics: [
      "ExecutionsStarted",
      "ExecutionsSucceeded",
      "ExecutionsFailed",
      "ExecutionsTimedOut",
      "ExecutionsAborted",
      "ExecutionThrottled",
      "ExecutionTime",
    ],
  },
  "AWS/Lambda": {
    dimensions: ["FunctionName"],
    metrics: ["Invocations", "Errors", "Throttles", "Duration", "ConcurrentExecutions"],
  },
  "AWS/SQS": {
    dimensions: ["QueueName"],
    metrics: ["ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage", "NumberOfMessagesSent"],
  },
  /** HTTP APIs, per API and stage (the `$default` stage is named `$default`). */
  "AWS/ApiGateway": {
    dimensions: ["ApiId", "Stage"],
    metrics: ["Count", "4xx", "5xx", "Latency", "IntegrationLatency", "DataProcessed"],
  },
} as const satisfies Record<string, { dimensions: readonly string[]; metrics: readonly string[] }>;

/**
 * AWS/States metrics only Standard workflows publish. Both types publish the execution counts and ExecutionTime
 * per StateMachineArn (an Express execution stopped at five minutes counts in ExecutionsTimedOut:
 * https://docs.aws.amazon.com/step-functions/latest/dg/express-limits.html). ExecutionThrottled counts
 * throttled state transitions, and Express does not throttle them (its StateTransition bucket is unlimited,
 * same page), so an Express state machine never publishes it: an alarm term on it would stay empty forever.
 */
export const standardOnlyStatesMetrics = [
  "ExecutionThrottled",
] as const satisfies readonly AwsMetricName<"AWS/States">[];

/** Whether a state machine of `workflowType` publishes this AWS/States metric. */
export function publishesStatesMetric(workflowType: WorkflowType, metricName: string): boolean {
  return workflowType === "STANDARD" || !(standardOnlyStatesMetrics as readonly string[]).includes(metricName);
}

export type AwsNamespace = keyof typeof awsMetricCatalog;
export type AwsMetricName<N extends AwsNamespace> = (typeof awsMetricCatalog)[N]["metrics"][number];
