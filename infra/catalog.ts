// The engine's functions: where each one's code is and, for those the state machine calls, the
// placeholder its ARN fills in the definition template.
export interface EngineFunction {
  id: string;
  /** Handler module, relative to the repository root; it exports `handler`. */
  entry: string;
  /** Placeholder in infra/workflow/state-machine.asl.json, for functions the state machine invokes. */
  placeholder?: string;
}

export const engineFunctions = [
  { id: "execution-starter", entry: "functions/execution-starter/handler.ts", placeholder: "ExecutionStarterArn" },
  {
    id: "execution-validator",
    entry: "functions/execution-validator/handler.ts",
    placeholder: "ExecutionValidatorArn",
  },
  { id: "tool-mapper", entry: "functions/tool-mapper/handler.ts", placeholder: "ToolMapperArn" },
  { id: "tool-invoker", entry: "functions/tool-invoker/handler.ts", placeholder: "ToolInvokerArn" },
  { id: "compensation", entry: "functions/compensation/handler.ts", placeholder: "CompensationArn" },
  { id: "execution-recorder", entry: "functions/execution-recorder/handler.ts", placeholder: "ExecutionRecorderArn" },
  {
    id: "execution-failure-recorder",
    entry: "functions/execution-failure-recorder/handler.ts",
    placeholder: "ExecutionFailureRecorderArn",
  },
  { id: "status-api", entry: "functions/status-api/handler.ts" },
] as const satisfies readonly EngineFunction[];

export type EngineFunctionId = (typeof engineFunctions)[number]["id"];
