// One engine per state directory: the lock, taking over a lock whose engine is gone, --fresh deleting only
// what the engine keeps, and the files read back at start failing clearly when damaged.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readJsonLines } from "./json-lines.ts";
import { CorruptStateError, StateDirectoryInUseError } from "./start-errors.ts";
import { claimStateDirectory, LOCK_FILE, STATE_DIRECTORY_ENV, stateDirectoryFrom } from "./state-directory.ts";

const scratch = () => mkdtempSync(join(tmpdir(), "state-directory-"));

/** The pid of a process that has ended, as a crashed engine leaves in its lock. */
function pidOfEndedProcess(): number {
  const ended = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(ended.stdout);
}

describe("the state directory's lock", () => {
  it("refuses a second claim at once, naming the directory and the options that choose another", () => {
    // Prepare
    const directory = scratch();
    const first = claimStateDirectory(directory);

    // Act
    const second = () => claimStateDirectory(directory);

    // Assess
    expect(second).toThrow(StateDirectoryInUseError);
    expect(second).toThrow(
      `the state directory ${directory} is in use by another engine (pid ${process.pid}, lock ${join(directory, LOCK_FILE)})`,
    );
    expect(second).toThrow(/--dir <path> or ENGINE_STATE_DIR=<path>/);
    first.release();
  });

  it("holds the pid while claimed, and is gone once released, so the next engine may claim it", () => {
    // Prepare
    const directory = scratch();
    const lock = join(directory, LOCK_FILE);

    // Act
    const claim = claimStateDirectory(directory);
    const held = readFileSync(lock, "utf8");
    claim.release();
    const again = claimStateDirectory(directory);

    // Assess
    expect(held).toBe(`${process.pid}\n`);
    expect(existsSync(lock)).toBe(true);
    again.release();
    expect(existsSync(lock)).toBe(false);
  });

  it("takes over a lock whose engine is no longer running, with a notice", () => {
    // Prepare
    const directory = scratch();
    const gone = pidOfEndedProcess();
    writeFileSync(join(directory, LOCK_FILE), `${gone}\n`);
    const notices: string[] = [];

    // Act
    const claim = claimStateDirectory(directory, { onNotice: (message) => notices.push(message) });

    // Assess
    expect(readFileSync(join(directory, LOCK_FILE), "utf8")).toBe(`${process.pid}\n`);
    expect(notices).toEqual([
      `took over ${join(directory, LOCK_FILE)} from an engine that is no longer running (pid ${gone})`,
    ]);
    claim.release();
  });

  it("leaves alone a lock another engine holds by the time this one releases", () => {
    // Prepare
    const directory = scratch();
    const claim = claimStateDirectory(directory);
    writeFileSync(join(directory, LOCK_FILE), "1\n");

    // Act
    claim.release();

    // Assess
    expect(readFileSync(join(directory, LOCK_FILE), "utf8")).toBe("1\n");
  });

  it("keeps the directory out of git, without replacing a .gitignore already there", () => {
    // Prepare
    const fresh = scratch();
    const chosen = scratch();
    writeFileSync(join(chosen, ".gitignore"), "mine\n");

    // Act
    claimStateDirectory(fresh).release();
    claimStateDirectory(chosen).release();

    // Assess
    expect(readFileSync(join(fresh, ".gitignore"), "utf8")).toMatch(/^\*$/m);
    expect(readFileSync(join(chosen, ".gitignore"), "utf8")).toBe("mine\n");
  });
});

describe("--fresh", () => {
  it("deletes what the engine keeps, says so, and leaves other files in the directory alone", () => {
    // Prepare
    const directory = scratch();
    for (const kept of ["dynamodb", "s3/engine-local-artifacts", "bundles"]) {
      mkdirSync(join(directory, kept), { recursive: true });
    }
    for (const kept of ["jwt-signing-key.json", "metrics.jsonl", "logs.jsonl", "traces.jsonl", "endpoints.json"]) {
      writeFileSync(join(directory, kept), "{}\n");
    }
    writeFileSync(join(directory, "notes.txt"), "not the engine's\n");
    const notices: string[] = [];

    // Act
    const claim = claimStateDirectory(directory, { fresh: true, onNotice: (message) => notices.push(message) });

    // Assess
    for (const kept of ["dynamodb", "s3", "bundles", "jwt-signing-key.json", "metrics.jsonl", "endpoints.json"]) {
      expect(existsSync(join(directory, kept)), kept).toBe(false);
    }
    expect(readFileSync(join(directory, "notes.txt"), "utf8")).toBe("not the engine's\n");
    expect(notices).toEqual([
      `--fresh: deleted the state kept in ${directory} (tables, objects, signing key, metrics, logs, traces)`,
    ]);
    claim.release();
  });

  it("deletes nothing while another engine holds the directory", () => {
    // Prepare
    const directory = scratch();
    const running = claimStateDirectory(directory);
    writeFileSync(join(directory, "jwt-signing-key.json"), "{}\n");

    // Act
    const claiming = () => claimStateDirectory(directory, { fresh: true });

    // Assess
    expect(claiming).toThrow(StateDirectoryInUseError);
    expect(existsSync(join(directory, "jwt-signing-key.json"))).toBe(true);
    running.release();
  });
});

describe("choosing the directory", () => {
  it("takes --dir, else ENGINE_STATE_DIR, else .local", () => {
    expect(stateDirectoryFrom("/tmp/a", { [STATE_DIRECTORY_ENV]: "/tmp/b" })).toBe("/tmp/a");
    expect(stateDirectoryFrom(undefined, { [STATE_DIRECTORY_ENV]: "/tmp/b" })).toBe("/tmp/b");
    expect(stateDirectoryFrom(undefined, {})).toBe(".local");
  });
});

describe("telemetry files read back at start", () => {
  it("drops a last line the engine did not finish writing, and cuts it from the file", () => {
    // Prepare
    const file = join(scratch(), "metrics.jsonl");
    writeFileSync(file, '{"value":1}\n{"value":2}\n{"val');

    // Act
    const read = readJsonLines<{ value: number }>(file, { repair: true });

    // Assess
    expect(read).toEqual([{ value: 1 }, { value: 2 }]);
    expect(readFileSync(file, "utf8")).toBe('{"value":1}\n{"value":2}\n');
  });

  it("fails on a damaged line, naming the file, the line and --fresh", () => {
    // Prepare
    const file = join(scratch(), "traces.jsonl");
    writeFileSync(file, '{"id":"a"}\nnot json\n{"id":"b"}\n');

    // Act
    const reading = () => readJsonLines(file);

    // Assess
    expect(reading).toThrow(CorruptStateError);
    expect(reading).toThrow(new RegExp(`${file} line 2 is not JSON .*npm start -- --fresh`));
  });
});
