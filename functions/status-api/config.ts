// The status API's configuration, read once at cold start; a bad value fails with the variable's name.
import { optionalEnv, tableNameFromEnv } from "#kernel/config.ts";
import { DEFAULT_TENANT_CLAIM } from "./tenant-claim.ts";

export const MAX_PAGE_SIZE = 100;

/**
 * Browser origins allowed to read responses, e.g. `https://console.example.com`. Only exact origins:
 * no `*` and no wildcard hosts, because every response carries one tenant's data.
 */
export function parseAllowedOrigins(raw: string, key = "CORS_ALLOWED_ORIGINS"): string[] {
  const origins = raw
    .split(",")
    .map((origin) => origin.trim())
    .filter((origin) => origin !== "");
  for (const origin of origins) {
    if (origin.includes("*")) {
      throw new Error(`Environment variable ${key} must list exact origins; "${origin}" contains a wildcard`);
    }
    if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
      throw new Error(`Environment variable ${key} must list origins like https://app.example.com, got "${origin}"`);
    }
  }
  return origins;
}

export function parsePageSize(raw: string, key = "DEFAULT_PAGE_SIZE"): number {
  const size = Number(raw);
  if (!/^\d+$/.test(raw) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new Error(`Environment variable ${key} must be an integer from 1 to ${MAX_PAGE_SIZE}, got "${raw}"`);
  }
  return size;
}

export function readStatusApiConfig() {
  return {
    tables: { executions: tableNameFromEnv("executions"), intents: tableNameFromEnv("intents") },
    /** The JWT claim the authorizer verified that names the caller's tenant. */
    tenantClaim: optionalEnv("TENANT_CLAIM", DEFAULT_TENANT_CLAIM),
    /** Empty unless set: then no browser origin may read responses. */
    allowedOrigins: parseAllowedOrigins(optionalEnv("CORS_ALLOWED_ORIGINS", "")),
    defaultPageSize: parsePageSize(optionalEnv("DEFAULT_PAGE_SIZE", "50")),
  };
}

export type StatusApiConfig = ReturnType<typeof readStatusApiConfig>;
