// How a recorder ends on a FAILED outcome: RecordOutcome and RecordFailure both leave through the state
// machine's Catch on OutcomeFailedError into ActionFailed, so neither needs a Choice on the recorded status.
import { OutcomeFailedError } from "#kernel/errors.ts";
import type { RecordedOutcome } from "#schemas/states.ts";

/**
 * A FAILED outcome, once recorded (or replayed, or left to the execution that owns the intent), leaves as
 * OutcomeFailedError so the state machine's `Catch` ends the execution in Fail; it is thrown after recording,
 * on every replay too, and is never retried. A SUCCEEDED outcome is answered: the execution ends there.
 */
export function endFailedOutcome(outcome: RecordedOutcome): RecordedOutcome {
  if (outcome.status !== "FAILED") return outcome;
  const code = outcome.error_code ?? "no error code";
  const what = outcome.recorded
    ? `the outcome was recorded as FAILED (${code})`
    : `the failure (${code}) was not recorded: another execution owns the intent's record`;
  throw new OutcomeFailedError(what, { errorClass: outcome.error_class ?? "UNKNOWN" });
}
