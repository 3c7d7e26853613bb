// Bundles one function into a single minified ESM file, at program run, so `pulumi up` alone deploys
// current code. The contract validators are generated into the bundle here too: nothing to build first.
// What each plugin leaves out or replaces, and why, is in bundle-plugins.ts.
import { fileURLToPath } from "node:url";
import { type BuildOptions, build } from "esbuild";
import {
  builtinsThroughRequire,
  environmentCredentials,
  generatedValidators,
  literalSchemaKeys,
  noEventStreams,
  xrayForLambda,
} from "./bundle-plugins.ts";

const repositoryRoot = fileURLToPath(new URL("..", import.meta.url));

export interface FunctionBundle {
  /** The bundle, deployed as index.mjs. */
  code: string;
  bytes: number;
}

const bundles = new Map<string, Promise<FunctionBundle>>();

/** One build per entry per process: the bundle depends only on the source tree. */
export function bundleFunction(entry: string): Promise<FunctionBundle> {
  let bundle = bundles.get(entry);
  if (!bundle) {
    bundle = buildBundle(entry);
    bundles.set(entry, bundle);
  }
  return bundle;
}

/** The build of one function's bundle; exported so tools can add a source map or a metafile to it. */
export function bundleOptions(entry: string): BuildOptions {
  return {
    absWorkingDir: repositoryRoot,
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    target: "node24",
    format: "esm",
    minify: true,
    // Module-first resolution lets esbuild tree-shake the AWS SDK's ESM builds.
    mainFields: ["module", "main"],
    // ESM bundles still meet CommonJS inside dependencies (the X-Ray SDK under the tracer requires "util").
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    legalComments: "none",
    plugins: [
      generatedValidators,
      environmentCredentials,
      literalSchemaKeys,
      xrayForLambda,
      noEventStreams,
      builtinsThroughRequire,
    ],
    logLevel: "silent",
  };
}

async function buildBundle(entry: string): Promise<FunctionBundle> {
  const result = await build({ ...bundleOptions(entry), write: false });
  const [output] = result.outputFiles;
  if (!output) throw new Error(`esbuild produced no output for ${entry}`);
  return { code: output.text, bytes: output.contents.byteLength };
}
