// The functions' Powertools output is kept per test instead of reaching the terminal, and nothing else is.
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { describe, expect, it } from "vitest";
import { divertFunctionLines, type FunctionLine, functionLogs, functionOutput } from "./function-output.ts";

/** A stream that records what reaches it, as the terminal would show it. */
function terminal() {
  const shown: string[] = [];
  const stream = {
    write: (chunk: string | Uint8Array, ...rest: unknown[]) => {
      shown.push(String(chunk));
      const callback = rest.find((arg) => typeof arg === "function") as (() => void) | undefined;
      callback?.();
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  const kept: FunctionLine[] = [];
  divertFunctionLines(stream, (line) => kept.push(line));
  return { stream, shown, kept };
}

const logLine = JSON.stringify({ level: "WARN", message: "request deferred", service: "status-api" });
const emfLine = JSON.stringify({ _aws: { Timestamp: 1, CloudWatchMetrics: [] }, service: "engine" });

describe("divertFunctionLines", () => {
  it("keeps a Powertools log line and an EMF line, and shows neither", () => {
    const { stream, shown, kept } = terminal();

    stream.write(`${logLine}\n`);
    stream.write(`${emfLine}\n`);

    expect(shown).toEqual([]);
    expect(kept).toEqual([JSON.parse(logLine), JSON.parse(emfLine)]);
  });

  it("shows everything else as written: text, JSON that is not a function's, a line that only looks like one", () => {
    const { stream, shown, kept } = terminal();

    stream.write("engine ready on http://127.0.0.1:3000\n");
    stream.write('{"action_intent_id":"intent-1"}\n');
    stream.write('{"level":"WARN", not json\n');

    expect(shown).toEqual([
      "engine ready on http://127.0.0.1:3000\n",
      '{"action_intent_id":"intent-1"}\n',
      '{"level":"WARN", not json\n',
    ]);
    expect(kept).toEqual([]);
  });

  it("keeps the function's lines out of a mixed chunk and shows the rest in order", () => {
    const { stream, shown, kept } = terminal();

    stream.write(Buffer.from(`before\n${logLine}\nafter\n`));

    expect(shown.map(String)).toEqual(["before\nafter\n"]);
    expect(kept).toEqual([JSON.parse(logLine)]);
  });

  it("calls a kept write's callback, as a stream would once written", async () => {
    const { stream } = terminal();

    const written = await new Promise<boolean>((resolve) => stream.write(`${logLine}\n`, () => resolve(true)));

    expect(written).toBe(true);
  });
});

describe("in a test (the setup file keeps the functions' output)", () => {
  it("hands the test what Powertools Logger and Metrics wrote, on stdout and stderr alike", () => {
    const logger = new Logger({ serviceName: "output-test" });
    const metrics = new Metrics({ namespace: "OutputTest", serviceName: "output-test" });

    logger.error("tool call failed", { cause: "gateway unreachable" });
    metrics.addMetric("ToolErrors", MetricUnit.Count, 1);
    metrics.publishStoredMetrics();

    expect(functionLogs()).toEqual([
      expect.objectContaining({ level: "ERROR", message: "tool call failed", cause: "gateway unreachable" }),
    ]);
    expect(functionOutput()).toContainEqual(expect.objectContaining({ ToolErrors: 1, service: "output-test" }));
  });

  it("starts each test with none of the previous test's lines", () => {
    expect(functionOutput()).toEqual([]);
  });
});
