// A stack's configuration as the program reads it from Pulumi.<stack>.yaml, through the same parser, for
// tests that need the real stack values without running the program.
import * as pulumi from "@pulumi/pulumi";
import { type EngineConfig, parseEngineConfig } from "../config.ts";
import { readStackConfig } from "../synth.ts";

export function engineConfigOf(stack: string, overrides: Record<string, string> = {}): EngineConfig {
  const { project, config } = readStackConfig(stack);
  return parseEngineConfig(
    {
      get: (key) => overrides[key] ?? config[`${project}:${key}`],
      getSecret: (key) =>
        config[`${project}:${key}`] === undefined ? undefined : pulumi.secret(config[`${project}:${key}`] as string),
    },
    stack,
    project,
  );
}
