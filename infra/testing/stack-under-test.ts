// Runs the whole program for one stack's config file under mocks and answers what it declared.
import * as pulumi from "@pulumi/pulumi";
import { createEngineStack } from "../stack.ts";
import { readStackConfig } from "../synth.ts";
import type { DurationBound } from "../workflow/duration-bound.ts";
import { installPulumiMocks, outputValue, type RecordedResource } from "./pulumi-mocks.ts";
import { engineConfigOf } from "./stack-config.ts";

/** `overrides` set keys as `pulumi config set` would, on top of the stack's file (e.g. `{ workflowType: "EXPRESS" }`). */
export async function synthesizeStack(
  stack: string,
  overrides: Record<string, string> = {},
): Promise<{ resources: RecordedResource[]; outputs: Record<string, unknown>; durationBound: DurationBound }> {
  const { project, config } = readStackConfig(stack);
  const resources = installPulumiMocks({ project, stack, config });
  const { components, ...outputs } = createEngineStack(engineConfigOf(stack, overrides));
  const resolved = Object.fromEntries(
    await Promise.all(
      Object.entries(outputs).map(async ([name, value]) => [name, await outputValue(value as pulumi.Input<unknown>)]),
    ),
  );
  await pulumi.runtime.disconnect();
  return { resources, outputs: resolved, durationBound: components.workflow.durationBound };
}
