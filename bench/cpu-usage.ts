// CPU time over a measured window, from the kernel's own accounting: this Node process (every thread: the
// engine's main thread, the function workers, libuv's pool) with process.cpuUsage, another process (the
// DynamoDB Local JVM) from /proc/<pid>/stat, and the time every core of the machine sat idle from
// /proc/stat, which says how much CPU was left that the measured processes did not take.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

/** Clock ticks per second of /proc's counters (USER_HZ), 100 on every common Linux build. */
const ticksPerSecond = (() => {
  const answer = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
  const value = Number(answer.stdout?.trim());
  return Number.isInteger(value) && value > 0 ? value : 100;
})();
const ticksToMs = (ticks: number) => (ticks * 1000) / ticksPerSecond;

/** User + system CPU in a /proc `stat` file (a process's, or one of its threads'), milliseconds. */
function statCpuMs(file: string): number | undefined {
  try {
    const stat = readFileSync(file, "utf8");
    // The command name, field 2, is in parentheses and may hold spaces: fields are counted after it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ticksToMs(Number(fields[11]) + Number(fields[12]));
  } catch {
    return undefined;
  }
}

/** User + system CPU of a process, milliseconds; undefined when /proc cannot tell (not Linux, gone). */
export const processCpuMs = (pid: number) => statCpuMs(`/proc/${pid}/stat`);

/** CPU of this process's main thread, the event loop every engine but the functions runs on. */
const mainThreadCpuMs = () => statCpuMs(`/proc/self/task/${process.pid}/stat`);

/**
 * This process's threads by what they do, from the names Node and V8 give them: the function workers
 * (`WorkerThread`, the only worker threads the engine starts), V8's platform threads (`V8Worker`:
 * concurrent compilation and garbage collection for every isolate), libuv's pool (`libuv-worker`: file
 * writes, DNS). The main thread is counted apart; any other thread is left out.
 */
export type HelperThreads = "functions" | "v8" | "libuv";
const helperThreadNames: Record<string, HelperThreads> = {
  WorkerThread: "functions",
  V8Worker: "v8",
  "libuv-worker": "libuv",
};

/** CPU of the threads alive now, summed by kind; undefined off Linux. */
function helperThreadsCpuMs(): Record<HelperThreads, number> | undefined {
  let tasks: string[];
  try {
    tasks = readdirSync("/proc/self/task");
  } catch {
    return undefined;
  }
  const sums: Record<HelperThreads, number> = { functions: 0, v8: 0, libuv: 0 };
  for (const task of tasks) {
    let name: string;
    try {
      name = readFileSync(`/proc/self/task/${task}/comm`, "utf8").trim();
    } catch {
      continue; // ended meanwhile
    }
    const kind = helperThreadNames[name];
    if (kind) sums[kind] += statCpuMs(`/proc/self/task/${task}/stat`) ?? 0;
  }
  return sums;
}

/** Milliseconds every core together spent idle (idle + iowait) since boot; undefined off Linux. */
export function machineIdleMs(): number | undefined {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
    const [, , , , idle, iowait] = line.split(/\s+/).map(Number);
    return ticksToMs((idle ?? 0) + (iowait ?? 0));
  } catch {
    return undefined;
  }
}

export interface CpuWindow {
  wallMs: number;
  /** CPU of this Node process. */
  nodeMs: number;
  /** The share of it its main thread used, when /proc tells. */
  mainThreadMs?: number;
  /**
   * The shares of it each kind of helper thread used, when /proc tells; a thread that ended within the
   * window (a discarded sandbox) is counted in nodeMs only.
   */
  helperThreadsMs?: Record<HelperThreads, number>;
  /** CPU of the other process watched (the JVM), when there is one and /proc tells. */
  otherMs?: number;
  /** Idle time of the whole machine, summed over its cores, when /proc tells. */
  idleMs?: number;
}

/** Starts a window; the function it answers ends it. */
export function startCpuWindow(otherPid?: number): () => CpuWindow {
  const started = performance.now();
  const node = process.cpuUsage();
  const main = mainThreadCpuMs();
  const helpers = helperThreadsCpuMs();
  const other = otherPid === undefined ? undefined : processCpuMs(otherPid);
  const idle = machineIdleMs();
  const since = (before: number | undefined, now: number | undefined) =>
    before === undefined || now === undefined ? undefined : now - before;
  return () => {
    const used = process.cpuUsage(node);
    const mainNow = mainThreadCpuMs();
    const helpersNow = helperThreadsCpuMs();
    const otherNow = otherPid === undefined ? undefined : processCpuMs(otherPid);
    const idleNow = machineIdleMs();
    return {
      wallMs: performance.now() - started,
      nodeMs: (used.user + used.system) / 1000,
      mainThreadMs: since(main, mainNow),
      ...(helpers && helpersNow
        ? {
            helperThreadsMs: {
              functions: helpersNow.functions - helpers.functions,
              v8: helpersNow.v8 - helpers.v8,
              libuv: helpersNow.libuv - helpers.libuv,
            },
          }
        : {}),
      otherMs: since(other, otherNow),
      idleMs: since(idle, idleNow),
    };
  };
}

/**
 * Of the CPU the work could have used in the window, the share it did use. It could use at most
 * `parallelism` cores (closed loops in flight, at most the machine's cores) for the window, and no more than
 * what it used plus what the machine left idle: CPU other processes took was never available to it. The
 * engines that share this process's main thread can use one core at most, so a main thread busy all the
 * window is CPU-bound too, however many cores stay idle. Near 1, the figure is bound by CPU; well below,
 * by waiting (timers, locks, a queue).
 */
export function cpuShare(window: CpuWindow, concurrency: number, cores = availableParallelism()): number | undefined {
  if (window.otherMs === undefined || window.idleMs === undefined) return undefined;
  const used = window.nodeMs + window.otherMs;
  const available = Math.min(used + window.idleMs, Math.min(concurrency, cores) * window.wallMs);
  const mainThread = window.mainThreadMs === undefined ? 0 : window.mainThreadMs / window.wallMs;
  return available > 0 ? Math.max(used / available, mainThread) : undefined;
}
