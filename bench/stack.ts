// What a deploy of a stack creates, as the Pulumi program itself declares it: `infra/synth.ts` runs the
// program under Pulumi's mocks with the stack's config file and writes every resource's inputs and the
// rendered state machine to out/synth/<stack>/. Memory, architecture, runtime, each function's
// environment, logging and tracing, the state machine's type, logging and tracing, and any X-Ray sampling
// rule are read from there, so the benchmark never restates what the infrastructure decides.
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
  /** Lambda's tracing mode: `Active` samples requests that arrive without a sampling decision. */
  tracingMode: "Active" | "PassThrough";
}

export interface DeployedStateMachine {
  name: string;
  type: "STANDARD" | "EXPRESS";
  roleArn: string;
  /** CloudWatch Logs delivery: `OFF` when the stack configures none. */
  logging: { level: "ALL" | "ERROR" | "FATAL" | "OFF"; includeExecutionData: boolean };
  tracing: boolean;
}

/** An X-Ray sampling rule the stack declares; without one, X-Ray's default rule applies. */
export interface DeployedSamplingRule {
  name: string;
  priority: number;
  reservoirSize: number;
  fixedRate: number;
  /** What the rule matches (X-Ray's wildcards `*` and `?`): the service by its segments' name and origin... */
  serviceName: string;
  serviceType: string;
  /** ...and the request: `*` matches any. */
  resourceArn: string;
  host: string;
  httpMethod: string;
  urlPath: string;
  attributes: Record<string, string>;
}

export interface StackShape {
  stack: string;
  functions: DeployedFunction[];
  /** The rendered definition, with the stack's function ARNs. */
  definition: AslDefinition;
  stateMachine: DeployedStateMachine;
  samplingRules: DeployedSamplingRule[];
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
        tracingConfig?: { mode?: string };
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
        // Lambda's default when the program names none.
        tracingMode: inputs.tracingConfig?.mode === "Active" ? "Active" : "PassThrough",
      };
    });
  const missing = engineFunctions.filter((fn) => !functions.some((deployed) => deployed.id === fn.id));
  if (missing.length) throw new Error(`synth output lacks ${missing.map((fn) => fn.id).join(", ")}`);
  const machines = resources.filter((resource) => resource.type === "aws:sfn/stateMachine:StateMachine");
  if (machines.length !== 1) throw new Error(`synth output: expected one state machine, found ${machines.length}`);
  const machine = (machines[0] as SynthResource).inputs as {
    name: string;
    type?: string;
    roleArn: string;
    loggingConfiguration?: { level?: string; includeExecutionData?: boolean };
    tracingConfiguration?: { enabled?: boolean };
  };
  const samplingRules = resources
    .filter((resource) => resource.type === "aws:xray/samplingRule:SamplingRule")
    .map((resource): DeployedSamplingRule => {
      const rule = resource.inputs as Omit<DeployedSamplingRule, "name" | "attributes"> & {
        ruleName: string;
        attributes?: Record<string, string>;
      };
      return {
        name: rule.ruleName,
        priority: rule.priority,
        reservoirSize: rule.reservoirSize,
        fixedRate: rule.fixedRate,
        serviceName: rule.serviceName,
        serviceType: rule.serviceType,
        resourceArn: rule.resourceArn,
        host: rule.host,
        httpMethod: rule.httpMethod,
        urlPath: rule.urlPath,
        attributes: rule.attributes ?? {},
      };
    });
  return {
    stack,
    functions,
    definition,
    // Step Functions' defaults when the program names none: STANDARD, logging OFF, tracing off.
    stateMachine: {
      name: machine.name,
      type: machine.type === "EXPRESS" ? "EXPRESS" : "STANDARD",
      roleArn: machine.roleArn,
      logging: {
        level: (machine.loggingConfiguration?.level ?? "OFF") as DeployedStateMachine["logging"]["level"],
        includeExecutionData: machine.loggingConfiguration?.includeExecutionData ?? false,
      },
      tracing: machine.tracingConfiguration?.enabled ?? false,
    },
    samplingRules,
  };
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
