// What a deploy of a stack creates, as the Pulumi program itself declares it: `infra/synth.ts` runs the
// program under Pulumi's mocks with the stack's config file and writes every resource's inputs and the
// rendered state machine to out/synth/<stack>/. Memory, architecture, runtime and each function's
// environment are read from there, so the benchmark never restates what the infrastructure decides.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type EngineFunctionId, engineFunctions } from "../infra/catalog.ts";
import type { AslDefinition } from "../infra/workflow/definition.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

export interface DeployedFunction {
  id: EngineFunctionId;
  name: string;
  memoryMb: number;
  architecture: string;
  runtime: string;
  timeoutSeconds: number;
  environment: Record<string, string>;
}

export interface StackShape {
  stack: string;
  functions: DeployedFunction[];
  /** The rendered definition, with the stack's function ARNs. */
  definition: AslDefinition;
}

interface SynthResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/** Parses the review bundle `infra/synth.ts` wrote for a stack. */
export function readSynthOutput(stack: string, directory = `${root}/out/synth/${stack}`): StackShape {
  const resources = JSON.parse(readFileSync(`${directory}/resources.json`, "utf8")) as SynthResource[];
  const definition = JSON.parse(readFileSync(`${directory}/state-machine.asl.json`, "utf8")) as AslDefinition;
  const ids = new Set<string>(engineFunctions.map((fn) => fn.id));
  const functions = resources
    .filter((resource) => resource.type === "aws:lambda/function:Function")
    .map((resource): DeployedFunction => {
      const inputs = resource.inputs as {
        name: string;
        memorySize: number;
        architectures?: string[];
        runtime: string;
        timeout: number;
        environment?: { variables?: Record<string, string> };
      };
      const environment = inputs.environment?.variables ?? {};
      // Each function's Powertools service name is its catalog id.
      const id = environment.POWERTOOLS_SERVICE_NAME;
      if (!id || !ids.has(id)) throw new Error(`synth output: cannot tell which function ${inputs.name} is`);
      return {
        id: id as EngineFunctionId,
        name: inputs.name,
        memoryMb: inputs.memorySize,
        // Lambda's default when the program names none.
        architecture: inputs.architectures?.[0] ?? "x86_64",
        runtime: inputs.runtime,
        timeoutSeconds: inputs.timeout,
        environment,
      };
    });
  const missing = engineFunctions.filter((fn) => !functions.some((deployed) => deployed.id === fn.id));
  if (missing.length) throw new Error(`synth output lacks ${missing.map((fn) => fn.id).join(", ")}`);
  return { stack, functions, definition };
}

/** Runs `infra/synth.ts --stack <stack>` in its own process (Pulumi's mocks are once per process). */
export async function synthesizeStack(stack: string): Promise<StackShape> {
  const child = spawn(process.execPath, [`${root}/infra/synth.ts`, "--stack", stack], {
    cwd: root,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const [code] = (await once(child, "exit")) as [number | null];
  if (code !== 0) throw new Error(`infra/synth.ts --stack ${stack} exited with ${code}: ${stderr.trim()}`);
  return readSynthOutput(stack);
}
