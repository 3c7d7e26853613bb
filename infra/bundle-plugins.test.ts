// Each bundle plugin still does its job against the pinned dependencies: a dependency that moves a file
// would otherwise turn a plugin into a silent no-op (a bigger bundle, or cls-hooked's hooks back).
import { build, type Metafile } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { bundleOptions } from "./bundle.ts";
import { engineFunctions } from "./catalog.ts";

async function inputsOf(functionId: string): Promise<string[]> {
  const entry = engineFunctions.find((fn) => fn.id === functionId)?.entry ?? "";
  const { metafile } = await build({ ...bundleOptions(entry), write: false, metafile: true });
  const [output] = Object.values((metafile as Metafile).outputs);
  // Only modules that contribute code: a module whose every export was dropped has no bytes here.
  return Object.entries(output?.inputs ?? {})
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => path);
}

describe("bundle plugins", () => {
  let recorder: string[];
  let invoker: string[];
  beforeAll(async () => {
    [recorder, invoker] = await Promise.all([inputsOf("execution-recorder"), inputsOf("tool-invoker")]);
  }, 60_000);

  const including = (inputs: string[], part: string) => inputs.filter((path) => path.includes(part));

  it("give the X-Ray SDK the AsyncLocalStorage context store instead of cls-hooked", () => {
    expect(including(recorder, "cls-hooked")).toEqual([]);
    expect(including(recorder, "functions/kernel/x-ray-context.ts")).toHaveLength(1);
  });

  it("leave out X-Ray's SDK v2 patcher with semver, and its centralized sampler", () => {
    expect(including(recorder, "semver")).toEqual([]);
    expect(including(recorder, "middleware/sampling/rule_poller")).toEqual([]);
  });

  it("leave out the SDK's default credential chain and its event-stream serde", () => {
    expect(including(recorder, "credential-provider-node")).toEqual([]);
    expect(including(recorder, "credential-provider-sso")).toEqual([]);
    expect(including(recorder, "EventStreamSerde")).toEqual([]);
  });

  it("reach builtins through CommonJS re-exports, so no ESM facade of a builtin is built", () => {
    expect(including(recorder, "builtin:http")).not.toEqual([]);
    expect(including(recorder, "builtin:crypto")).not.toEqual([]);
  });

  it("let the tool invoker carry only the DynamoDB client its idempotency records need, without the default credential chain", () => {
    const clients = new Set(
      including(invoker, "@aws-sdk/client-").map((path) => /@aws-sdk\/client-[^/]+/.exec(path)?.[0]),
    );
    expect([...clients]).toEqual(["@aws-sdk/client-dynamodb"]);
    expect(including(invoker, "credential-provider-node")).toEqual([]);
    expect(including(invoker, "@aws-sdk/lib-dynamodb")).toEqual([]);
  });
});
