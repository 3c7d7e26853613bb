// Bundles one function into a single minified ESM file, at program run, so `pulumi up` alone deploys
// current code. The contract validators are generated into the bundle here too: nothing to build first.
import { builtinModules } from "node:module";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { generateValidatorModule } from "../scripts/generate-validators.ts";

const repositoryRoot = fileURLToPath(new URL("..", import.meta.url));

/** Resolves the git-ignored generated validators to freshly generated code. */
const generatedValidators: Plugin = {
  name: "generated-validators",
  setup(build) {
    build.onResolve({ filter: /validators\.generated\.js$/ }, () => ({ path: "validators", namespace: "generated" }));
    build.onLoad({ filter: /.*/, namespace: "generated" }, () => ({
      contents: generateValidatorModule().js,
      loader: "js",
      resolveDir: repositoryRoot,
    }));
  },
};

/**
 * Lambda always hands a function its role's credentials in environment variables, so the SDK's default
 * chain (SSO, STS, profiles, IMDS; about a fifth of every bundle) is replaced by the environment provider.
 */
const environmentCredentials: Plugin = {
  name: "environment-credentials",
  setup(build) {
    build.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({
      path: "credentials",
      namespace: "lambda",
    }));
    build.onLoad({ filter: /.*/, namespace: "lambda" }, () => ({
      contents: 'export { fromEnv as defaultProvider } from "@aws-sdk/credential-provider-env";',
      loader: "js",
      resolveDir: repositoryRoot,
    }));
  },
};

const builtinNames = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/**
 * An ESM `import` of a builtin makes Node build an ES module facade, which reads every export, and the
 * facade of `node:http` reads lazy getters that load Node's whole fetch implementation (undici): about a
 * fifth of a bundle's import time, for nothing the functions use. Through `require()` (the banner's), a
 * builtin is only read where used, so every builtin is resolved to a CommonJS re-export.
 */
const builtinsThroughRequire: Plugin = {
  name: "builtins-through-require",
  setup(build) {
    build.onResolve({ filter: /^[a-z_:/0-9]+$/ }, ({ path, namespace }) => {
      if (!builtinNames.has(path)) return undefined;
      // The re-export's own require() is left to the runtime.
      if (namespace === "builtin") return { path, external: true };
      return { path: path.replace(/^node:/, ""), namespace: "builtin" };
    });
    build.onLoad({ filter: /.*/, namespace: "builtin" }, ({ path }) => ({
      contents: `module.exports = require("node:${path}");`,
      loader: "js",
    }));
  },
};

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

async function buildBundle(entry: string): Promise<FunctionBundle> {
  const result = await build({
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
    plugins: [generatedValidators, environmentCredentials, builtinsThroughRequire],
    write: false,
    logLevel: "silent",
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error(`esbuild produced no output for ${entry}`);
  return { code: output.text, bytes: output.contents.byteLength };
}
