// GetSecretValue over signed fetch against the local Secrets Manager stand-in (loopback, JSON 1.1
// protocol, as AWS speaks it): the value, the cache period, and the error classes.
import { afterEach, describe, expect, it, vi } from "vitest";
import { useToolEngines } from "../../../tests/support/tool-engines.ts";
import { createSecretCache } from "./secrets.ts";

const engines = await useToolEngines();
afterEach(() => vi.unstubAllEnvs());

describe("secret cache (GetSecretValue over signed fetch)", () => {
  it("reads a secret string and keeps it for the cache period, then reads it again", async () => {
    let clock = 0;
    const cache = createSecretCache(300, () => clock);
    engines.secrets.putSecret("cached-secret", "first");

    await expect(cache.get("cached-secret")).resolves.toBe("first");
    engines.secrets.putSecret("cached-secret", "rotated");
    clock += 299_000;
    await expect(cache.get("cached-secret")).resolves.toBe("first");
    clock += 2_000;
    await expect(cache.get("cached-secret")).resolves.toBe("rotated");
  });

  it("fails with PermanentError naming the service's error code, and does not keep the failure", async () => {
    const cache = createSecretCache(300);

    await expect(cache.get("later-secret")).rejects.toMatchObject({
      name: "PermanentError",
      message: expect.stringContaining("GetSecretValue secret later-secret failed: ResourceNotFoundException (400)"),
    });
    engines.secrets.putSecret("later-secret", "now here");
    await expect(cache.get("later-secret")).resolves.toBe("now here");
  });

  it("fails with TransientError when Secrets Manager cannot be reached", async () => {
    vi.stubEnv("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://127.0.0.1:9");

    await expect(createSecretCache(300).get("any")).rejects.toMatchObject({ name: "TransientError" });
  });
});
