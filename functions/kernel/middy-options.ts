// How every handler's Middy instance is made.

/**
 * Timeouts are Lambda's to report: Step Functions then receives `Sandbox.Timedout`, which the failure
 * recorder classifies TIMEOUT, and API Gateway answers 504. Middy's early timeout would race every
 * invocation against a timer (a measurable share of the pipeline's warm overhead in `npm run bench`) to
 * replace that with an unclassified TimeoutError while the handler's work runs on.
 */
export const middyOptions = { timeoutEarlyInMillis: 0 } as const;
