// The handler's X-Ray subsegment, for every pipeline. Powertools' captureLambdaHandler stores each response
// as trace metadata unless told not to: its `captureResponse` option defaults to true, and
// POWERTOOLS_TRACER_CAPTURE_RESPONSE can only turn capture off, never leave it off by default. Responses
// carry intent parameters and tool results, and one over X-Ray's 64 KB document limit loses the whole
// subsegment, so here capture is off unless the stack's `traceResponses` sets that variable to "true".
import { captureLambdaHandler } from "@aws-lambda-powertools/tracer/middleware";
import { flagEnv } from "./config.ts";
import { tracer } from "./powertools.ts";

export function traceHandler() {
  return captureLambdaHandler(tracer, { captureResponse: flagEnv("POWERTOOLS_TRACER_CAPTURE_RESPONSE", false) });
}
