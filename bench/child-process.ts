// Runs a measurement in its own Node process: the functions read their configuration at import and share
// module-level clients, so each in-process measurement gets a fresh process with its own environment.
// What the functions write to stdout (logs, EMF metrics) is read and dropped, as Lambda's runtime reads
// it into CloudWatch; the result comes back over IPC.
import { spawn } from "node:child_process";
import { once } from "node:events";

type ChildMessage = { progress: string } | { result: unknown } | { error: string };

export async function runInChild<T>(
  modulePath: string,
  input: unknown,
  options: { onProgress?: (message: string) => void } = {},
): Promise<T> {
  const child = spawn(process.execPath, ["--no-deprecation", modulePath], {
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    env: { ...process.env, BENCH_CHILD_INPUT: JSON.stringify(input) },
  });
  child.stdout?.resume();
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr = (stderr + String(chunk)).slice(-8000);
  });
  let outcome: { result: unknown } | { error: string } | undefined;
  child.on("message", (message: ChildMessage) => {
    if ("progress" in message) options.onProgress?.(message.progress);
    else outcome = message;
  });
  const [code] = (await once(child, "exit")) as [number | null];
  if (outcome && "result" in outcome) return outcome.result as T;
  const reason = outcome && "error" in outcome ? outcome.error : `exited with ${code}`;
  throw new Error(`${modulePath}: ${reason}\n${stderr.trim()}`);
}

/** The child's side: reads its input, runs the work, answers over IPC, and exits. */
export async function childMain<I, O>(work: (input: I, progress: (message: string) => void) => Promise<O>) {
  const send = (message: ChildMessage) =>
    new Promise<void>((resolve) => (process.send ? process.send(message, () => resolve()) : resolve()));
  try {
    const input = JSON.parse(process.env.BENCH_CHILD_INPUT ?? "{}") as I;
    const result = await work(input, (progress) => void send({ progress }));
    await send({ result });
    process.exit(0);
  } catch (error) {
    await send({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(1);
  }
}
