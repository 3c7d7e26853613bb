// aws-local-stepfunctions, with its JSONPath queries made cheaper. It calls jsonpath-plus's `JSONPath`
// as a function for every path of every state (Parameters, ResultSelector, Choice rules); called that way,
// JSONPath answers a scalar by constructing and throwing an Error from its own constructor and catching it
// (jsonpath-plus `NewError`), a stack capture and an unwinding for each `"x.$": "$.field"`. The engine's
// copy of the package gets a `JSONPath` that evaluates the same query on an instance instead: the same
// answer, nothing thrown. The package's CommonJS build reads `JSONPath` from jsonpath-plus's exports at
// each call, so the replacement is put in the module cache before that build is loaded.
import { createRequire } from "node:module";
import type * as StepFunctions from "aws-local-stepfunctions";

type JsonPathOptions = { path: string; json: unknown; wrap?: boolean } & Record<string, unknown>;
interface JsonPathClass {
  new (options: JsonPathOptions & { autostart: false }): { evaluate(options: JsonPathOptions): unknown };
}

const requireHere = createRequire(import.meta.url);
const requireAsStepFunctions = createRequire(requireHere.resolve("aws-local-stepfunctions"));
const jsonPathFile = requireAsStepFunctions.resolve("jsonpath-plus");
const jsonPathPlus = requireAsStepFunctions("jsonpath-plus") as { JSONPath: JsonPathClass };

/** `JSONPath(options)`: what jsonpath-plus's constructor evaluates when autostarted, without the throw. */
export function evaluateJsonPath(options: JsonPathOptions): unknown {
  const query: JsonPathOptions = { path: options.path, json: options.json };
  return new jsonPathPlus.JSONPath({ ...options, autostart: false }).evaluate(query);
}

const cached = requireHere.cache[jsonPathFile];
if (cached) cached.exports = { ...jsonPathPlus, JSONPath: evaluateJsonPath };

const stepFunctions = requireHere("aws-local-stepfunctions") as typeof StepFunctions;

export const { StateMachine, ExecutionTimeoutError } = stepFunctions;
export type { StateMachineDefinition } from "aws-local-stepfunctions";
