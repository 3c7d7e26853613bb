import { describe, expect, it } from "vitest";
import { startBundledFunction } from "../../tests/support/bundled-function.ts";
import { PIPELINE_FUNCTION_DEBUG_LINE, PIPELINE_FUNCTION_INFO_LINE } from "../../tests/support/pipeline-function.ts";
import { lambdaLoggingEnvironment, lambdaLoggingFor } from "./logging.ts";

describe("Lambda logging controls", () => {
  it.each([
    ["DEBUG", "DEBUG"],
    ["INFO", "INFO"],
    ["WARN", "WARN"],
    // The system log level takes DEBUG, INFO or WARN only:
    // https://docs.aws.amazon.com/lambda/latest/api/API_LoggingConfig.html
    ["ERROR", "WARN"],
  ] as const)(
    "derive from the stack's %s an application level of the same and a system level of %s",
    (level, system) => {
      expect(lambdaLoggingFor({ logLevel: level })).toEqual({
        logFormat: "JSON",
        applicationLogLevel: level,
        systemLogLevel: system,
      });
    },
  );

  describe("in a function whose stack logs at DEBUG", () => {
    /** The lines a pipeline function writes for one invocation, cold-started with `environment`. */
    async function linesOfOneInvocation(environment: Record<string, string>): Promise<string[]> {
      const fn = await startBundledFunction("tests/support/pipeline-function.ts", {
        AWS_REGION: "us-east-1",
        POWERTOOLS_SERVICE_NAME: "pipeline-function",
        POWERTOOLS_LOG_LEVEL: "DEBUG",
        ...environment,
      });
      try {
        await fn.invoke({
          action_intent_id: "intent-logged",
          tenant_id: "tenant-1",
          account_id: "account-1",
          execution_trace_id: "trace-1",
        });
        return fn.output;
      } finally {
        await fn.stop();
      }
    }

    it("drop DEBUG lines under what Lambda sets for JSON logs without an application level (INFO)", async () => {
      const lines = await linesOfOneInvocation({ AWS_LAMBDA_LOG_FORMAT: "JSON", AWS_LAMBDA_LOG_LEVEL: "INFO" });

      expect(lines.join("\n")).not.toContain(PIPELINE_FUNCTION_DEBUG_LINE);
      expect(lines.join("\n")).toContain(PIPELINE_FUNCTION_INFO_LINE);
    });

    it("keep them under what Lambda sets from the derived logging controls", async () => {
      const lines = await linesOfOneInvocation(lambdaLoggingEnvironment(lambdaLoggingFor({ logLevel: "DEBUG" })));

      expect(lines.join("\n")).toContain(PIPELINE_FUNCTION_DEBUG_LINE);
    });
  });
});
