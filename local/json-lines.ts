// The engine's telemetry files: one JSON document a line, appended while it runs and read back at the next
// start and by `npm run metrics` / `npm run traces`.
import { createWriteStream, existsSync, readFileSync, truncateSync } from "node:fs";
import { finished } from "node:stream/promises";
import { CorruptStateError } from "./start-errors.ts";

/**
 * The documents in `file`, none when it does not exist. A last line without its newline is a write the
 * process did not finish (it was killed): it is left out and, with `repair`, cut from the file so the next
 * append starts on a line of its own. Any other line that is not JSON fails, naming the file and line.
 */
export function readJsonLines<T>(file: string, options: { repair?: boolean } = {}): T[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, "utf8");
  const complete = text.slice(0, text.lastIndexOf("\n") + 1);
  if (options.repair && complete.length < text.length) truncateSync(file, Buffer.byteLength(complete));
  return complete
    .split("\n")
    .map((line, index) => ({ line, number: index + 1 }))
    .filter(({ line }) => line !== "")
    .map(({ line, number }) => {
      try {
        return JSON.parse(line) as T;
      } catch (error) {
        throw new CorruptStateError(
          `${file} line ${number} is not JSON (${(error as Error).message}): delete the file, or start on empty state with \`npm start -- --fresh\``,
          { cause: error },
        );
      }
    });
}

/**
 * Appends documents to `file` off the main thread, through one open file: what is appended while a write
 * is under way goes out together in the next (a write stream's writev), so a busy engine spends no time
 * blocked on the disk and few calls on it. `close` resolves once every line appended before it is in the
 * file, and rejects if a write failed.
 */
export function createJsonLinesAppender(file: string) {
  const stream = createWriteStream(file, { flags: "a" });
  let failure: Error | undefined;
  stream.on("error", (error) => {
    failure ??= error;
  });
  return {
    append(documents: readonly unknown[]): void {
      if (failure || documents.length === 0) return;
      stream.write(documents.map((document) => `${JSON.stringify(document)}\n`).join(""));
    },
    async close(): Promise<void> {
      stream.end();
      await finished(stream).catch((error: Error) => {
        failure ??= error;
      });
      if (failure) throw new Error(`could not append to ${file}`, { cause: failure });
    },
  };
}
