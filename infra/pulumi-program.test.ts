// The program as the Pulumi CLI loads it. The CLI's Node.js language host runs
//   node node_modules/@pulumi/pulumi/cmd/run --monitor <engine> --project <p> --stack <s> --pwd <dir> <main>
// with the first `node` on PATH and the stack config in PULUMI_CONFIG
// (https://github.com/pulumi/pulumi/blob/master/sdk/nodejs/cmd/pulumi-language-nodejs/main.go), and
// nothing generates files first. Here the same command runs in a copy of the files git knows (ignored
// files such as the generated validators are absent, as in a fresh clone) with node_modules as `npm ci`
// leaves them; the one addition is infra/testing/pulumi-engine-mocks.mjs, preloaded in the engine's place.
import { spawnSync } from "node:child_process";
import {
  accessSync,
  constants,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { projectNodeMajor, pulumiProgramNodeProblem } from "../scripts/require-node.mjs";
import { engineFunctions } from "./catalog.ts";
import { stackOutputNames } from "./stack-outputs.ts";
import { readStackConfig } from "./synth.ts";

const repositoryRoot = fileURLToPath(new URL("..", import.meta.url));
const stack = "dev";

/** The files a fresh clone has: tracked, plus new ones not ignored (work about to be committed). */
function copyCleanCheckout(): string {
  const directory = mkdtempSync(join(tmpdir(), "engine-clean-checkout-"));
  const listed = spawnSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
    cwd: repositoryRoot,
    encoding: "utf8",
  });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const file of listed.stdout.split("\0").filter(Boolean)) {
    mkdirSync(join(directory, dirname(file)), { recursive: true });
    try {
      copyFileSync(join(repositoryRoot, file), join(directory, file));
    } catch (error) {
      // Deleted in the working tree but not yet in the index: a clone of the next commit lacks it too.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  symlinkSync(join(repositoryRoot, "node_modules"), join(directory, "node_modules"), "dir");
  return directory;
}

interface ProgramRun {
  status: number | null;
  stderr: string;
  report?: { stackOutputs: Record<string, unknown>; resources: { type: string; name: string }[] };
}

/** Starts the `main` Pulumi.yaml names with the language host's command line, on the given `node`. */
function runPulumiMain(node: string, directory: string): ProgramRun {
  const project = parse(readFileSync(join(directory, "Pulumi.yaml"), "utf8")) as { name: string; main?: string };
  const reportFile = join(directory, "pulumi-run-report.json");
  rmSync(reportFile, { force: true });
  const run = spawnSync(
    node,
    [
      "--import",
      "./infra/testing/pulumi-engine-mocks.mjs",
      "./node_modules/@pulumi/pulumi/cmd/run",
      ...["--monitor", "mock", "--project", project.name, "--stack", stack, "--pwd", directory],
      project.main ?? ".",
    ],
    {
      cwd: directory,
      encoding: "utf8",
      timeout: 90_000,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PULUMI_CONFIG: JSON.stringify(readStackConfig(stack).config),
        PULUMI_NODEJS_TYPESCRIPT: "false",
        PULUMI_MOCK_REPORT: reportFile,
      },
    },
  );
  let report: ProgramRun["report"];
  try {
    report = JSON.parse(readFileSync(reportFile, "utf8"));
  } catch {
    report = undefined;
  }
  return { status: run.status, stderr: run.stderr, report };
}

/** The first `node` on PATH outside node_modules: the one `pulumi up` uses unless told otherwise. */
function systemNode(): { path: string; version: string } | undefined {
  for (const entry of (process.env.PATH ?? "").split(delimiter)) {
    if (!entry || entry.split(/[\\/]/).includes("node_modules")) continue;
    const path = join(entry, "node");
    try {
      accessSync(path, constants.X_OK);
    } catch {
      continue;
    }
    const version = spawnSync(path, ["--version"], { encoding: "utf8" }).stdout.trim();
    return { path, version };
  }
  return undefined;
}

const majorOf = (version: string) => Number(version.replace(/^v/, "").split(".")[0]);

describe("the Pulumi program, started as the Pulumi CLI starts it after `npm ci`", () => {
  let checkout: string;
  beforeAll(() => {
    checkout = copyCleanCheckout();
  });
  afterAll(() => {
    rmSync(checkout, { recursive: true, force: true });
  });

  it("registers the stack's resources and exports its outputs, with no generated or uncommitted file", () => {
    const run = runPulumiMain(process.execPath, checkout);

    expect(run.stderr).not.toMatch(/error/i);
    expect(run.status).toBe(0);
    expect(Object.keys(run.report?.stackOutputs ?? {}).sort()).toEqual([...stackOutputNames].sort());
    expect(run.report?.stackOutputs.stateMachineArn).toMatch(/^arn:aws:states:[^:]+:\d{12}:stateMachine:/);
    expect(run.report?.stackOutputs.apiUrl).toMatch(/^https:\/\//);
    const types = (run.report?.resources ?? []).map((resource) => resource.type);
    expect(types.filter((type) => type === "aws:lambda/function:Function")).toHaveLength(engineFunctions.length);
    expect(types).toContain("aws:sfn/stateMachine:StateMachine");
    expect(types).toContain("aws:cloudwatch/eventTarget:EventTarget");
  }, 120_000);

  const onPath = systemNode();
  const olderOnPath = onPath && majorOf(onPath.version) < projectNodeMajor ? onPath : undefined;
  it(olderOnPath
    ? `stops at once on the ${olderOnPath.version} first on PATH outside node_modules, saying to install Node ${projectNodeMajor}`
    : `names Node ${projectNodeMajor} to install when started on an older Node (no older Node on PATH: the entry's check is called with a fake version)`, () => {
    if (olderOnPath) {
      const run = runPulumiMain(olderOnPath.path, checkout);

      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain(`needs Node ${projectNodeMajor}`);
      expect(run.stderr).toContain(`found ${olderOnPath.version}`);
      expect(run.stderr).not.toContain("ERR_UNKNOWN_FILE_EXTENSION");
    } else {
      expect(pulumiProgramNodeProblem("20.20.2")).toContain(
        `needs Node ${projectNodeMajor} or newer on PATH (found v20.20.2)`,
      );
    }
  }, 60_000);

  it("accepts Node 24 and newer for the program, and refuses older ones with what to do", () => {
    expect(pulumiProgramNodeProblem("24.0.0")).toBeUndefined();
    expect(pulumiProgramNodeProblem("26.1.0")).toBeUndefined();
    for (const older of ["18.20.4", "20.20.2", "22.18.0", "23.11.0"]) {
      const problem = pulumiProgramNodeProblem(older);

      expect(problem, older).toContain(`needs Node ${projectNodeMajor} or newer on PATH (found v${older})`);
      expect(problem, older).toContain('PATH="$PWD/node_modules/.bin:$PATH" pulumi up');
    }
  });
});
