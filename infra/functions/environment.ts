// Each function's environment: Powertools settings, the physical names of what it touches (the same
// `access` its policy is derived from), and its own settings from the stack config.
import { type TableName, tables } from "../../functions/kernel/data-layout.ts";
import type { EngineFunction } from "../catalog.ts";
import type { EngineConfig } from "../config.ts";

export interface EngineResourceNames {
  tables: Record<TableName, string>;
  artifactsBucket: string;
  eventBusName: string;
  gatewaySecretId: string;
}

export function environmentFor(
  fn: EngineFunction,
  config: EngineConfig,
  names: EngineResourceNames,
): Record<string, string> {
  const environment: Record<string, string> = {
    POWERTOOLS_SERVICE_NAME: fn.id,
    POWERTOOLS_LOG_LEVEL: config.logLevel,
    POWERTOOLS_METRICS_NAMESPACE: config.metricsNamespace,
    // Read by the kernel's tracing middleware: responses stay out of X-Ray unless the stack asks.
    POWERTOOLS_TRACER_CAPTURE_RESPONSE: String(config.traceResponses),
  };
  for (const table of Object.keys(fn.access.tables ?? {}) as TableName[]) {
    environment[tables[table].envVar] = names.tables[table];
  }
  if (fn.access.artifacts) environment.ARTIFACTS_BUCKET = names.artifactsBucket;
  if (fn.access.signals) {
    environment.EVENT_BUS_NAME = names.eventBusName;
    environment.SIGNAL_SOURCE = config.signalSource;
  }
  if (fn.access.gateway) {
    Object.assign(environment, {
      GATEWAY_URL: config.gateway.url,
      GATEWAY_TOKEN_URL: config.gateway.tokenUrl,
      GATEWAY_CLIENT_ID: config.gateway.clientId,
      GATEWAY_CLIENT_SECRET_ID: names.gatewaySecretId,
      TOOL_TIMEOUT_MS: String(config.gateway.timeoutMs),
      ...(config.gateway.scope ? { GATEWAY_OAUTH_SCOPE: config.gateway.scope } : {}),
    });
  }
  return { ...environment, ...fn.settings?.(config) };
}
