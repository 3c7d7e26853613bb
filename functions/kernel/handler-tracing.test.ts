// What a traced invocation sends to X-Ray about its response: nothing, unless the stack's traceResponses
// sets POWERTOOLS_TRACER_CAPTURE_RESPONSE to "true". A pipeline function runs from its bundle in a worker,
// with the variables Lambda sets for a traced function; its X-Ray SDK sends to the daemon stand-in.
import { afterAll, describe, expect, it, vi } from "vitest";
import { newSegmentId, newTraceId, startXRayDaemon, type TraceDocument } from "../../local/xray-daemon.ts";
import { startBundledFunction } from "../../tests/support/bundled-function.ts";
import { PIPELINE_FUNCTION_ANSWER } from "../../tests/support/pipeline-function.ts";

const daemon = await startXRayDaemon();
const documents: TraceDocument[] = [];
daemon.onDocument((document) => documents.push(document));
afterAll(() => daemon.stop());

const input = {
  action_intent_id: "intent-traced",
  tenant_id: "tenant-1",
  account_id: "account-1",
  execution_trace_id: "trace-1",
};

/** One sampled invocation of a function cold-started with `environment`; its handler subsegment. */
async function tracedInvocation(environment: Record<string, string>): Promise<TraceDocument> {
  const fn = await startBundledFunction("tests/support/pipeline-function.ts", {
    AWS_REGION: "us-east-1",
    POWERTOOLS_SERVICE_NAME: "pipeline-function",
    // Lambda sets these; without them the tracer is a no-op (TOOLCHAIN.md, Powertools locally).
    AWS_EXECUTION_ENV: "AWS_Lambda_nodejs24.x",
    LAMBDA_TASK_ROOT: "/var/task",
    _HANDLER: "index.handler",
    AWS_XRAY_DAEMON_ADDRESS: daemon.address,
    AWS_XRAY_CONTEXT_MISSING: "IGNORE_ERROR",
    ...environment,
  });
  try {
    const traceId = newTraceId();

    await expect(fn.invoke(input, `Root=${traceId};Parent=${newSegmentId()};Sampled=1`)).resolves.toEqual(
      PIPELINE_FUNCTION_ANSWER,
    );

    return await vi.waitFor(() => {
      const subsegment = documents.find((doc) => doc.trace_id === traceId && doc.name === "## index.handler");
      if (!subsegment) throw new Error("the handler subsegment has not arrived");
      return subsegment;
    });
  } finally {
    await fn.stop();
  }
}

describe("a handler's trace", () => {
  it("keeps the response out of X-Ray when the variable is not set", async () => {
    const subsegment = await tracedInvocation({});

    expect(subsegment.annotations).toMatchObject({ action_intent_id: "intent-traced" });
    expect(JSON.stringify(subsegment.metadata ?? {})).not.toContain("response");
  });

  it('keeps it out when traceResponses is off ("false")', async () => {
    const subsegment = await tracedInvocation({ POWERTOOLS_TRACER_CAPTURE_RESPONSE: "false" });

    expect(subsegment.annotations).toMatchObject({ action_intent_id: "intent-traced" });
    expect(JSON.stringify(subsegment.metadata ?? {})).not.toContain("response");
  });

  it('records it as metadata when traceResponses is on ("true")', async () => {
    const subsegment = await tracedInvocation({ POWERTOOLS_TRACER_CAPTURE_RESPONSE: "true" });

    expect(subsegment.metadata).toEqual({
      "pipeline-function": { "index.handler response": PIPELINE_FUNCTION_ANSWER },
    });
  });
});
