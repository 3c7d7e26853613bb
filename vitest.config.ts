import { defineConfig } from "vitest/config";

// The infrastructure tests share one module graph per worker: @pulumi/pulumi, @pulumi/aws and the program
// are imported once, and each function is bundled once (infra/bundle.ts), instead of once per file. That holds
// because each file sets up what it needs itself: the Pulumi mocks and config before it registers anything
// (infra/testing/pulumi-mocks.ts), nothing module-wide mocked or stubbed.
const sharedGraphFiles = ["infra/**/*.test.ts"];

export default defineConfig({
  test: {
    globalSetup: ["tests/support/global-setup.ts"],
    // quiet-functions keeps what the functions write (Powertools logs, EMF) per test, for the tests to
    // assert on, and shows it only under a failed test; `silent` does the same for console output.
    setupFiles: ["tests/support/worker-env.ts", "tests/support/quiet-functions.ts"],
    silent: "passed-only",
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Both projects inherit the options above; the global setup runs once for the whole run.
    projects: [
      {
        extends: true,
        test: { name: "isolated", include: ["**/*.test.ts"], exclude: ["node_modules/**", ...sharedGraphFiles] },
      },
      {
        extends: true,
        test: {
          name: "infra",
          include: sharedGraphFiles,
          isolate: false,
          // Added to the inherited setup files.
          setupFiles: ["infra/testing/settle-pulumi.ts"],
        },
      },
    ],
  },
});
