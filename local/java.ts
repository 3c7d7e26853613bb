// DynamoDB Local is a Java program. Which `java` runs it, checked before anything starts, so a machine
// without a fitting Java hears what to install instead of `spawn java ENOENT`.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { JavaUnavailableError } from "./start-errors.ts";

/**
 * DynamoDB Local 2.6.0 and newer (the package ships 3.x) runs on Java 17 or newer only.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DynamoDBLocal.DownloadingAndRunning.html
 */
export const MIN_JAVA_MAJOR = 17;

const needs = `DynamoDB Local needs Java ${MIN_JAVA_MAJOR} or newer`;
const whatToDo = `install a JRE (Debian: apt-get install openjdk-${MIN_JAVA_MAJOR}-jre-headless; macOS: brew install openjdk@${MIN_JAVA_MAJOR}) or set JAVA_HOME to one`;

/** The major version in `java -version` output: `"17.0.15"` is 17, the old scheme's `"1.8.0_392"` is 8. */
export function javaMajorOf(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(versionOutput);
  if (!match) return undefined;
  const major = Number(match[1]);
  return major === 1 && match[2] !== undefined ? Number(match[2]) : major;
}

/** The `java` to run DynamoDB Local with: `$JAVA_HOME/bin/java` when JAVA_HOME is set, else `java` on PATH. */
export function javaForDynamoDbLocal(env: NodeJS.ProcessEnv = process.env): string {
  const command = env.JAVA_HOME ? join(env.JAVA_HOME, "bin", "java") : "java";
  const where = env.JAVA_HOME ? `JAVA_HOME (${command})` : "PATH";
  const probe = spawnSync(command, ["-version"], { env, encoding: "utf8", timeout: 20_000 });
  if (probe.error) {
    const code = (probe.error as NodeJS.ErrnoException).code;
    throw new JavaUnavailableError(
      code === "ENOENT"
        ? `${needs}, and there is no java on ${where}: ${whatToDo}`
        : `${needs}, and \`${command} -version\` failed (${probe.error.message}): ${whatToDo}`,
      { cause: probe.error },
    );
  }
  const output = `${probe.stderr}${probe.stdout}`;
  const major = javaMajorOf(output);
  if (major === undefined) {
    const said = output.trim().split("\n")[0] || `no output, exit ${probe.status}`;
    throw new JavaUnavailableError(`${needs}, and \`${command} -version\` named no version (${said}): ${whatToDo}`);
  }
  if (major < MIN_JAVA_MAJOR) {
    throw new JavaUnavailableError(`${needs}, but the java on ${where} is Java ${major}: ${whatToDo}`);
  }
  return command;
}
