// The esbuild plugins of the function bundles (bundle.ts): the generated validators, and what the
// bundles leave out or replace because no function runs it in Lambda. Each says why.
import { readFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin } from "esbuild";
import { generateValidatorModule } from "../scripts/generate-validators.ts";

const repositoryRoot = fileURLToPath(new URL("..", import.meta.url));

/** Resolves the git-ignored generated validators to freshly generated code. */
export const generatedValidators: Plugin = {
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
export const environmentCredentials: Plugin = {
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

/**
 * The SDK clients describe every operation's shapes in one schema module, whose object keys are computed
 * from string constants (`{ [_hH]: _xaa }`). esbuild cannot prove such a key free of side effects, so it
 * keeps every shape of every operation: 66 KB of S3 for one PutObject. Writing each key as the literal
 * its constant holds changes nothing at run time and lets esbuild drop the shapes no call reaches.
 */
export const literalSchemaKeys: Plugin = {
  name: "literal-schema-keys",
  setup(build) {
    build.onLoad(
      { filter: /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/ },
      async ({ path }) => {
        const source = await readFile(path, "utf8");
        const constants = new Map<string, string>();
        for (const [, name, literal] of source.matchAll(/^const (\w+) = ("(?:[^"\\\n]|\\.)*");$/gm)) {
          if (name && literal) constants.set(name, literal);
        }
        return {
          contents: source.replace(/\[(\w+)\]:/g, (key, name: string) => {
            const literal = constants.get(name);
            return literal ? `${literal}:` : key;
          }),
          loader: "js",
        };
      },
    );
  },
};

/** What the bundles load in place of `cls-hooked/context`. */
export const xrayContextModule = fileURLToPath(new URL("../functions/kernel/x-ray-context.ts", import.meta.url));

/**
 * The X-Ray SDK (under the Powertools tracer), fitted to Lambda:
 * - its context store, cls-hooked, is replaced by the same API on AsyncLocalStorage
 *   (functions/kernel/x-ray-context.ts): cls-hooked's async hooks made every promise in the process slow;
 * - two parts that never run in Lambda are left out: the AWS SDK v2 patcher, which brings a copy of
 *   semver (the functions use SDK v3, captured with `captureAWSv3Client`), and the centralized sampler
 *   with its rule pollers, which the SDK swaps for the local sampler as it initializes in Lambda;
 * - the list of request and response parameters it records per AWS service keeps the services the
 *   functions call through captured SDK clients (DynamoDB; EventBridge has no entry): 10 KB down to 2.
 */
export const xrayForLambda: Plugin = {
  name: "x-ray-for-lambda",
  setup(build) {
    const lib = /[\\/]aws-xray-sdk-core[\\/]dist[\\/]lib[\\/]/.source;
    build.onResolve({ filter: /^cls-hooked\/context$/ }, () => ({ path: xrayContextModule }));
    build.onLoad({ filter: new RegExp(`${lib}patchers[\\\\/]aws_p\\.js$`) }, () => ({
      contents: [
        "function sdkV2Absent() {",
        '  throw new Error("this bundle leaves out the X-Ray patcher for AWS SDK v2; capture v3 clients with captureAWSv3Client");',
        "}",
        "module.exports = { captureAWS: sdkV2Absent, captureAWSClient: sdkV2Absent };",
      ].join("\n"),
      loader: "js",
    }));
    build.onLoad({ filter: new RegExp(`${lib}resources[\\\\/]aws_whitelist\\.json$`) }, async ({ path }) => {
      const { services } = JSON.parse(await readFile(path, "utf8")) as { services: Record<string, unknown> };
      return { contents: JSON.stringify({ services: { dynamodb: services.dynamodb } }), loader: "json" };
    });
    build.onLoad({ filter: new RegExp(`${lib}middleware[\\\\/]sampling[\\\\/]default_sampler\\.js$`) }, ({ path }) => ({
      contents: 'module.exports = require("./local_sampler");',
      loader: "js",
      resolveDir: dirname(path),
    }));
  },
};

/**
 * The SDK loads event-stream support with a dynamic `import()`, so that clients which never stream do
 * not pay for it; a single-file bundle would inline it whole (15 KB). No function calls a streaming
 * operation, so that import resolves to a module that says so if one ever does. The static import of
 * the config resolver, which every client makes, still resolves to the real module.
 */
export const noEventStreams: Plugin = {
  name: "no-event-streams",
  setup(build) {
    build.onResolve({ filter: /^@smithy\/core\/event-streams$/ }, ({ kind }) =>
      kind === "dynamic-import" ? { path: "event-streams", namespace: "absent" } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "absent" }, () => ({
      contents:
        'throw new Error("this bundle leaves out AWS SDK event-stream support: no function calls a streaming operation");',
      loader: "js",
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
export const builtinsThroughRequire: Plugin = {
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
