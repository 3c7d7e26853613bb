// What the deployed function bundles are made of, licence-wise. The IAM simulator the tests and the local
// engine use (@cloud-copilot/iam-simulate and its helpers) is AGPL-3.0: fine for development, never to be
// shipped in a bundle. Every module esbuild reads for a bundle counts, even one tree-shaken to nothing.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { bundleOptions } from "./bundle.ts";
import { type EngineFunctionId, engineFunctions } from "./catalog.ts";

const repositoryRoot = fileURLToPath(new URL("..", import.meta.url));

/** The package a bundle input comes from (`@scope/name` or `name`), or undefined for the project's own code. */
function packageOf(input: string): string | undefined {
  const marker = "node_modules/";
  const at = input.lastIndexOf(marker);
  if (at < 0) return undefined;
  const [first = "", second = ""] = input.slice(at + marker.length).split("/");
  return first.startsWith("@") ? `${first}/${second}` : first;
}

type PackageManifest = { license?: string | { type?: string }; licenses?: { type?: string }[] };

function licenceOf(packageName: string, input: string): string {
  const root = `${input.slice(0, input.lastIndexOf("node_modules/"))}node_modules/${packageName}`;
  const manifest = JSON.parse(readFileSync(join(repositoryRoot, root, "package.json"), "utf8")) as PackageManifest;
  const declared = manifest.license ?? manifest.licenses?.map((licence) => licence.type).join(" OR ");
  return typeof declared === "object" ? String(declared?.type) : String(declared);
}

/** The packages each function's bundle reads, with their declared licences. */
async function bundledPackages(entry: string): Promise<Map<string, string>> {
  const { metafile } = await build({ ...bundleOptions(entry), write: false, metafile: true });
  const packages = new Map<string, string>();
  for (const input of Object.keys(metafile?.inputs ?? {})) {
    const name = packageOf(input);
    if (name && !packages.has(name)) packages.set(name, licenceOf(name, input));
  }
  return packages;
}

describe("the deployed function bundles", () => {
  const packagesOf = new Map<EngineFunctionId, Map<string, string>>();
  beforeAll(async () => {
    for (const [id, packages] of await Promise.all(
      engineFunctions.map(async (fn) => [fn.id, await bundledPackages(fn.entry)] as const),
    )) {
      packagesOf.set(id, packages);
    }
  }, 120_000);

  it.each(engineFunctions.map((fn) => fn.id))("%s carries no IAM simulator code", (id) => {
    const packages = [...(packagesOf.get(id)?.keys() ?? [])];

    expect(packages.length, "the bundle reads packages from node_modules").toBeGreaterThan(0);
    expect(packages.filter((name) => name.startsWith("@cloud-copilot/"))).toEqual([]);
  });

  it.each(engineFunctions.map((fn) => fn.id))("%s carries no GPL or AGPL licensed package", (id) => {
    const copyleft = [...(packagesOf.get(id) ?? [])].filter(([, licence]) => /\b(AGPL|GPL)-/.test(licence));

    expect(copyleft).toEqual([]);
  });
});
