// What the functions print when a test runs a handler in-process: Powertools Logger's JSON log lines
// (stdout, WARN and ERROR on stderr) and Metrics' EMF lines (stdout). Powertools writes them to
// process.stdout and process.stderr through its own Console, so vitest's `silent` never sees them.
// Here they are kept per test instead of printed: a test reads them to assert on them, and they are
// shown under the test's name only when that test fails. Every other write passes through unchanged.
import { afterEach, beforeEach } from "vitest";

/** One JSON line a function wrote, parsed: a log entry (`level`, `message`) or an EMF record (`_aws`). */
export type FunctionLine = Record<string, unknown>;

/** A line is the functions' when it is a JSON object shaped as Powertools writes them. */
export function functionLine(line: string): FunctionLine | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const fields = parsed as FunctionLine;
    return "_aws" in fields || (typeof fields.level === "string" && "message" in fields) ? fields : undefined;
  } catch {
    return undefined;
  }
}

type Write = NodeJS.WriteStream["write"];

/**
 * Replaces `stream.write` with one that hands the functions' lines to `keep` and writes the rest.
 * Powertools writes one whole line per call; a chunk mixing lines keeps the others' text in order.
 */
export function divertFunctionLines(stream: NodeJS.WriteStream, keep: (line: FunctionLine) => void): Write {
  const write: Write = stream.write.bind(stream);
  const diverted = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    const others = text.split("\n").filter((line) => {
      const parsed = functionLine(line);
      if (parsed) keep(parsed);
      return !parsed;
    });
    if (others.every((line) => line === "")) {
      const callback = rest.find((arg) => typeof arg === "function") as (() => void) | undefined;
      if (callback) process.nextTick(callback);
      return true;
    }
    return (write as (...args: unknown[]) => boolean)(
      typeof chunk === "string" ? others.join("\n") : Buffer.from(others.join("\n")),
      ...rest,
    );
  }) as Write;
  stream.write = diverted;
  return write;
}

interface Diversion {
  /** Where the lines go now: the test file's current buffer (the stream is shared by every file a worker runs). */
  keep: (line: FunctionLine) => void;
  /** The terminal's own stderr, for showing a failed test's lines. */
  stderr: Write;
}

const installed = Symbol.for("action-execution-engine.function-output");
const slot = globalThis as { [installed]?: Diversion };

/** Lines since the current test began, and those written before it (module load, beforeAll). */
let arriving: FunctionLine[] = [];
let during: FunctionLine[] = [];

function divert(): Diversion {
  const existing = slot[installed];
  if (existing) return existing;
  let keep: Diversion["keep"] = () => {};
  divertFunctionLines(process.stdout, (line) => keep(line));
  const stderr = divertFunctionLines(process.stderr, (line) => keep(line));
  const diversion: Diversion = {
    get keep() {
      return keep;
    },
    set keep(next) {
      keep = next;
    },
    stderr,
  };
  slot[installed] = diversion;
  return diversion;
}

/**
 * Keeps the functions' lines for the tests of the file that calls it (once, from the setup file), and
 * shows a failed test's lines, those written before it began included, under its name.
 */
export function keepFunctionOutput(): void {
  const diversion = divert();
  diversion.keep = (line) => arriving.push(line);
  beforeEach((context) => {
    const before = arriving;
    during = [];
    arriving = during;
    const lines = during;
    context.onTestFailed(() => {
      const shown = [...before, ...lines];
      if (shown.length === 0) return;
      diversion.stderr(
        `\nfunction output of "${context.task.name}" (${shown.length} lines):\n${shown.map((line) => JSON.stringify(line)).join("\n")}\n`,
      );
    });
  });
  afterEach(() => {
    arriving = [];
  });
}

/** The functions' lines written since the current test began, oldest first. */
export const functionOutput = (): readonly FunctionLine[] => during;

/** The log entries among them, e.g. to assert that an error was logged with its cause. */
export const functionLogs = (): readonly FunctionLine[] => during.filter((line) => "level" in line);
