// The cls-hooked API the X-Ray SDK relies on, as functions/kernel/x-ray-context.ts gives it on
// AsyncLocalStorage; the traced end-to-end test (tests/e2e/observability.test.ts) covers the SDK on it.
import { afterEach, describe, expect, it } from "vitest";
import { createNamespace, destroyNamespace, getNamespace } from "./x-ray-context.ts";

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("X-Ray context on AsyncLocalStorage", () => {
  afterEach(() => destroyNamespace("test"));

  it("finds a namespace by name until it is destroyed", () => {
    const namespace = createNamespace("test");

    expect(getNamespace("test")).toBe(namespace);
    destroyNamespace("test");
    expect(getNamespace("test")).toBeUndefined();
  });

  it("refuses a value outside any context, as cls-hooked does", () => {
    const namespace = createNamespace("test");

    expect(() => namespace.set("segment", 1)).toThrow("No context available");
    expect(namespace.get("segment")).toBeUndefined();
  });

  it("keeps an entered context current for work started later, until it is exited", async () => {
    const namespace = createNamespace("test");
    const root = namespace.createContext();
    namespace.enter(root);
    namespace.set("segment", "facade");

    await tick();
    expect(namespace.get("segment")).toBe("facade");
    namespace.exit(root);
    expect(namespace.get("segment")).toBeUndefined();
  });

  it("gives run its own context that reads through to the outer one and follows its awaits", async () => {
    const namespace = createNamespace("test");
    namespace.enter(namespace.createContext());
    namespace.set("segment", "outer");
    namespace.set("trace", "t-1");

    const seen = await namespace.runAndReturn(async () => {
      namespace.set("segment", "inner");
      await tick();
      return { segment: namespace.get("segment"), trace: namespace.get("trace") };
    });

    expect(seen).toEqual({ segment: "inner", trace: "t-1" });
    expect(namespace.get("segment")).toBe("outer");
  });

  it("keeps concurrent runs apart", async () => {
    const namespace = createNamespace("test");
    const inRun = (value: string, delay: number) =>
      namespace.runPromise(async () => {
        namespace.set("segment", value);
        await new Promise((resolve) => setTimeout(resolve, delay));
        return namespace.get("segment");
      });

    await expect(Promise.all([inRun("a", 20), inRun("b", 5)])).resolves.toEqual(["a", "b"]);
  });

  it("binds a callback to the context current when it was bound", async () => {
    const namespace = createNamespace("test");
    const bound = namespace.runAndReturn(() => {
      namespace.set("segment", "at bind time");
      return namespace.bind(() => namespace.get("segment"));
    });

    await tick();
    expect(bound()).toBe("at bind time");
    expect(namespace.get("segment")).toBeUndefined();
  });
});
