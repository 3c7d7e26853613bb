// What the engine and a function worker say to each other (see function-worker.ts and function-workers.ts).
export interface WorkerData {
  functionName: string;
  bundlePath: string;
  timeoutMs: number;
}

/** `traceHeader` is what Lambda puts in `_X_AMZN_TRACE_ID` for one invocation. */
export type WorkerRequest = { id: number; event: unknown; traceHeader?: string };
export type LambdaFailure = { errorType: string; errorMessage: string; trace: string[] };
export type WorkerReply = { id: number; result: unknown } | { id: number; failure: LambdaFailure };
export type WorkerStatus = { ready: true } | { initFailure: LambdaFailure };

export const invocationEndMarker = (id: number) => `\u0000invocation-end:${id}`;
