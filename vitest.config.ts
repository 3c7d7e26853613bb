import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**"],
    globalSetup: ["tests/support/global-setup.ts"],
    // quiet-functions keeps what the functions write (Powertools logs, EMF) per test, for the tests to
    // assert on, and shows it only under a failed test; `silent` does the same for console output.
    setupFiles: ["tests/support/worker-env.ts", "tests/support/quiet-functions.ts"],
    silent: "passed-only",
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
