// How many of the state machine's executions X-Ray records: a sampling rule of the stack's own, matching its
// state machine alone. Without one, X-Ray's default rule applies (the first request each second and 5% of the
// rest, account-wide), which at a steady million executions a month records every one.
//
// Step Functions makes the sampling decision when an execution starts without an upstream trace header, by
// the account's sampling rules (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-xray-tracing.html:
// "You can also configure sampling rules to tell X-Ray which requests to record"), and every function the
// execution invokes follows that decision: X-Ray sampling is decided once, by the first traced service, and
// honoured downstream (https://docs.aws.amazon.com/xray/latest/devguide/xray-console-sampling.html); Lambda
// respects the trace header it receives (https://docs.aws.amazon.com/lambda/latest/api/API_TracingConfig.html).
// A rule matches a service by the `name` and `origin` of its segments (ServiceName, ServiceType:
// https://docs.aws.amazon.com/xray/latest/api/API_SamplingRule.html); a state machine's segment carries its
// name and the origin AWS::StepFunctions::StateMachine. The state machine's role already holds
// xray:GetSamplingRules and xray:GetSamplingTargets (https://docs.aws.amazon.com/step-functions/latest/dg/xray-iam.html).
import { createHash } from "node:crypto";
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/** A sampling rule's two numbers: traces recorded each second first, then the share of the rest. */
export interface TraceSampling {
  reservoirPerSecond: number;
  /** 0 to 1. */
  fixedRate: number;
}

export const STATE_MACHINE_SERVICE_TYPE = "AWS::StepFunctions::StateMachine";
/** Rules apply lowest first; X-Ray's default rule is the last (10000). This one names a single state machine. */
export const SAMPLING_RULE_PRIORITY = 1000;
/** CreateSamplingRule: RuleName is 1 to 32 characters, unique in the account and region. */
const MAX_RULE_NAME_LENGTH = 32;

/** The stack's name prefix, or, when longer than X-Ray allows, its start and a digest of the whole. */
export function samplingRuleName(namePrefix: string): string {
  if (namePrefix.length <= MAX_RULE_NAME_LENGTH) return namePrefix;
  const digest = createHash("sha256").update(namePrefix).digest("hex").slice(0, 8);
  return `${namePrefix.slice(0, MAX_RULE_NAME_LENGTH - digest.length - 1)}-${digest}`;
}

/** The rule for one state machine: every request field a wildcard, so the service alone decides the match. */
export function samplingRuleArgs(
  namePrefix: string,
  stateMachineName: pulumi.Input<string>,
  sampling: TraceSampling,
): aws.xray.SamplingRuleArgs {
  return {
    ruleName: samplingRuleName(namePrefix),
    priority: SAMPLING_RULE_PRIORITY,
    reservoirSize: sampling.reservoirPerSecond,
    fixedRate: sampling.fixedRate,
    serviceName: stateMachineName,
    serviceType: STATE_MACHINE_SERVICE_TYPE,
    resourceArn: "*",
    host: "*",
    httpMethod: "*",
    urlPath: "*",
    version: 1,
  };
}
