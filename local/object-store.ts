// s3rver: an S3-compatible store on loopback, holding the artifacts bucket in a temporary directory.
// Functions reach it through AWS_ENDPOINT_URL_S3 with path-style addressing (S3_FORCE_PATH_STYLE=true).
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";

export interface LocalObjectStore {
  endpoint: string;
  bucket: string;
  stop(): Promise<void>;
}

export async function startObjectStore(options: { bucket: string; port?: number }): Promise<LocalObjectStore> {
  const directory = await mkdtemp(join(tmpdir(), "engine-s3-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: options.port ?? 0,
    silent: true,
    directory,
    resetOnClose: true,
    configureBuckets: [{ name: options.bucket, configs: [] }],
  });
  const { port } = (await server.run()) as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket: options.bucket,
    stop: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
