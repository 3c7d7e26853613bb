// Why the local engine could not start. Each message names the cause and what to do about it, so
// `npm start` prints it alone, without a stack trace.
export class EngineStartError extends Error {
  override name = "EngineStartError";
}

/** No Java on PATH (or JAVA_HOME), or one older than DynamoDB Local runs on. */
export class JavaUnavailableError extends EngineStartError {
  override name = "JavaUnavailableError";
}

/** Another engine holds the state directory's lock. */
export class StateDirectoryInUseError extends EngineStartError {
  override name = "StateDirectoryInUseError";
}

/** A file the engine kept from an earlier run cannot be read back. */
export class CorruptStateError extends EngineStartError {
  override name = "CorruptStateError";
}

/** A configured port is taken, or not a port at all. */
export class PortUnavailableError extends EngineStartError {
  override name = "PortUnavailableError";
}
