// Which Node runs this project, and what to tell someone whose Node cannot. Plain JavaScript on purpose:
// these checks must run (and explain themselves) on whatever Node the shell has, e.g. Debian's Node 20,
// which cannot even load the project's TypeScript.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The Lambda runtime's major, which the pinned `node` devDependency matches. */
export const projectNodeMajor = 24;

const majorOf = (version) => Number(version.replace(/^v/, "").split(".")[0]);

/**
 * npm scripts and tests run on exactly the runtime's major, so they test what Lambda runs.
 * Answers the message to print, or undefined when `version` (as in `process.versions.node`) fits.
 */
export function npmScriptNodeProblem(version) {
  if (majorOf(version) === projectNodeMajor) return undefined;
  return (
    `This project runs on Node ${projectNodeMajor} (the Lambda runtime), but npm started Node ${version}.\n` +
    "The pinned Node comes from the `node` devDependency: run `npm ci` (without --ignore-scripts) and use `npm run ...`."
  );
}

/**
 * The Pulumi CLI runs the program with the first `node` on PATH, not the pinned one. The program is
 * TypeScript run by Node's type stripping and tested on Node 24 only (Node 20 fails to load it with
 * ERR_UNKNOWN_FILE_EXTENSION). A newer major is fine: the functions' runtime is the bundle target's.
 */
export function pulumiProgramNodeProblem(version) {
  if (majorOf(version) >= projectNodeMajor) return undefined;
  return (
    `this Pulumi program needs Node ${projectNodeMajor} or newer on PATH (found v${version.replace(/^v/, "")}): ` +
    "the Pulumi CLI runs it with the first `node` on PATH, not the project's pinned Node. " +
    `Install Node ${projectNodeMajor} (https://nodejs.org/en/download), or put the pinned one first: ` +
    'PATH="$PWD/node_modules/.bin:$PATH" pulumi up'
  );
}

// `node scripts/require-node.mjs`, as the npm scripts run it before anything else. (`import.meta.main`
// is not there to ask on the old Nodes this must catch.)
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const problem = npmScriptNodeProblem(process.versions.node);
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
}
