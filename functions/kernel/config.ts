// Reading configuration from the environment: once, at cold start, failing with the variable's name.
import { getStringFromEnv } from "@aws-lambda-powertools/commons/utils/env";
import { type TableName, tables } from "./data-layout.ts";

export function requireEnv(key: string): string {
  return getStringFromEnv({ key, errorMessage: `Environment variable ${key} is required but not set` });
}

export function optionalEnv(key: string, defaultValue: string): string {
  return getStringFromEnv({ key, defaultValue });
}

/** A boolean flag: `true`/`false` only, so a typo fails at cold start instead of reading as false. */
export function flagEnv(key: string, defaultValue: boolean): boolean {
  const raw = getStringFromEnv({ key, defaultValue: String(defaultValue) }).toLowerCase();
  if (raw !== "true" && raw !== "false") {
    throw new Error(`Environment variable ${key} must be "true" or "false", got "${raw}"`);
  }
  return raw === "true";
}

/** The physical name of one of the engine's tables, from the variable the data layout names. */
export function tableNameFromEnv(table: TableName): string {
  return requireEnv(tables[table].envVar);
}

/** What both recorders need to record an outcome and publish its signal. */
export function readRecordingConfig() {
  return {
    tables: {
      executions: tableNameFromEnv("executions"),
      ledger: tableNameFromEnv("ledger"),
      signals: tableNameFromEnv("signals"),
    },
    eventBusName: requireEnv("EVENT_BUS_NAME"),
    signalSource: optionalEnv("SIGNAL_SOURCE", "cc-native.execution"),
  };
}

export type RecordingConfig = ReturnType<typeof readRecordingConfig>;
