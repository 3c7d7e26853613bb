// The CLI's two kinds of refusal, told apart by their exit code: a command line that cannot be run as
// written (2, with the command's usage), and an operation that was tried and failed (1).

export abstract class CliError extends Error {
  abstract readonly exitCode: number;
}

/** Wrong or missing arguments; nothing was done. */
export class UsageError extends CliError {
  override name = "UsageError";
  readonly exitCode = 2;
}

/** The command ran and could not do what was asked: a refused write, an unreachable engine, a broken link. */
export class OperationError extends CliError {
  override name = "OperationError";
  readonly exitCode = 1;
}
