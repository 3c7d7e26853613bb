// The stack's configuration, typed, with every default written once. Each key is read from the stack's
// Pulumi.<stack>.yaml under the project namespace (`action-execution-engine:<key>`); a missing or ill-typed
// key stops the program naming the key and what it expects.
import * as pulumi from "@pulumi/pulumi";
import { METRIC_NAMESPACE } from "../functions/kernel/metric-names.ts";
import { DEFAULT_TENANT_CLAIM } from "../functions/status-api/tenant-claim.ts";
import { type EngineFunctionId, engineFunctions } from "./catalog.ts";
import type { TraceSampling } from "./workflow/trace-sampling.ts";
import {
  type WorkflowLogLevel,
  type WorkflowType,
  workflowLogLevels,
  workflowTypes,
} from "./workflow/workflow-type.ts";

const logLevels = ["DEBUG", "INFO", "WARN", "ERROR"] as const;
const logRetentionDays = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
const percentiles = /^p(\d{1,2}(\.\d+)?)$/;

/** CloudWatch's "M out of N": ALARM when `datapointsToAlarm` of the latest `evaluationPeriods` periods breach. */
export interface AlarmDatapoints {
  datapointsToAlarm: number;
  evaluationPeriods: number;
}

/**
 * Each alarm's "M/N" key and default. A count of periods alone would mean N of N, and an alarm that must
 * fire on one incident could not; so every alarm states both, for the on-call engineer it pages.
 */
const alarmDatapointDefaults = {
  // One execution that ended without its failure recorded needs a person: the first breaching period pages.
  stateMachineFailures: { key: "alarmStateMachineFailuresDatapoints", fallback: "1/1" },
  // The threshold already counts failures per period; reaching it once is the burst worth a page.
  failedExecutions: { key: "alarmFailedExecutionsDatapoints", fallback: "1/1" },
  // A percentile over one quiet period can rest on a single slow execution; slowness that matters lasts.
  duration: { key: "alarmDurationDatapoints", fallback: "2/3" },
  // A throttle is a quota reached (gateway, Lambda concurrency, Step Functions): each period it happens counts.
  throttles: { key: "alarmThrottleDatapoints", fallback: "1/1" },
  // The depth is the period's maximum: a message waiting there is an approval that was never delivered.
  dlqDepth: { key: "alarmDlqDepthDatapoints", fallback: "1/1" },
  // The threshold already counts errors per period, as for failed executions.
  api5xx: { key: "alarmApi5xxDatapoints", fallback: "1/1" },
} as const;

export type AlarmName = keyof typeof alarmDatapointDefaults;
/** A secret's name (the characters Secrets Manager allows), or a partial or full secret ARN. */
const secretIds = /^([\w/+=.@-]{1,512}|arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:[\w/+=.@-]{1,512})$/;

export interface EngineConfig {
  stack: string;
  /** Prefix of every physical name, `<project>-<stack>` by default. */
  namePrefix: string;
  logLevel: (typeof logLevels)[number];
  logRetentionDays: number;
  /** Whether state machine logs include execution input and output (intent parameters, tool arguments). */
  logExecutionData: boolean;
  /** Step Functions workflow type; EXPRESS is refused when the definition can outlive its five minutes. */
  workflowType: WorkflowType;
  /** Which of the state machine's history events reach CloudWatch Logs; never OFF for EXPRESS. */
  workflowLogLevel: WorkflowLogLevel;
  /** Removal protection: Pulumi `protect`, DynamoDB deletion protection, no forced bucket deletion. */
  protect: boolean;
  trigger: { source: string; detailType: string };
  signalSource: string;
  metricsNamespace: string;
  globalKillSwitch: boolean;
  functionMemoryMb: number;
  /** Lambda's concurrency limits: the account's, and the functions' reserved concurrency. */
  lambdaConcurrency: LambdaConcurrency;
  /** Whether X-Ray keeps each handler's response as trace metadata (intent parameters, tool results). */
  traceResponses: boolean;
  /** The stack's X-Ray sampling rule for its executions; unset leaves them to the account's default rule. */
  traceSampling?: TraceSampling;
  artifactsRetentionDays: number;
  /** Days a replaced or deleted artifact's old version is kept (the bucket is versioned). */
  artifactsNoncurrentRetentionDays: number;
  /** Existing resources to use instead of creating them. */
  adopt: { eventBusName?: string; intentsTableName?: string; ledgerTableName?: string; signalsTableName?: string };
  gateway: {
    url: string;
    tokenUrl: string;
    clientId: string;
    /** An existing Secrets Manager secret holding the client secret: its name, partial ARN or full ARN... */
    clientSecretId?: string;
    /** ...or the client secret itself (a Pulumi secret), stored in a secret this stack creates. */
    clientSecret?: pulumi.Output<string>;
    /** Days a deleted stack-created secret stays recoverable, holding its name: 0, or 7 to 30. */
    secretRecoveryWindowDays: number;
    scope?: string;
    timeoutMs: number;
  };
  api: {
    jwtIssuer: string;
    jwtAudience: string[];
    tenantClaim: string;
    corsAllowedOrigins: string[];
    throttlingBurstLimit: number;
    throttlingRateLimit: number;
    defaultPageSize: number;
  };
  alarms: {
    emails: string[];
    periodSeconds: number;
    /** Per alarm, how many of its latest periods must breach (CloudWatch's "M out of N"). */
    datapoints: Record<AlarmName, AlarmDatapoints>;
    failedExecutionsThreshold: number;
    durationPercentile: string;
    durationThresholdMs: number;
    throttleThreshold: number;
    dlqDepthThreshold: number;
    api5xxThreshold: number;
  };
}

/**
 * Lambda's concurrency limits (https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html): a
 * function with reserved concurrency runs at most that many invocations at once, and its reservation is
 * set aside from the account's limit; the functions without one share what is left. An invocation over
 * its limit is throttled (TooManyRequestsException), never queued.
 */
export interface LambdaConcurrency {
  /** The account's concurrent executions in the region (the Service Quotas value; 1000 by default). */
  accountLimit: number;
  /** Function id -> reserved concurrency (0 stops the function); unreserved functions are absent. */
  reserved: Partial<Record<EngineFunctionId, number>>;
}

/** What PutFunctionConcurrency requires left unreserved for the account's other functions. */
export const MIN_UNRESERVED_CONCURRENCY = 100;

function parseLambdaConcurrency(
  source: ConfigSource,
  integer: (key: string, fallback: number, min?: number, max?: number) => number,
): LambdaConcurrency {
  const accountLimit = integer("lambdaAccountConcurrency", 1000, 1);
  const raw = source.get("reservedConcurrency");
  if (raw === undefined) return { accountLimit, reserved: {} };
  const ids = engineFunctions.map((fn) => fn.id as string);
  const expected = `a map of function id (${ids.join(", ")}) to an integer of 0 or more`;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ConfigError("reservedConcurrency", expected, raw);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError("reservedConcurrency", expected, raw);
  }
  const entries = Object.entries(value);
  for (const [id, count] of entries) {
    if (!ids.includes(id) || !Number.isInteger(count) || (count as number) < 0) {
      throw new ConfigError("reservedConcurrency", expected, raw);
    }
  }
  // https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html
  const total = entries.reduce((sum, [, count]) => sum + (count as number), 0);
  if (total > accountLimit - MIN_UNRESERVED_CONCURRENCY) {
    throw new ConfigError(
      "reservedConcurrency",
      `at most ${Math.max(0, accountLimit - MIN_UNRESERVED_CONCURRENCY)} reserved in all: Lambda keeps ${MIN_UNRESERVED_CONCURRENCY} of the account's ${accountLimit} (lambdaAccountConcurrency) unreserved`,
      raw,
    );
  }
  return { accountLimit, reserved: Object.fromEntries(entries) as LambdaConcurrency["reserved"] };
}

/**
 * "reservoir/rate", as an X-Ray sampling rule has them: executions recorded each second, then the share of
 * the rest, from 0 to 1 (https://docs.aws.amazon.com/xray/latest/api/API_SamplingRule.html).
 */
function parseTraceSampling(raw: string): TraceSampling {
  const match = /^\s*(\d+)\s*\/\s*(\d*\.?\d+)\s*$/.exec(raw);
  const reservoirPerSecond = Number(match?.[1]);
  const fixedRate = Number(match?.[2]);
  if (!match || !Number.isSafeInteger(reservoirPerSecond) || fixedRate > 1) {
    throw new ConfigError(
      "traceSampling",
      '"reservoir/rate": the executions X-Ray records each second, then the share of the rest from 0 to 1 (e.g. "0/0.05" for 5%, "1/1" for every one)',
      raw,
    );
  }
  return { reservoirPerSecond, fixedRate };
}

/** Reads raw string values by key; `undefined` when the key is not set. */
export type ConfigSource = {
  get(key: string): string | undefined;
  getSecret(key: string): pulumi.Output<string> | undefined;
};

export class ConfigError extends Error {
  constructor(key: string, expected: string, got?: string) {
    super(`stack config key "${key}" must be ${expected}${got === undefined ? " (it is not set)" : `, got "${got}"`}`);
    this.name = "ConfigError";
  }
}

export function parseEngineConfig(source: ConfigSource, stack: string, project: string): EngineConfig {
  const text = (key: string, fallback?: string): string => {
    const value = source.get(key) ?? fallback;
    if (value === undefined || value.trim() === "") throw new ConfigError(key, "a non-empty string", value);
    return value;
  };
  const optional = (key: string) => source.get(key) || undefined;
  const integer = (key: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = source.get(key);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max)
      throw new ConfigError(key, `an integer from ${min} to ${max}`, raw);
    return value;
  };
  const flag = (key: string, fallback: boolean): boolean => {
    const raw = source.get(key);
    if (raw === undefined) return fallback;
    if (raw !== "true" && raw !== "false") throw new ConfigError(key, "true or false", raw);
    return raw === "true";
  };
  const list = (key: string, fallback: string[]): string[] => {
    const raw = source.get(key);
    if (raw === undefined) return fallback;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new ConfigError(key, "a list of strings", raw);
    }
    if (!Array.isArray(value) || !value.every((item) => typeof item === "string" && item !== "")) {
      throw new ConfigError(key, "a list of strings", raw);
    }
    return value;
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const raw = source.get(key) ?? fallback;
    if (!allowed.includes(raw as T)) throw new ConfigError(key, `one of ${allowed.join(", ")}`, raw);
    return raw as T;
  };

  const audience = list("jwtAudience", []);
  if (audience.length === 0)
    throw new ConfigError("jwtAudience", "a non-empty list of audiences (app client ids)", source.get("jwtAudience"));

  const retention = integer("logRetentionDays", 14, 1, 3653);
  if (!logRetentionDays.includes(retention)) {
    throw new ConfigError(
      "logRetentionDays",
      `one of CloudWatch's retention values (${logRetentionDays.join(", ")})`,
      String(retention),
    );
  }
  // CloudWatch takes 10, 20, 30 or a multiple of 60 seconds; the sub-minute ones only fill from
  // high-resolution metrics, and the engine's and AWS's metrics here are per minute:
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
  const alarmPeriodSeconds = integer("alarmPeriodSeconds", 300, 60, 86_400);
  if (alarmPeriodSeconds % 60 !== 0) {
    throw new ConfigError(
      "alarmPeriodSeconds",
      "a multiple of 60 seconds (metrics here are per minute)",
      String(alarmPeriodSeconds),
    );
  }
  const datapointKeys = Object.values(alarmDatapointDefaults)
    .map(({ key }) => key)
    .join(", ");
  const retiredEvaluationPeriods = source.get("alarmEvaluationPeriods");
  if (retiredEvaluationPeriods !== undefined) {
    throw new ConfigError(
      "alarmEvaluationPeriods",
      `removed: alone it made every alarm N of N; set one "M/N" key per alarm instead (${datapointKeys})`,
      retiredEvaluationPeriods,
    );
  }
  // Period × N is at most one day for periods under an hour, seven days otherwise (PutMetricAlarm, above).
  const maxEvaluationSeconds = alarmPeriodSeconds < 3600 ? 86_400 : 604_800;
  const alarmDatapoints = (key: string, fallback: string): AlarmDatapoints => {
    const raw = source.get(key) ?? fallback;
    const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw);
    const datapointsToAlarm = Number(match?.[1]);
    const evaluationPeriods = Number(match?.[2]);
    if (!match || datapointsToAlarm < 1 || datapointsToAlarm > evaluationPeriods) {
      throw new ConfigError(key, '"M/N", alarm when M of the latest N periods breach, 1 <= M <= N (e.g. "2/3")', raw);
    }
    if (evaluationPeriods * alarmPeriodSeconds > maxEvaluationSeconds) {
      throw new ConfigError(
        key,
        `"M/N" with N at most ${Math.floor(maxEvaluationSeconds / alarmPeriodSeconds)}: CloudWatch evaluates at most ${maxEvaluationSeconds / 3600} hours of ${alarmPeriodSeconds} s periods`,
        raw,
      );
    }
    return { datapointsToAlarm, evaluationPeriods };
  };
  const durationPercentile = source.get("alarmDurationPercentile") ?? "p90";
  if (!percentiles.test(durationPercentile))
    throw new ConfigError("alarmDurationPercentile", "a percentile such as p90 or p99.9", durationPercentile);

  const renamedSecretKey = optional("gatewayClientSecretArn");
  if (renamedSecretKey) {
    throw new ConfigError(
      "gatewayClientSecretArn",
      'renamed to "gatewayClientSecretId" (set that key instead: it takes a secret name, partial ARN or full ARN)',
      renamedSecretKey,
    );
  }
  const clientSecretId = optional("gatewayClientSecretId");
  const clientSecret = source.getSecret("gatewayClientSecret");
  if (!clientSecretId && !clientSecret) {
    throw new ConfigError(
      "gatewayClientSecretId",
      "the name or ARN of a secret holding the gateway client secret (or set gatewayClientSecret with --secret)",
    );
  }
  if (clientSecretId && !secretIds.test(clientSecretId)) {
    throw new ConfigError(
      "gatewayClientSecretId",
      "a Secrets Manager secret name, partial ARN or full ARN",
      clientSecretId,
    );
  }
  // Secrets Manager takes 0 (delete at once) or 7 to 30 days:
  // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html
  const secretRecoveryWindowDays = integer("secretRecoveryWindowDays", 30, 0, 30);
  if (secretRecoveryWindowDays > 0 && secretRecoveryWindowDays < 7) {
    throw new ConfigError("secretRecoveryWindowDays", "0 or an integer from 7 to 30", String(secretRecoveryWindowDays));
  }

  const rawTraceSampling = optional("traceSampling");
  const traceSampling = rawTraceSampling === undefined ? undefined : parseTraceSampling(rawTraceSampling);

  const workflowType = oneOf("workflowType", workflowTypes, "STANDARD");
  // ERROR by default: every failure reaches the logs beside the functions' own; Standard keeps each event in
  // its execution history anyway, and the engine's ledger records every execution of either type.
  const workflowLogLevel = oneOf("workflowLogLevel", workflowLogLevels, "ERROR");
  if (workflowType === "EXPRESS" && workflowLogLevel === "OFF") {
    throw new ConfigError(
      "workflowLogLevel",
      "ALL, ERROR or FATAL with workflowType EXPRESS: an Express workflow keeps no execution history, so its logs are all Step Functions records of an execution",
      workflowLogLevel,
    );
  }

  return {
    stack,
    namePrefix: optional("namePrefix") ?? `${project}-${stack}`,
    logLevel: oneOf("logLevel", logLevels, "INFO"),
    logRetentionDays: retention,
    logExecutionData: flag("logExecutionData", false),
    workflowType,
    workflowLogLevel,
    protect: flag("protect", false),
    trigger: {
      source: text("eventSource", "cc-native.decision"),
      detailType: text("eventDetailType", "ACTION_APPROVED"),
    },
    signalSource: text("signalSource", "cc-native.execution"),
    // Stacks sharing an account and region need different namespaces, or their alarms add up each other's metrics.
    metricsNamespace: text("metricsNamespace", METRIC_NAMESPACE),
    globalKillSwitch: flag("globalKillSwitch", false),
    functionMemoryMb: integer("functionMemoryMb", 512, 128, 10240),
    lambdaConcurrency: parseLambdaConcurrency(source, integer),
    traceResponses: flag("traceResponses", false),
    traceSampling,
    artifactsRetentionDays: integer("artifactsRetentionDays", 90, 1),
    artifactsNoncurrentRetentionDays: integer("artifactsNoncurrentRetentionDays", 30, 1),
    adopt: {
      eventBusName: optional("existingEventBusName"),
      intentsTableName: optional("existingIntentsTableName"),
      ledgerTableName: optional("existingLedgerTableName"),
      signalsTableName: optional("existingSignalsTableName"),
    },
    gateway: {
      url: text("gatewayUrl"),
      tokenUrl: text("gatewayTokenUrl"),
      clientId: text("gatewayClientId"),
      clientSecretId,
      clientSecret,
      secretRecoveryWindowDays,
      scope: optional("gatewayOauthScope"),
      // 2 s below the tool invoker's 14 s Lambda timeout (infra/catalog.ts), which also claims the call and
      // stores its reply: the call, not the function, times out.
      timeoutMs: integer("toolTimeoutMs", 10_000, 100, 12_000),
    },
    api: {
      jwtIssuer: text("jwtIssuer"),
      jwtAudience: audience,
      tenantClaim: text("tenantClaim", DEFAULT_TENANT_CLAIM),
      corsAllowedOrigins: list("corsAllowedOrigins", []),
      throttlingBurstLimit: integer("apiThrottlingBurstLimit", 50, 1),
      throttlingRateLimit: integer("apiThrottlingRateLimit", 100, 1),
      defaultPageSize: integer("apiDefaultPageSize", 50, 1, 100),
    },
    alarms: {
      emails: list("alarmEmails", []),
      periodSeconds: alarmPeriodSeconds,
      datapoints: Object.fromEntries(
        Object.entries(alarmDatapointDefaults).map(([name, { key, fallback }]) => [
          name,
          alarmDatapoints(key, fallback),
        ]),
      ) as Record<AlarmName, AlarmDatapoints>,
      failedExecutionsThreshold: integer("alarmFailedExecutionsThreshold", 5, 1),
      durationPercentile,
      durationThresholdMs: integer("alarmDurationThresholdMs", 60_000, 1),
      throttleThreshold: integer("alarmThrottleThreshold", 1, 1),
      dlqDepthThreshold: integer("alarmDlqDepthThreshold", 1, 1),
      api5xxThreshold: integer("alarmApi5xxThreshold", 5, 1),
    },
  };
}

/** The running stack's configuration. */
export function readEngineConfig(): EngineConfig {
  const config = new pulumi.Config();
  return parseEngineConfig(
    { get: (key) => config.get(key), getSecret: (key) => config.getSecret(key) },
    pulumi.getStack(),
    pulumi.getProject(),
  );
}
