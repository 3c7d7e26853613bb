// What a command is to the CLI: the words that select it, its arguments and options (for node:util
// parseArgs and for --help), an example, and what it runs. Options every command takes live here too.
import { identifier } from "../schemas/common.ts";
import { UsageError } from "./errors.ts";
import type { CliIo, Printer } from "./output.ts";
import type { Target } from "./target.ts";

export const PROGRAM = "npm run engine --";

export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  /** The value's placeholder in help: `--tenant <id>`. */
  value?: string;
  description: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

export interface CommandContext {
  /** The arguments after the command's words. */
  positionals: string[];
  io: CliIo;
  out: Printer;
  /** --json: print the raw result instead of a summary. */
  json: boolean;
  string(option: string): string | undefined;
  flag(option: string): boolean;
  /** A string option that must be given. */
  required(option: string, why?: string): string;
  /** A whole number option, checked against its bounds. */
  integer(option: string, bounds: { min: number; max: number; fallback: number }): number;
  /** An identifier option (tenant, account, action type), checked as the contracts check it. */
  identifier(option: string): string | undefined;
  /** The target options as given (` --stack dev`), to repeat in the commands a message suggests. */
  targetFlags: string;
  /** The engine the command acts on, resolved on first use. */
  target(): Promise<Target>;
}

export interface Command {
  /** The words that select it: ["approve"], ["registry", "put"]. */
  words: string[];
  summary: string;
  /** What follows the words in the usage line, options included: `<intent.json | - | intent-id> [--tenant <id>]`. */
  synopsis: string;
  positionals: { min: number; max: number };
  /** Paragraphs for --help, after the summary. */
  details?: string[];
  options: OptionSpecs;
  examples: string[];
  run(context: CommandContext): Promise<void>;
}

/** Options every command takes: which engine, and output format. */
export const globalOptions: OptionSpecs = {
  dir: {
    type: "string",
    value: "path",
    description: "the local engine's state directory (default $ENGINE_STATE_DIR, else .local)",
  },
  stack: {
    type: "string",
    value: "name",
    description: "a deployed stack, its outputs read with `pulumi stack output --json --stack <name>`",
  },
  outputs: { type: "string", value: "file", description: "a deployed stack's outputs saved as JSON" },
  json: { type: "boolean", description: "print JSON instead of a summary" },
  help: { type: "boolean", short: "h", description: "show this help" },
};

export const usageLine = (command: Command) => `usage: ${PROGRAM} ${command.words.join(" ")} ${command.synopsis}`;

function optionLines(options: OptionSpecs): string[] {
  const labels = Object.entries(options).map(([name, spec]) => [
    `${spec.short ? `-${spec.short}, ` : ""}--${name}${spec.value ? ` <${spec.value}>` : ""}`,
    spec.description,
  ]);
  const width = Math.max(...labels.map(([label]) => (label ?? "").length));
  return labels.map(([label, description]) => `  ${(label ?? "").padEnd(width)}  ${description}`);
}

/** Wraps a paragraph at `width` columns, for help text. */
function wrap(paragraph: string, width = 100): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of paragraph.split(/\s+/)) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  return line === "" ? lines : [...lines, line];
}

export function commandHelp(command: Command): string {
  return [
    usageLine(command),
    "",
    command.summary,
    ...(command.details ?? []).flatMap((paragraph) => ["", ...wrap(paragraph)]),
    ...(Object.keys(command.options).length > 0 ? ["", "Options:", ...optionLines(command.options)] : []),
    "",
    "Target and output (every command):",
    ...optionLines(globalOptions),
    "",
    command.examples.length > 1 ? "Examples:" : "Example:",
    ...command.examples.map((example) => `  ${PROGRAM} ${example}`),
    "",
  ].join("\n");
}

/** Checks a value as the contracts check identifiers, so a typo is refused before anything is written. */
export function checkIdentifier(option: string, value: string): string {
  if (value.length > identifier.maxLength || !new RegExp(identifier.pattern).test(value)) {
    throw new UsageError(`--${option} "${value}" is not valid: it must be ${identifier.description}`);
  }
  return value;
}
