// Runs the whole program for one stack's config file under mocks and answers what it declared.
import * as pulumi from "@pulumi/pulumi";
import { parseEngineConfig } from "../config.ts";
import { createEngineStack } from "../stack.ts";
import { readStackConfig } from "../synth.ts";
import { installPulumiMocks, outputValue, type RecordedResource } from "./pulumi-mocks.ts";

export async function synthesizeStack(
  stack: string,
): Promise<{ resources: RecordedResource[]; outputs: Record<string, unknown> }> {
  const { project, config } = readStackConfig(stack);
  const resources = installPulumiMocks({ project, stack, config });
  const engineConfig = parseEngineConfig(
    {
      get: (key) => config[`${project}:${key}`],
      getSecret: (key) =>
        config[`${project}:${key}`] === undefined ? undefined : pulumi.secret(config[`${project}:${key}`] as string),
    },
    stack,
    project,
  );
  const { components: _components, ...outputs } = createEngineStack(engineConfig);
  const resolved = Object.fromEntries(
    await Promise.all(
      Object.entries(outputs).map(async ([name, value]) => [name, await outputValue(value as pulumi.Input<unknown>)]),
    ),
  );
  await pulumi.runtime.disconnect();
  return { resources, outputs: resolved };
}
