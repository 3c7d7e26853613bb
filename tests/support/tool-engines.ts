// The engines a tool call touches, started for one test file: s3rver for artifacts, a Secrets Manager
// stand-in holding the gateway's client secret, and demo MCP gateways. The functions find them through
// their standard configuration (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_SECRETS_MANAGER, GATEWAY_*).
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll } from "vitest";
import type { GatewayConfig } from "../../functions/kernel/mcp/gateway.ts";
import { type DemoGateway, type DemoGatewayOptions, startDemoGateway } from "../../local/demo-gateway/index.ts";
import { startObjectStore } from "../../local/object-store.ts";
import { startSecretsManager } from "../../local/secrets-manager.ts";
import { localCredentials, localRegion } from "./local-aws.ts";

export const ARTIFACTS_BUCKET = "engine-artifacts";
export const CLIENT_SECRET_ID = "engine/gateway-client-secret";

export async function useToolEngines() {
  const objectStore = await startObjectStore({ bucket: ARTIFACTS_BUCKET });
  const secrets = await startSecretsManager();
  const gateways: DemoGateway[] = [];
  afterAll(async () => {
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    await Promise.all([objectStore.stop(), secrets.stop()]);
  });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_S3: objectStore.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    S3_FORCE_PATH_STYLE: "true",
    ARTIFACTS_BUCKET,
    GATEWAY_CLIENT_SECRET_ID: CLIENT_SECRET_ID,
  });
  const s3 = new S3Client({
    endpoint: objectStore.endpoint,
    region: localRegion,
    credentials: localCredentials,
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
  });

  return {
    secrets,
    /** Starts a gateway and answers the configuration a function would read for it. */
    async gateway(
      options: DemoGatewayOptions & { timeoutMs?: number },
    ): Promise<{ gateway: DemoGateway; config: GatewayConfig }> {
      const gateway = await startDemoGateway(options);
      gateways.push(gateway);
      secrets.putSecret(CLIENT_SECRET_ID, gateway.clientSecret);
      return {
        gateway,
        config: {
          url: gateway.url,
          tokenUrl: gateway.tokenUrl,
          clientId: gateway.clientId,
          clientSecretId: CLIENT_SECRET_ID,
          scope: undefined,
          timeoutMs: options.timeoutMs ?? 5000,
        },
      };
    },
    /** The stored artifact behind an s3:// reference. */
    async artifact(reference: string): Promise<{ body: string; contentType?: string }> {
      const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(reference) ?? [];
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return { body: (await object.Body?.transformToString()) ?? "", contentType: object.ContentType };
    },
  };
}
