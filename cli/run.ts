// `npm run engine -- <command> [arguments] [options]`: finds the command, parses its options with
// node:util parseArgs (options may come before or after the command's words), runs it, and turns every
// refusal into a message and an exit code: 0 done, 1 the operation failed, 2 the command line was wrong.
import { parseArgs } from "node:util";
import {
  type Command,
  type CommandContext,
  checkIdentifier,
  commandHelp,
  globalOptions,
  type OptionSpecs,
  PROGRAM,
  usageLine,
} from "./command.ts";
import { commands } from "./commands/index.ts";
import { CliError, UsageError } from "./errors.ts";
import { type CliIo, printerFor, processIo } from "./output.ts";
import { resolveTarget, type Target } from "./target.ts";

const groups = [...new Set(commands.filter((command) => command.words.length > 1).map((command) => command.words[0]))];

function overview(): string {
  const width = Math.max(...commands.map((command) => command.words.join(" ").length));
  return [
    `usage: ${PROGRAM} <command> [arguments] [options]`,
    "",
    "Operates the action execution engine: the running local engine by default, a deployed stack with",
    "--stack <name> (or --outputs <file>). Locally no AWS credentials are needed; against a stack the AWS",
    "SDK's usual credential chain is used.",
    "",
    "Commands:",
    ...commands.map((command) => `  ${command.words.join(" ").padEnd(width)}  ${command.summary}`),
    "",
    `Every command takes --help. Example: ${PROGRAM} approve my-intent.json`,
    "",
  ].join("\n");
}

function groupHelp(group: string): string {
  const members = commands.filter((command) => command.words[0] === group);
  return [
    ...members.map((command) => usageLine(command)),
    "",
    ...members.map((command) => `  ${command.words.join(" ")}: ${command.summary}`),
    "",
    `Each takes --help, e.g. ${PROGRAM} ${members[0]?.words.join(" ")} --help`,
    "",
  ].join("\n");
}

const toParseArgs = (options: OptionSpecs) =>
  Object.fromEntries(
    Object.entries(options).map(([name, spec]) => [
      name,
      spec.short ? { type: spec.type, short: spec.short } : { type: spec.type },
    ]),
  );

/** Every option any command knows, so a value (`--tenant t1`) is never mistaken for a command word. */
const everyOption = toParseArgs(Object.assign({}, globalOptions, ...commands.map((command) => command.options)));

type Selection = { command: Command } | { help: string; exitCode: number; error?: string };

function selectCommand(argv: string[]): Selection {
  const { values, positionals } = parseArgs({
    args: argv,
    options: everyOption,
    strict: false,
    allowPositionals: true,
  });
  const wantsHelp = values.help === true;
  const words = positionals[0] === "help" ? positionals.slice(1) : positionals;
  const [first, second] = words;
  if (first === undefined) {
    return wantsHelp || positionals[0] === "help"
      ? { help: overview(), exitCode: 0 }
      : { help: overview(), exitCode: 2, error: "no command given" };
  }
  if (groups.includes(first)) {
    const command = commands.find((candidate) => candidate.words[0] === first && candidate.words[1] === second);
    if (command) return positionals[0] === "help" ? { help: commandHelp(command), exitCode: 0 } : { command };
    if (second === undefined && (wantsHelp || positionals[0] === "help"))
      return { help: groupHelp(first), exitCode: 0 };
    return {
      help: groupHelp(first),
      exitCode: 2,
      error: second === undefined ? `${first} needs a subcommand` : `${first} has no subcommand "${second}"`,
    };
  }
  const command = commands.find((candidate) => candidate.words.length === 1 && candidate.words[0] === first);
  if (!command) return { help: overview(), exitCode: 2, error: `unknown command "${first}"` };
  return positionals[0] === "help" ? { help: commandHelp(command), exitCode: 0 } : { command };
}

function contextFor(command: Command, argv: string[], io: CliIo, targets: { current?: Promise<Target> }) {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: toParseArgs({ ...globalOptions, ...command.options }),
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    // parseArgs names the option ("Unknown option '--bogus'", "Option '--tenant <value>' argument missing"),
    // then adds advice about positionals starting with '-' that is rarely the point.
    throw new UsageError((error as Error).message.split(". To specify a positional")[0] ?? "");
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const positionals = parsed.positionals.slice(command.words.length);
  if (values.help) return { help: true as const };
  if (positionals.length < command.positionals.min) {
    throw new UsageError(`missing argument: ${command.synopsis.split(" [")[0]}`);
  }
  if (positionals.length > command.positionals.max) {
    throw new UsageError(`unexpected argument "${positionals[command.positionals.max]}"`);
  }
  const string = (option: string) => values[option] as string | undefined;
  const context: CommandContext = {
    positionals,
    io,
    out: printerFor(io),
    json: values.json === true,
    string,
    flag: (option) => values[option] === true,
    required: (option, why) => {
      const value = string(option);
      if (value === undefined || value === "") throw new UsageError(`--${option} is required${why ? `: ${why}` : ""}`);
      return value;
    },
    integer: (option, { min, max, fallback }) => {
      const text = string(option);
      if (text === undefined) return fallback;
      const value = Number(text);
      if (!/^\d+$/.test(text) || value < min || value > max) {
        throw new UsageError(`--${option} must be a whole number from ${min} to ${max}, got "${text}"`);
      }
      return value;
    },
    identifier: (option) => {
      const value = string(option);
      return value === undefined ? undefined : checkIdentifier(option, value);
    },
    targetFlags: ["dir", "stack", "outputs"]
      .filter((option) => string(option) !== undefined)
      .map((option) => ` --${option} ${string(option)}`)
      .join(""),
    target: () => {
      targets.current ??= resolveTarget({ dir: string("dir"), stack: string("stack"), outputs: string("outputs") }, io);
      return targets.current;
    },
  };
  return { context };
}

/** A refused connection to the local engine usually means its endpoints file outlived it. */
function explain(error: Error, target: Target | undefined): string {
  const code = (error as NodeJS.ErrnoException).code ?? (error.cause as NodeJS.ErrnoException | undefined)?.code;
  if (target?.local && (code === "ECONNREFUSED" || /ECONNREFUSED/.test(error.message))) {
    return `${target.description} does not answer (${error.message}): its endpoints file may be left from an engine that stopped; start it again with \`npm start\``;
  }
  return error.message;
}

/** Runs one command line; resolves to the exit code. Never throws for the command's own failures. */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  const selection = selectCommand(argv);
  if (!("command" in selection)) {
    if (selection.error) {
      io.stderr(`engine: ${selection.error}\n\n${selection.help}`);
    } else {
      io.stdout(selection.help);
    }
    return selection.exitCode;
  }
  const { command } = selection;
  const name = command.words.join(" ");
  const targets: { current?: Promise<Target> } = {};
  const resolvedTarget = async () => targets.current?.catch(() => undefined);
  try {
    const parsed = contextFor(command, argv, io, targets);
    if ("help" in parsed) {
      io.stdout(commandHelp(command));
      return 0;
    }
    await command.run(parsed.context);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`engine ${name}: ${error.message}\n${usageLine(command)}\n(${PROGRAM} ${name} --help for more)\n`);
      return error.exitCode;
    }
    if (error instanceof CliError) {
      io.stderr(`engine ${name}: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr(`engine ${name}: ${explain(error as Error, await resolvedTarget())}\n`);
    return 1;
  } finally {
    (await resolvedTarget())?.close();
  }
}
