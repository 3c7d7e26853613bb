// Each function's Lambda logging controls, from the stack's log level: one declaration for the deployed
// `loggingConfig` and for the variables Lambda derives from it, which the local engine sets the same way.
//
// With the JSON log format Lambda always sets AWS_LAMBDA_LOG_LEVEL (INFO when no application level is
// given), and Powertools Logger lets it win over POWERTOOLS_LOG_LEVEL: a stack's DEBUG would be dropped
// unless the application level says DEBUG too.
// https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html
// https://docs.aws.amazon.com/powertools/typescript/latest/features/logger/#aws-lambda-advanced-logging-controls-alc
import type { EngineConfig } from "../config.ts";

export interface LambdaLogging {
  logFormat: "JSON";
  applicationLogLevel: EngineConfig["logLevel"];
  /** Lambda's own platform lines; the API takes DEBUG, INFO or WARN only. */
  systemLogLevel: "DEBUG" | "INFO" | "WARN";
}

export function lambdaLoggingFor(config: Pick<EngineConfig, "logLevel">): LambdaLogging {
  return {
    logFormat: "JSON",
    applicationLogLevel: config.logLevel,
    systemLogLevel: config.logLevel === "ERROR" ? "WARN" : config.logLevel,
  };
}

/** The variables Lambda sets in a function's environment from its logging controls. */
export function lambdaLoggingEnvironment(logging: LambdaLogging): Record<string, string> {
  return { AWS_LAMBDA_LOG_FORMAT: logging.logFormat, AWS_LAMBDA_LOG_LEVEL: logging.applicationLogLevel };
}
