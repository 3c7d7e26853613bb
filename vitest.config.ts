import { defineConfig } from "vitest/config";

// The files that run the Pulumi program or its components under mocks (infra/testing/pulumi-mocks.ts). Each
// installs its mocks and config before it registers anything, so they share one module graph per worker:
// @pulumi/pulumi, @pulumi/aws and the program are imported once, and each function is bundled once
// (infra/bundle.ts), instead of once per file.
const pulumiMockFiles = [
  "infra/api/status-api.test.ts",
  "infra/functions/functions.test.ts",
  "infra/gateway/gateway.test.ts",
  "infra/observability/observability.test.ts",
  "infra/pulumi-program.test.ts",
  "infra/stack.test.ts",
  "infra/testing/pulumi-mocks.test.ts",
  "infra/trigger/trigger.test.ts",
  "infra/workflow-iam.test.ts",
  "infra/workflow/express-stack.test.ts",
  "infra/workflow/trace-sampling.test.ts",
];

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
        test: { name: "isolated", include: ["**/*.test.ts"], exclude: ["node_modules/**", ...pulumiMockFiles] },
      },
      {
        extends: true,
        test: {
          name: "pulumi-mocks",
          include: pulumiMockFiles,
          isolate: false,
          // Added to the inherited setup files.
          setupFiles: ["infra/testing/settle-pulumi.ts"],
        },
      },
    ],
  },
});
