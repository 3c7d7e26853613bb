// Bundles one function into a single minified ESM file, at program run, so `pulumi up` alone deploys
// current code. The contract validators are generated into the bundle here too: nothing to build first.
// What each plugin leaves out or replaces, and why, is in bundle-plugins.ts.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BuildOptions, build } from "esbuild";
import { generateValidatorModule } from "../scripts/generate-validators.ts";
import { type BundleCache, cachedBuild } from "./bundle-cache.ts";
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

export interface BundleRequest {
  /**
   * Take the bundle from the on-disk cache (bundle-cache.ts) when nothing it was built from has changed, and
   * store it there when built: for the local engine and the tests, which would otherwise build the same
   * bundles in every process. Deploys leave it off and build fresh.
   */
  cached?: boolean;
}

const bundles = new Map<string, Promise<FunctionBundle>>();

/** One build per entry per process: the bundle depends only on the source tree. */
export function bundleFunction(entry: string, { cached = false }: BundleRequest = {}): Promise<FunctionBundle> {
  const key = cached ? `cached:${entry}` : entry;
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = cached ? cachedBuild(bundleOptions(entry), functionBundleCache()) : buildBundle(entry);
    bundles.set(key, bundle);
  }
  return bundle;
}

let generatedValidatorsSource: string | undefined;

/**
 * The cache of the function bundles: what shapes them beyond the files esbuild reads is this file, the
 * plugins, the cache's own rules, and the modules the plugins make up (bundle-plugins.ts). Only the generated
 * validators among those are not literals in the plugins' source: they are compiled from the contract schemas
 * as this process loaded them, exactly as the generatedValidators plugin compiles them.
 */
export function functionBundleCache(
  directory = join(repositoryRoot, "node_modules/.cache/engine-bundles"),
): BundleCache {
  const literal = () => "";
  return {
    directory,
    buildFiles: ["infra/bundle.ts", "infra/bundle-plugins.ts", "infra/bundle-cache.ts"].map((file) =>
      join(repositoryRoot, file),
    ),
    namespaces: {
      generated: () => {
        generatedValidatorsSource ??= generateValidatorModule().js;
        return generatedValidatorsSource;
      },
      lambda: literal,
      absent: literal,
      builtin: literal,
    },
  };
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
