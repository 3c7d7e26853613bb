// What CloudWatch Logs ingests for a function's lines: one log event per line, billed by its UTF-8 bytes,
// EMF metric lines counted apart (the original design's shape emits none). Lines the local engine captured
// are counted as the deployed stack would write them: its function and state machine names and account
// replace the local ones, which are shorter.
import type { WorkflowType } from "../infra/workflow/workflow-type.ts";
import { LOCAL_ACCOUNT } from "../local/iam/arns.ts";
import type { StackShape } from "./stack.ts";

export interface LogVolume {
  /** Log events (lines) and their UTF-8 bytes, per execution (or per status read). */
  events: number;
  bytes: number;
  /** Of which EMF lines (metrics). */
  emfEvents: number;
  emfBytes: number;
}

export const isEmf = (line: string) => line.includes('"_aws"') && line.includes('"CloudWatchMetrics"');

export function logVolume(lines: readonly string[]): LogVolume {
  const bytes = (some: readonly string[]) => some.reduce((sum, line) => sum + Buffer.byteLength(line, "utf8"), 0);
  const emf = lines.filter(isEmf);
  return { events: lines.length, bytes: bytes(lines), emfEvents: emf.length, emfBytes: bytes(emf) };
}

/** Rewrites a local line as the stack's function or state machine would write it. */
export function deployedNamer(stack: StackShape): (line: string) => string {
  const account = String(stack.definition.States.StartExecution?.Resource ?? "").split(":")[4] ?? LOCAL_ACCOUNT;
  const renames: [string, string][] = [
    ...stack.functions.map((fn): [string, string] => [`engine-local-${fn.id}`, fn.name]),
    ["stateMachine:engine-local", `stateMachine:${stack.stateMachine.name}`],
    ["execution:engine-local:", `execution:${stack.stateMachine.name}:`],
    ["express:engine-local:", `express:${stack.stateMachine.name}:`],
    [`arn:aws:iam::${LOCAL_ACCOUNT}:role/engine-local-workflow`, stack.stateMachine.roleArn],
    [`:${LOCAL_ACCOUNT}:`, `:${account}:`],
  ];
  // Longest first, so no name is rewritten inside a longer one.
  renames.sort(([a], [b]) => b.length - a.length);
  return (line) => renames.reduce((text, [local, deployed]) => text.replaceAll(local, deployed), line);
}

/**
 * An execution's ARN as the other workflow type names it: Standard `...:execution:<machine>:<name>`,
 * Express `...:express:<machine>:<name>:<run id>`; a Standard execution's name, a UUID, stands in for the
 * run id, which is one too.
 */
export function executionArnAs(executionArn: string, type: WorkflowType): string {
  const parts = executionArn.split(":");
  const [machine, name] = [parts[6], parts[7]];
  const head = parts.slice(0, 5).join(":");
  return type === "EXPRESS"
    ? `${head}:express:${machine}:${name}:${parts[8] ?? name}`
    : `${head}:execution:${machine}:${name}`;
}
