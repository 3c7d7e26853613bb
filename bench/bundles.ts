// 1. Bundles: each function's deployable bundle, exactly as `pulumi up` builds it (infra/bundle.ts):
// minified ESM, validators generated in. Bytes as deployed (index.mjs) and gzip-compressed (zlib's
// default level), the closest cheap proxy for the zip Lambda stores.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { bundleFunction } from "../infra/bundle.ts";
import { type EngineFunctionId, engineFunctions } from "../infra/catalog.ts";

export interface BundleSize {
  id: EngineFunctionId;
  bytes: number;
  gzipBytes: number;
}

export interface BuiltBundle extends BundleSize {
  code: string;
}

export async function buildBundles(): Promise<BuiltBundle[]> {
  return Promise.all(
    engineFunctions.map(async (fn) => {
      const { code, bytes } = await bundleFunction(fn.entry);
      return { id: fn.id, code, bytes, gzipBytes: gzipSync(code).byteLength };
    }),
  );
}

/** Writes each bundle as Lambda unpacks it: `<directory>/<id>/index.mjs`. Answers the file of each. */
export function writeBundles(
  bundles: readonly Pick<BuiltBundle, "id" | "code">[],
  directory: string,
): Map<EngineFunctionId, string> {
  const files = new Map<EngineFunctionId, string>();
  for (const bundle of bundles) {
    const taskRoot = join(directory, bundle.id);
    mkdirSync(taskRoot, { recursive: true });
    const file = join(taskRoot, "index.mjs");
    writeFileSync(file, bundle.code);
    files.set(bundle.id, file);
  }
  return files;
}

export const sizesOf = (bundles: readonly BuiltBundle[]): BundleSize[] =>
  bundles.map(({ id, bytes, gzipBytes }) => ({ id, bytes, gzipBytes }));
