// s3rver: an S3-compatible store on loopback, holding the artifacts bucket in a directory: the one given,
// kept across restarts, or else a temporary one removed at stop.
// Functions reach it through AWS_ENDPOINT_URL_S3 with path-style addressing (S3_FORCE_PATH_STYLE=true).
// With local IAM, s3rver listens on a port of its own behind the S3 guard (local/iam/s3-guard.ts), which
// serves at the store's endpoint; s3rver learns each function's key, since it refuses keys it does not know.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";
import type { LocalIam } from "./iam/authorizer.ts";
import { type RequestGuard, startGuardProxy } from "./iam/guard-proxy.ts";
import { s3Guard } from "./iam/s3-guard.ts";

export interface LocalObjectStore {
  endpoint: string;
  bucket: string;
  /** With local IAM: s3rver's own endpoint and the judge the guard at `endpoint` runs. */
  guard?: RequestGuard;
  stop(): Promise<void>;
}

/** s3rver's account, whose key registry its authentication reads (s3rver/lib/models/account.js). */
interface S3rverAccount {
  createKeyPair(accessKeyId: string, secretAccessKey: string): void;
  revokeAccessKey(accessKeyId: string): void;
}
const { DUMMY_ACCOUNT: s3rverAccount } = createRequire(import.meta.url)("s3rver/lib/models/account.js") as {
  DUMMY_ACCOUNT: S3rverAccount;
};

export async function startObjectStore(options: {
  bucket: string;
  port?: number;
  iam?: LocalIam;
  /** Keep the objects in this directory (created if absent) across restarts. */
  directory?: string;
}): Promise<LocalObjectStore> {
  const kept = options.directory !== undefined;
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), "engine-s3-")));
  if (kept) await mkdir(directory, { recursive: true });
  const server = new S3rver({
    address: "127.0.0.1",
    port: options.iam ? 0 : (options.port ?? 0),
    silent: true,
    directory,
    resetOnClose: !kept,
    // An existing bucket is kept with its objects.
    configureBuckets: [{ name: options.bucket, configs: [] }],
  });
  const { port } = (await server.run()) as AddressInfo;
  const storeEndpoint = `http://127.0.0.1:${port}`;
  const stopStore = async () => {
    await server.close();
    if (!kept) await rm(directory, { recursive: true, force: true });
  };
  if (!options.iam) return { endpoint: storeEndpoint, bucket: options.bucket, stop: stopStore };

  const keys: string[] = [];
  options.iam.onIssue(({ accessKeyId, secretAccessKey }) => {
    s3rverAccount.createKeyPair(accessKeyId, secretAccessKey);
    keys.push(accessKeyId);
  });
  const guard = s3Guard(storeEndpoint, options.iam);
  const proxy = await startGuardProxy(guard, options.port).catch(async (error: unknown) => {
    await stopStore();
    throw error;
  });
  return {
    endpoint: proxy.endpoint,
    bucket: options.bucket,
    guard,
    stop: async () => {
      await proxy.stop();
      for (const key of keys) s3rverAccount.revokeAccessKey(key);
      await stopStore();
    },
  };
}
