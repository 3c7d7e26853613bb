// The on-disk bundle cache serves a bundle only while everything it was built from is unchanged. Each case
// builds a small entry in a temporary directory (never the real sources), changes one thing it depends on, and
// shows the next build is fresh; the last case shows a real function's cached bundle is the deploy's bundle.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type BuildOptions, build, type Plugin } from "esbuild";
import { afterEach, describe, expect, it } from "vitest";
import { bundleFunction, bundleOptions, functionBundleCache } from "./bundle.ts";
import { type BundleCache, cachedBuild, TIMESTAMP_SLACK_MS } from "./bundle-cache.ts";
import { engineFunctions } from "./catalog.ts";

const cacheSource = new URL("./bundle-cache.ts", import.meta.url).pathname;
const temporaries: string[] = [];

function temporaryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), "bundle-cache-"));
  temporaries.push(directory);
  return directory;
}

afterEach(() => {
  for (const directory of temporaries.splice(0)) rmSync(directory, { recursive: true, force: true });
});

/** A source tree in a temporary directory, its build, and a cache kept outside the tree. */
async function fixture(
  files: Record<string, string>,
  plugins: Plugin[] = [],
  namespaces: BundleCache["namespaces"] = {},
) {
  const root = temporaryDirectory();
  const write = (path: string, content: string) => {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  for (const [path, content] of Object.entries(files)) write(path, content);
  // Files changed just before a build are not trusted (esbuild may have read them before the change).
  await sleep(TIMESTAMP_SLACK_MS + 50);
  const options: BuildOptions = {
    absWorkingDir: root,
    entryPoints: ["entry.ts"],
    bundle: true,
    format: "esm",
    platform: "node",
    plugins,
    logLevel: "silent",
  };
  const cache: BundleCache = { directory: temporaryDirectory(), buildFiles: [cacheSource], namespaces };
  return { root, write, options, cache, bundle: () => cachedBuild(options, cache) };
}

describe("bundle cache", () => {
  it("serves an unchanged bundle from the cache, the same as a fresh build", async () => {
    const { options, bundle } = await fixture({
      "entry.ts": 'import { value } from "./dep.ts";\nconsole.log(value);\n',
      "dep.ts": "export const value: number = 1;\n",
    });

    const first = await bundle();
    const second = await bundle();

    expect([first.fromCache, second.fromCache]).toEqual([false, true]);
    const fresh = await build({ ...options, write: false });
    expect(second.code).toBe(fresh.outputFiles[0]?.text);
  });

  it("rebuilds when a source file's content changes, even with its size and timestamps kept", async () => {
    const { root, write, bundle } = await fixture({
      "entry.ts": 'import { value } from "./dep.ts";\nconsole.log(value);\n',
      "dep.ts": "export const value: number = 1;\n",
    });
    await bundle();
    const before = statSync(join(root, "dep.ts"));

    write("dep.ts", "export const value: number = 2;\n");
    utimesSync(join(root, "dep.ts"), before.atime, before.mtime);
    const after = await bundle();

    expect(after.fromCache).toBe(false);
    expect(after.code).toContain("value = 2;");
  });

  it("rebuilds when a new file wins a resolution that used to fall through (dep.ts before dep.js)", async () => {
    const { write, bundle } = await fixture({
      "entry.ts": 'import { value } from "./dep";\nconsole.log(value);\n',
      "dep.js": 'export const value = "from js";\n',
    });
    expect((await bundle()).code).toContain("from js");

    write("dep.ts", 'export const value: string = "from ts";\n');
    const after = await bundle();

    expect(after.fromCache).toBe(false);
    expect(after.code).toContain("from ts");
  });

  it("rebuilds when a package.json that resolution read changes", async () => {
    const { write, bundle } = await fixture({
      "entry.ts": 'import { value } from "lib";\nconsole.log(value);\n',
      "node_modules/lib/package.json": '{ "name": "lib", "main": "one.js" }',
      "node_modules/lib/one.js": 'exports.value = "one";\n',
      "node_modules/lib/two.js": 'exports.value = "two";\n',
    });
    expect((await bundle()).code).toContain('"one"');

    write("node_modules/lib/package.json", '{ "name": "lib", "main": "two.js" }');
    const after = await bundle();

    expect(after.fromCache).toBe(false);
    expect(after.code).toContain('"two"');
  });

  it("rebuilds when a plugin's generated module changes (as the validators do with a schema)", async () => {
    let schema = { type: "object", required: ["a"] };
    const generated = () => `export const schema = ${JSON.stringify(schema)};`;
    const validators: Plugin = {
      name: "validators",
      setup(esbuild) {
        esbuild.onResolve({ filter: /^validators$/ }, () => ({ path: "validators", namespace: "generated" }));
        esbuild.onLoad({ filter: /.*/, namespace: "generated" }, () => ({ contents: generated(), loader: "js" }));
      },
    };
    const { bundle } = await fixture(
      { "entry.ts": 'import { schema } from "validators";\nconsole.log(schema);\n' },
      [validators],
      { generated },
    );
    await bundle();
    expect((await bundle()).fromCache).toBe(true);

    schema = { type: "object", required: ["b"] };
    const after = await bundle();

    expect(after.fromCache).toBe(false);
    expect(after.code).toContain('"required": ["b"]');
  });

  it("never caches a bundle with modules from a plugin namespace nobody declared", async () => {
    const undeclared: Plugin = {
      name: "undeclared",
      setup(esbuild) {
        esbuild.onResolve({ filter: /^virtual$/ }, () => ({ path: "virtual", namespace: "made-up" }));
        esbuild.onLoad({ filter: /.*/, namespace: "made-up" }, () => ({ contents: "export default 1;" }));
      },
    };
    const { bundle } = await fixture({ "entry.ts": 'import value from "virtual";\nconsole.log(value);\n' }, [
      undeclared,
    ]);

    const results = [await bundle(), await bundle()];

    expect(results.map(({ fromCache }) => fromCache)).toEqual([false, false]);
  });

  it("does not store a build whose input changed while it ran", async () => {
    // Stands for an editor saving a file after esbuild read it but before the cache hashed it.
    const { root, bundle } = await fixture(
      {
        "entry.ts": 'import { value } from "./dep.ts";\nconsole.log(value);\n',
        "dep.ts": "export const value: number = 1;\n",
      },
      [
        {
          name: "edit-during-build",
          setup(esbuild) {
            esbuild.onEnd(() => writeFileSync(join(root, "dep.ts"), "export const value: number = 2;\n"));
          },
        },
      ],
    );

    const during = await bundle();
    const next = await bundle();

    expect(during.code).toContain("value = 1;");
    expect(next.fromCache).toBe(false);
    expect(next.code).toContain("value = 2;");
  });

  it("does not trust a build file changed since this process loaded it", async () => {
    const { write, root, options } = await fixture({ "entry.ts": "console.log(1);\n" });
    write("plugin-source.ts", "// changed after the process started\n");
    const cache: BundleCache = {
      directory: temporaryDirectory(),
      buildFiles: [join(root, "plugin-source.ts")],
      namespaces: {},
    };

    const results = [await cachedBuild(options, cache), await cachedBuild(options, cache)];

    expect(results.map(({ fromCache }) => fromCache)).toEqual([false, false]);
  });

  it("lets concurrent builders both store, and treats a damaged entry as absent", async () => {
    const { cache, bundle } = await fixture({ "entry.ts": "console.log(1);\n" });

    const concurrent = await Promise.all([bundle(), bundle()]);
    expect(concurrent.map(({ fromCache }) => fromCache)).toEqual([false, false]);
    expect(readdirSync(cache.directory).filter((name) => name.endsWith(".tmp"))).toEqual([]);
    expect((await bundle()).fromCache).toBe(true);

    for (const name of readdirSync(cache.directory)) writeFileSync(join(cache.directory, name), '{"code":');
    const afterDamage = await bundle();

    expect(afterDamage.fromCache).toBe(false);
    expect(afterDamage.code).toContain("console.log(1)");
  });

  it("caches a real function bundle, identical to the bundle a deploy builds", async () => {
    const entry = engineFunctions.find(({ id }) => id === "execution-starter")?.entry ?? "";
    const cache = functionBundleCache(temporaryDirectory());

    const built = await cachedBuild(bundleOptions(entry), cache);
    const cached = await cachedBuild(bundleOptions(entry), cache);

    expect([built.fromCache, cached.fromCache]).toEqual([false, true]);
    expect(cached.code).toBe((await bundleFunction(entry)).code);
  }, 60_000);
});
