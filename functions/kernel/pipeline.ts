// The one way a state-machine Lambda is built: Tracer -> Logger -> Metrics, then contract errors,
// input/output validation against precompiled schemas, and log/trace correlation on the intent.
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy, { type MiddlewareObj } from "@middy/core";
import validator from "@middy/validator";
import type { ValidateFunction } from "ajv";
import type { Context } from "aws-lambda";
import { correlate } from "./correlation.ts";
import { describeSchemaErrors, PermanentError, toStateError, ValidationError } from "./errors.ts";
import { traceHandler } from "./handler-tracing.ts";
import { middyOptions } from "./middy-options.ts";
import { logger, metrics } from "./powertools.ts";

export interface StateContract {
  readonly input: ValidateFunction;
  readonly output: ValidateFunction;
}

/**
 * Gives every error leaving the handler the name the state machine matches on: @middy/validator's HTTP
 * errors become ValidationError (input) or PermanentError (our own output broke its contract), and
 * retryable AWS SDK failures become TransientError.
 */
function stateMachineErrors(): MiddlewareObj {
  return {
    onError: (request) => {
      const error = request.error;
      if (!error) return;
      const cause = error.cause as { package?: string; data?: Parameters<typeof describeSchemaErrors>[0] } | undefined;
      if (cause?.package === "@middy/validator") {
        const isInput = (error as { statusCode?: number }).statusCode === 400;
        const detail = describeSchemaErrors(cause.data);
        request.error = isInput
          ? new ValidationError(`input rejected: ${detail}`, { cause: cause.data })
          : new PermanentError(`output breaks its contract: ${detail}`, { cause: cause.data, errorClass: "UNKNOWN" });
        return;
      }
      request.error = toStateError(error);
    },
  };
}

export function statePipeline<TInput, TOutput>(
  contract: StateContract,
  handle: (input: TInput, context: Context) => Promise<TOutput>,
) {
  return (
    middy<TInput, TOutput>(middyOptions)
      .use(traceHandler())
      .use(injectLambdaContext(logger, { resetKeys: true }))
      .use(logMetrics(metrics, { captureColdStartMetric: true }))
      .use(stateMachineErrors())
      // @middy/validator's typings name Ajv, but at run time it takes compiled validate functions.
      .use(validator({ eventSchema: contract.input as never, responseSchema: contract.output as never }))
      .use({ before: (request) => correlate(request.event) })
      .handler(handle)
  );
}
