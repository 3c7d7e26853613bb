// The directory an engine keeps its state in across restarts (default `.local`; `--dir` or ENGINE_STATE_DIR
// choose another), and the lock that gives it to one engine at a time: a second engine on it would
// overwrite the first one's endpoints, signing key and telemetry, and share its DynamoDB files.
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EngineStartError, StateDirectoryInUseError } from "./start-errors.ts";
import { ALARMS_FILE, LOGS_FILE, METRICS_FILE, TRACES_FILE } from "./telemetry.ts";

export const DEFAULT_STATE_DIRECTORY = ".local";
export const STATE_DIRECTORY_ENV = "ENGINE_STATE_DIR";
export const LOCK_FILE = "engine.lock";
const chooseAnother = `give this engine its own directory with --dir <path> or ${STATE_DIRECTORY_ENV}=<path>`;

/** `--dir` when given, else ENGINE_STATE_DIR, else `.local`. */
export function stateDirectoryFrom(dir: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return dir || env[STATE_DIRECTORY_ENV] || DEFAULT_STATE_DIRECTORY;
}

/** Where each part of an engine's state lives in its directory. */
export function statePaths(directory: string) {
  return {
    /** DynamoDB Local's database (`-dbPath`). */
    dynamodb: join(directory, "dynamodb"),
    /** s3rver's buckets and objects. */
    objects: join(directory, "s3"),
    signingKey: join(directory, "jwt-signing-key.json"),
    /** Rewritten at every start and removed at stop; the operator CLI and `npm run token` read it. */
    endpoints: join(directory, "endpoints.json"),
    bundles: join(directory, "bundles"),
    lock: join(directory, LOCK_FILE),
  };
}

/** Everything `--fresh` deletes: what the engine writes, and nothing else a chosen directory may hold. */
function engineEntries(directory: string): string[] {
  const { dynamodb, objects, signingKey, endpoints, bundles } = statePaths(directory);
  const telemetry = [METRICS_FILE, TRACES_FILE, LOGS_FILE, ALARMS_FILE].map((file) => join(directory, file));
  return [dynamodb, objects, signingKey, endpoints, bundles, ...telemetry];
}

export interface StateDirectoryClaim {
  directory: string;
  /** Gives the directory back; a lock another engine holds by then is left alone. */
  release(): void;
}

/**
 * Creates the directory if needed and takes its lock, refusing at once when a live engine holds it. A lock
 * left by an engine that is gone (its process no longer exists) is taken over, with a notice. With `fresh`,
 * the state kept from earlier runs is deleted once the lock is held, with a notice.
 */
export function claimStateDirectory(
  directory: string,
  options: { fresh?: boolean; onNotice?: (message: string) => void } = {},
): StateDirectoryClaim {
  const notice = options.onNotice ?? (() => {});
  try {
    mkdirSync(directory, { recursive: true });
  } catch (error) {
    throw new EngineStartError(
      `cannot create the state directory ${directory} (${(error as Error).message}): ${chooseAnother}`,
      { cause: error },
    );
  }
  const { lock } = statePaths(directory);
  takeLock(directory, lock, notice);
  keepOutOfGit(directory);
  if (options.fresh) {
    const existing = engineEntries(directory).filter((entry) => existsSync(entry));
    for (const entry of existing) rmSync(entry, { recursive: true, force: true });
    notice(
      existing.length > 0
        ? `--fresh: deleted the state kept in ${directory} (tables, objects, signing key, metrics, logs, traces)`
        : `--fresh: ${directory} held no state to delete`,
    );
  }
  return {
    directory,
    release: () => {
      if (lockHolder(lock) === process.pid) unlinkSync(lock);
    },
  };
}

function takeLock(directory: string, lock: string, notice: (message: string) => void): void {
  // The pid is written before the lock exists, and the link appears whole or not at all: no engine can
  // read a half-written lock and take it for a stale one.
  const draft = `${lock}.${process.pid}`;
  writeFileSync(draft, `${process.pid}\n`);
  try {
    for (;;) {
      try {
        linkSync(draft, lock);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
          throw new EngineStartError(`cannot lock ${directory} (${(error as Error).message}): ${chooseAnother}`, {
            cause: error,
          });
        }
      }
      const holder = lockHolder(lock);
      if (holder !== undefined && isRunning(holder)) {
        throw new StateDirectoryInUseError(
          `the state directory ${directory} is in use by another engine (pid ${holder}, lock ${lock}): stop that engine, or ${chooseAnother}`,
        );
      }
      if (removeStaleLock(lock, holder)) {
        notice(
          `took over ${lock} from an engine that is no longer running (${holder === undefined ? "no pid in it" : `pid ${holder}`})`,
        );
      }
    }
  } finally {
    rmSync(draft, { force: true });
  }
}

/**
 * Moves the stale lock aside (a rename moves a given file once, so of two engines taking it over only one
 * succeeds) and checks that what moved is the lock found stale, not one another engine has taken since.
 * Answers whether it removed the stale lock; false when the lock was gone already.
 */
function removeStaleLock(lock: string, staleHolder: number | undefined): boolean {
  const aside = `${lock}.stale-${process.pid}`;
  try {
    renameSync(lock, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
  const moved = lockHolder(aside);
  if (moved !== staleHolder) {
    // Put it back; should yet another engine hold the lock by now, that one keeps it.
    try {
      linkSync(aside, lock);
    } catch {}
  }
  unlinkSync(aside);
  return moved === staleHolder;
}

function lockHolder(lock: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(lock, "utf8");
  } catch {
    return undefined;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A state directory holds a signing key and database files: git ignores all of it, wherever it is. */
function keepOutOfGit(directory: string): void {
  const ignore = join(directory, ".gitignore");
  if (!existsSync(ignore)) {
    writeFileSync(
      ignore,
      "# The local engine's state (tables, objects, signing key, telemetry): never committed.\n*\n",
    );
  }
}
