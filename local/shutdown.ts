// How `npm start` stops on Ctrl-C (SIGINT) or SIGTERM: executions in flight finish first, for a bounded
// time, then everything stops; a second Ctrl-C stops at once. An execution cut off is not resumed after a
// restart (the local state machine keeps no history), so the wait is worth its seconds.
import type { LocalEngine } from "./engine.ts";

export const DRAIN_TIMEOUT_MS = 30_000;
/**
 * When npm's script shell execs node (bash does), npm forwards the terminal's SIGINT that node already got:
 * one Ctrl-C arrives twice, a millisecond apart. A person's second Ctrl-C comes later than this.
 */
const SAME_PRESS_MS = 300;

type Stoppable = Pick<LocalEngine, "executionsInFlight" | "idle" | "stop">;

export interface ShutdownOptions {
  drainTimeoutMs?: number;
  say?: (line: string) => void;
  exit?: (code: number) => void;
}

export function createShutdown(options: ShutdownOptions = {}) {
  const drainTimeoutMs = options.drainTimeoutMs ?? DRAIN_TIMEOUT_MS;
  const say = options.say ?? ((line: string) => console.log(line));
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const executions = (count: number) => `${count} execution${count === 1 ? "" : "s"}`;
  let engine: Stoppable | undefined;
  let firstSignalAt: number | undefined;
  let stopping = false;
  let interrupt = () => {};
  const interrupted = new Promise<"interrupted">((resolve) => {
    interrupt = () => resolve("interrupted");
  });
  let stopped: Promise<void> | undefined;

  const stop = async (running: Stoppable) => {
    const inFlight = running.executionsInFlight();
    if (inFlight > 0) {
      say(
        `\nWaiting for ${executions(inFlight)} in flight to finish (at most ${drainTimeoutMs / 1000} s; Ctrl-C again stops at once)...`,
      );
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        running.idle().then(() => "ended" as const),
        new Promise<"timeout">((resolve) => {
          timer = setTimeout(() => resolve("timeout"), drainTimeoutMs);
        }),
        interrupted,
      ]);
      clearTimeout(timer);
      const left = running.executionsInFlight();
      if (outcome === "timeout") {
        say(
          `${executions(left)} still running after ${drainTimeoutMs / 1000} s: stopping anyway, leaving them unfinished.`,
        );
      } else if (outcome === "interrupted") {
        say(`Stopping at once, leaving ${executions(left)} unfinished.`);
      }
    }
    say("\nStopping...");
    stopping = true;
    await running.stop({ waitForExecutions: false });
  };
  const begin = (running: Stoppable) => {
    stopped = stop(running).then(
      () => exit(0),
      (error: unknown) => {
        say(`Stopping failed: ${(error as Error).message}`);
        exit(1);
      },
    );
  };

  return {
    /** The engine, once it has started; a signal before that stops it as soon as it is up. */
    attach(started: Stoppable) {
      engine = started;
      if (firstSignalAt !== undefined) begin(started);
    },
    onSignal() {
      const now = Date.now();
      if (firstSignalAt === undefined) {
        firstSignalAt = now;
        if (engine) begin(engine);
        else say("\nStopping once the engine is up (Ctrl-C again quits at once)...");
        return;
      }
      if (now - firstSignalAt < SAME_PRESS_MS) return;
      if (!engine || stopping) {
        say("Quitting at once.");
        exit(130);
        return;
      }
      interrupt();
    },
    /** Whether a signal has asked the engine to stop. */
    requested: () => firstSignalAt !== undefined,
    /** Settles once a signal has stopped the engine. */
    stopped: () => stopped,
  };
}
