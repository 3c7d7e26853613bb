import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**"],
    globalSetup: ["tests/support/global-setup.ts"],
    setupFiles: ["tests/support/worker-env.ts"],
    // Function logs and EMF lines are shown for failing tests only.
    silent: "passed-only",
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
