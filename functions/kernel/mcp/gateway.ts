// The MCP gateway as the functions that call tools see it: configured from the environment at cold
// start, one token cache and one session per container.

import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { createSecretCache } from "../clients/secrets.ts";
import { optionalEnv, requireEnv } from "../config.ts";
import { PermanentError } from "../errors.ts";
import { Metric } from "../metric-names.ts";
import { metrics } from "../powertools.ts";
import { createMcpClient, type McpClient } from "./mcp-client.ts";
import { createTokenProvider } from "./oauth.ts";

export function readGatewayConfig() {
  const timeoutMs = Number(optionalEnv("TOOL_TIMEOUT_MS", "10000"));
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw new Error(
      `Environment variable TOOL_TIMEOUT_MS must be a positive integer of milliseconds, got "${process.env.TOOL_TIMEOUT_MS}"`,
    );
  }
  return {
    url: requireEnv("GATEWAY_URL"),
    tokenUrl: requireEnv("GATEWAY_TOKEN_URL"),
    clientId: requireEnv("GATEWAY_CLIENT_ID"),
    /** Name or ARN of the Secrets Manager secret holding the client secret (a plain string). */
    clientSecretId: requireEnv("GATEWAY_CLIENT_SECRET_ID"),
    scope: process.env.GATEWAY_OAUTH_SCOPE || undefined,
    timeoutMs,
  };
}

export type GatewayConfig = ReturnType<typeof readGatewayConfig>;

/** The client secret is read again after five minutes, so a rotation reaches warm containers. */
const secrets = createSecretCache(300);

export function connectGateway(config: GatewayConfig, clientName: string): McpClient {
  const tokens = createTokenProvider({
    tokenUrl: config.tokenUrl,
    clientId: config.clientId,
    scope: config.scope,
    timeoutMs: config.timeoutMs,
    clientSecret: async () => {
      try {
        return await secrets.get(config.clientSecretId);
      } catch (error) {
        // Without its secret the gateway cannot be called: an AUTH failure, unless worth retrying.
        if (error instanceof PermanentError) {
          throw new PermanentError(`cannot read the gateway's client secret: ${error.message}`, {
            cause: error,
            errorClass: "AUTH",
          });
        }
        throw error;
      }
    },
  });
  return createMcpClient({
    url: config.url,
    timeoutMs: config.timeoutMs,
    tokens,
    clientInfo: { name: clientName, version: "1" },
    onThrottle: () => metrics.addMetric(Metric.ToolThrottled.name, MetricUnit.Count, 1),
  });
}
