// An on-disk cache of esbuild bundles for the local engine and the tests: an unchanged function is bundled
// once per machine instead of once per process (a set of the engine's bundles is about 7 s of CPU).
//
// A cached bundle is served only if everything that shaped it is unchanged, compared by content, never by
// timestamps: every file esbuild read (the metafile's inputs), what esbuild's resolver looked at without
// reporting it (the listings of the input files' directories, and in each of their ancestors the package.json,
// tsconfig.json and node_modules that resolution and compilation consult), the content of every plugin
// namespace module (declared by the caller, since no file holds it), the source of the bundler and its plugins,
// and the build options with the esbuild and Node versions. A namespace nobody declared makes the bundle
// uncacheable rather than trusted. Entries are single files renamed into place, so a concurrent reader sees a
// whole entry or none; two concurrent builders both write a valid entry and the last rename wins.
import { createHash, randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { type BuildOptions, build, version as esbuildVersion } from "esbuild";

export interface BundleCache {
  /** Where entries are kept, one file per set of build options (e.g. node_modules/.cache/engine-bundles). */
  directory: string;
  /** Absolute paths of the source of the bundler and its plugins: code that shapes every bundle. */
  buildFiles: readonly string[];
  /**
   * For each plugin namespace whose modules have no file behind them, the text that determines those modules'
   * contents (e.g. the generated validators). A namespace whose modules are literals in a build file may
   * return "".
   */
  namespaces: Readonly<Record<string, () => string>>;
}

export interface CachedBundle {
  code: string;
  bytes: number;
  /** Whether the bundle came from the cache rather than from a build in this call. */
  fromCache: boolean;
}

/**
 * What was read about one thing a build depends on, as a digest:
 * `file:<path>` its content; `listing:<dir>` the names in a directory holding an input (a new `x.ts` beside an
 * imported `x.js`, or a new `index.tsx`, would change resolution); `lookup:<dir>` what resolution and
 * compilation read in a directory on an input's way to the root; `namespace:<name>` a plugin namespace.
 */
type Observations = Record<string, string>;

interface CacheEntry {
  format: typeof FORMAT;
  versions: string;
  observations: Observations;
  code: string;
}

const FORMAT = 1;

/** The files esbuild consults in each directory above a module while it resolves and compiles it. */
const LOOKUP_FILES = new Set([
  "package.json",
  "tsconfig.json",
  "jsconfig.json",
  ".pnp.cjs",
  ".pnp.js",
  ".pnp.data.json",
]);

/**
 * File timestamps come from a coarse kernel clock, up to a tick behind the wall clock; anything changed this
 * close to the start of a build may have been changed after esbuild read it.
 */
export const TIMESTAMP_SLACK_MS = 100;

const digest = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/**
 * The bundle for `options`: from the cache when every observation recorded with it still holds, otherwise
 * built, and stored when nothing it depends on changed while it was built.
 */
export async function cachedBuild(options: BuildOptions, cache: BundleCache): Promise<CachedBundle> {
  const workingDirectory = options.absWorkingDir ?? process.cwd();
  const { plugins = [], ...settings } = options;
  const entryFile = join(
    cache.directory,
    `${digest(JSON.stringify({ workingDirectory, settings, plugins: plugins.map(({ name }) => name) }))}.json`,
  );
  const versions = `esbuild ${esbuildVersion}, node ${process.version}`;

  const entry = await readEntry(entryFile);
  if (entry?.format === FORMAT && entry.versions === versions && (await stillHolds(entry.observations, cache))) {
    return { code: entry.code, bytes: Buffer.byteLength(entry.code), fromCache: true };
  }

  const buildStart = Date.now();
  const result = await build({ ...options, write: false, metafile: true });
  const [output] = result.outputFiles;
  if (!output) throw new Error(`esbuild produced no output for ${String(options.entryPoints)}`);
  const bundle = { code: output.text, bytes: output.contents.byteLength, fromCache: false };

  const observations = await observe(Object.keys(result.metafile.inputs), workingDirectory, cache, buildStart);
  if (observations) await writeEntry(entryFile, { format: FORMAT, versions, observations, code: bundle.code });
  return bundle;
}

async function readEntry(path: string): Promise<CacheEntry | undefined> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as CacheEntry;
  } catch {
    return undefined;
  }
}

async function writeEntry(path: string, entry: CacheEntry): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temporary, JSON.stringify(entry));
    await rename(temporary, path);
  } catch {
    // A cache that cannot be written (read-only node_modules, full disk) only costs the next build.
    await rm(temporary, { force: true });
  }
}

async function stillHolds(recorded: Observations, cache: BundleCache): Promise<boolean> {
  const reading = sharedReading();
  try {
    const checks = Object.entries(recorded).map(
      async ([key, value]) => (await reading.read(key, cache)).value === value,
    );
    return (await Promise.all(checks)).every(Boolean);
  } finally {
    reading.release();
  }
}

/**
 * What a finished build depends on, read now; undefined when the build is not cacheable: a namespace nobody
 * declared, or something changed since the build started (esbuild may have read it before the change), or a
 * build file changed since this process loaded it.
 */
async function observe(
  inputs: string[],
  workingDirectory: string,
  cache: BundleCache,
  buildStart: number,
): Promise<Observations | undefined> {
  const keys = new Set<string>();
  for (const input of inputs) {
    const namespace = /^([a-z][\w-]*):/i.exec(input)?.[1];
    if (namespace !== undefined) {
      if (!Object.hasOwn(cache.namespaces, namespace)) {
        warnOnce(namespace);
        return undefined;
      }
      keys.add(`namespace:${namespace}`);
      continue;
    }
    const file = resolve(workingDirectory, input);
    keys.add(`file:${file}`);
    keys.add(`listing:${dirname(file)}`);
    for (let directory = dirname(file); !keys.has(`lookup:${directory}`); directory = dirname(directory)) {
      keys.add(`lookup:${directory}`);
      if (dirname(directory) === directory) break;
    }
  }
  const buildFileKeys = new Set(cache.buildFiles.map((file) => `file:${file}`));
  const loadedBefore = (key: string) =>
    buildFileKeys.has(key) && !keys.has(key) ? performance.timeOrigin : buildStart;
  for (const key of buildFileKeys) keys.add(key);

  // Read first, then look at timestamps: a change after the read shows up as a mismatch at the next check, and
  // a change before it, if after the build started, shows up here.
  const reads = await Promise.all([...keys].map(async (key) => [key, await readObservation(key, cache)] as const));
  const settled = await Promise.all(
    reads.map(async ([key, { sources }]) => (await lastChange(sources)) < loadedBefore(key) - TIMESTAMP_SLACK_MS),
  );
  if (!settled.every(Boolean)) return undefined;
  return Object.fromEntries(reads.map(([key, { value }]) => [key, value]));
}

async function lastChange(paths: readonly string[]): Promise<number> {
  const times = await Promise.all(
    paths.map((path) =>
      // A source that vanished since it was read changed too.
      stat(path).then(
        ({ mtimeMs, ctimeMs }) => Math.max(mtimeMs, ctimeMs),
        () => Number.POSITIVE_INFINITY,
      ),
    ),
  );
  return Math.max(0, ...times);
}

const warned = new Set<string>();
function warnOnce(namespace: string) {
  if (warned.has(namespace)) return;
  warned.add(namespace);
  process.emitWarning(
    `bundles with modules in the "${namespace}" plugin namespace are not cached: declare what determines them`,
    "BundleCacheWarning",
  );
}

interface Observation {
  value: string;
  /** The paths whose timestamps say when the value last changed. */
  sources: readonly string[];
}

/** Reads observations, each at most once. */
class Reading {
  readonly #reads = new Map<string, Promise<Observation>>();

  read(key: string, cache: BundleCache): Promise<Observation> {
    let observation = this.#reads.get(key);
    if (!observation) {
      observation = readObservation(key, cache);
      this.#reads.set(key, observation);
    }
    return observation;
  }
}

// The engine checks its bundles all at once: they share most inputs (the AWS SDK, Powertools), so checks that
// overlap in time share one reading, as one build at that moment would.
let shared: { reading: Reading; users: number } | undefined;
function sharedReading(): { read: Reading["read"]; release(): void } {
  shared ??= { reading: new Reading(), users: 0 };
  const current = shared;
  current.users += 1;
  return {
    read: (key, cache) => current.reading.read(key, cache),
    release() {
      current.users -= 1;
      if (current.users === 0 && shared === current) shared = undefined;
    },
  };
}

async function readObservation(key: string, cache: BundleCache): Promise<Observation> {
  const separator = key.indexOf(":");
  const kind = key.slice(0, separator);
  const subject = key.slice(separator + 1);
  try {
    switch (kind) {
      case "file":
        return { value: digest(await readFile(subject)), sources: [subject] };
      case "listing":
        return { value: digest((await readdir(subject)).sort().join("\n")), sources: [subject] };
      case "lookup":
        return await lookupView(subject);
      case "namespace":
        return { value: digest(cache.namespaces[subject]?.() ?? ""), sources: [] };
      default:
        return { value: `unknown observation ${kind}`, sources: [] };
    }
  } catch (error) {
    return { value: `unreadable: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, sources: [subject] };
  }
}

/**
 * What resolution and compilation read in a directory above a module: its config files and its packages. The
 * directory's own timestamp says nothing here (temporary directories change all the time), so a config file
 * deleted in the moment between esbuild's read and this one is the one change this cannot date.
 */
async function lookupView(directory: string): Promise<Observation> {
  const parts: string[] = [];
  const sources: string[] = [];
  for (const name of (await readdir(directory)).sort()) {
    const path = join(directory, name);
    if (LOOKUP_FILES.has(name)) {
      parts.push(`${name} ${digest(await readFile(path))}`);
      sources.push(path);
    } else if (name === "node_modules") {
      const packages = await packagesIn(path);
      parts.push(`${name} ${packages.names}`);
      sources.push(...packages.sources);
    }
  }
  return { value: digest(parts.join("\n")), sources };
}

/** The packages a node_modules directory offers, scoped ones included; dot entries (.bin, .cache) are no package. */
async function packagesIn(directory: string): Promise<{ names: string; sources: string[] }> {
  const names = (await readdir(directory)).filter((name) => !name.startsWith(".")).sort();
  const scopes = names.filter((name) => name.startsWith("@")).map((scope) => join(directory, scope));
  const scoped = await Promise.all(
    scopes.map(async (scope) => `${basename(scope)}/{${(await readdir(scope)).sort().join(",")}}`),
  );
  return { names: [...names, ...scoped].join(","), sources: [directory, ...scopes] };
}
