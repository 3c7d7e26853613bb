// One Lambda function in a worker thread: loads the function's deployable bundle once (its cold start,
// with its own environment) and answers invocations from the engine, as the Lambda runtime would.

import { pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";
import {
  invocationEndMarker,
  type LambdaFailure,
  type WorkerData,
  type WorkerReply,
  type WorkerRequest,
  type WorkerStatus,
} from "./function-protocol.ts";
import { lambdaContext } from "./lambda-context.ts";

function failureOf(error: unknown): LambdaFailure {
  const thrown = error instanceof Error ? error : new Error(String(error));
  return { errorType: thrown.name, errorMessage: thrown.message, trace: thrown.stack?.split("\n") ?? [] };
}

const { functionName, bundlePath, timeoutMs } = workerData as WorkerData;
const port = parentPort;
if (!port) throw new Error("function-worker runs only as a worker thread");

try {
  const { handler } = (await import(pathToFileURL(bundlePath).href)) as {
    handler: (event: unknown, context: unknown) => Promise<unknown>;
  };
  port.on("message", async ({ id, event, traceHeader }: WorkerRequest) => {
    // The X-Ray SDK reads the current invocation's trace from here; one invocation at a time per instance.
    if (traceHeader) process.env._X_AMZN_TRACE_ID = traceHeader;
    let reply: WorkerReply;
    try {
      reply = { id, result: await handler(event, lambdaContext(functionName, timeoutMs)) };
    } catch (error) {
      reply = { id, failure: failureOf(error) };
    }
    // Output travels to the engine on its own stream; this line, after the invocation's last one, lets the
    // engine finish the invocation only once its logs and metrics have all arrived.
    process.stdout.write(`${invocationEndMarker(id)}\n`);
    port.postMessage(reply);
  });
  port.postMessage({ ready: true } satisfies WorkerStatus);
} catch (error) {
  // Like Lambda's Runtime.ImportModuleError: configuration read at cold start failed, every invocation fails.
  port.postMessage({ initFailure: failureOf(error) } satisfies WorkerStatus);
}
