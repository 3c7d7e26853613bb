// Where the CLI reads and writes: the process's streams when run from a shell, buffers in tests that call
// runCli in-process. Commands print through `say` (human lines) or `json` (machine-readable, for --json).

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** All of standard input, for `-` in place of a file. */
  readStdin(): Promise<string>;
  env: Record<string, string | undefined>;
  /** Relative paths (--dir, files) resolve against this. */
  cwd: string;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
    env: process.env,
    cwd: process.cwd(),
  };
}

export interface Printer {
  /** One or more lines for a person. */
  say(...lines: string[]): void;
  /** A value as indented JSON, alone on stdout. */
  json(value: unknown): void;
}

export function printerFor(io: CliIo): Printer {
  return {
    say: (...lines) => io.stdout(`${lines.join("\n")}\n`),
    json: (value) => io.stdout(`${JSON.stringify(value, null, 2)}\n`),
  };
}

/** `label  value` lines with the values aligned; undefined values are left out. */
export function fieldLines(fields: Record<string, unknown>, indent = "  "): string[] {
  const present = Object.entries(fields).filter(([, value]) => value !== undefined);
  const width = Math.max(0, ...present.map(([label]) => label.length));
  return present.map(
    ([label, value]) => `${indent}${label.padEnd(width)}  ${typeof value === "string" ? value : JSON.stringify(value)}`,
  );
}
