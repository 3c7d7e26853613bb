// What a machine without a fitting Java hears at start: the check runs `java -version` from the PATH it
// is given, so a directory holding a fake `java` (or none) stands in for such a machine.
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startDynamoDbLocal } from "./dynamodb-local.ts";
import { javaForDynamoDbLocal, javaMajorOf } from "./java.ts";
import { JavaUnavailableError } from "./start-errors.ts";

/** A directory for PATH holding a `java` that prints `versionLine` as `java -version` does (on stderr). */
function fakeJava(versionLine: string): string {
  const directory = mkdtempSync(join(tmpdir(), "fake-java-"));
  const java = join(directory, "java");
  writeFileSync(java, `#!/bin/sh\necho '${versionLine}' >&2\necho 'Runtime Environment (fake)' >&2\n`);
  chmodSync(java, 0o755);
  return directory;
}

const install = /install a JRE \(Debian: apt-get install openjdk-17-jre-headless.*\) or set JAVA_HOME/;

describe("the Java check before DynamoDB Local starts", () => {
  it("names what to install when there is no java on PATH, instead of spawn java ENOENT", async () => {
    // Prepare
    const env = { PATH: mkdtempSync(join(tmpdir(), "no-java-")) };

    // Act
    const starting = startDynamoDbLocal({ env });

    // Assess
    await expect(starting).rejects.toThrow(JavaUnavailableError);
    await expect(starting).rejects.toThrow(/DynamoDB Local needs Java 17 or newer, and there is no java on PATH/);
    await expect(starting).rejects.toThrow(install);
  });

  it("refuses a Java older than 17, naming the version found", async () => {
    // Prepare
    const env = { PATH: fakeJava('openjdk version "11.0.22" 2024-01-16') };

    // Act
    const starting = startDynamoDbLocal({ env });

    // Assess
    await expect(starting).rejects.toThrow(/needs Java 17 or newer, but the java on PATH is Java 11: install a JRE/);
  });

  it("refuses Java 8, which reports itself as 1.8", () => {
    // Prepare
    const env = { PATH: fakeJava('java version "1.8.0_392"') };

    // Act, Assess
    expect(() => javaForDynamoDbLocal(env)).toThrow(/is Java 8:/);
  });

  it("looks in JAVA_HOME when it is set, and says so", () => {
    // Prepare
    const javaHome = mkdtempSync(join(tmpdir(), "empty-java-home-"));

    // Act, Assess
    expect(() => javaForDynamoDbLocal({ PATH: "", JAVA_HOME: javaHome })).toThrow(
      `there is no java on JAVA_HOME (${join(javaHome, "bin", "java")})`,
    );
  });

  it("accepts Java 17 and newer", () => {
    // Prepare
    const java17 = { PATH: fakeJava('openjdk version "17.0.15" 2025-04-15') };
    const java21 = { PATH: fakeJava('openjdk version "21" 2023-09-19') };

    // Act, Assess
    expect(javaForDynamoDbLocal(java17)).toBe("java");
    expect(javaForDynamoDbLocal(java21)).toBe("java");
  });

  it("says what it saw when `java -version` names no version", () => {
    // Prepare
    const env = { PATH: fakeJava("Error: could not find libjava.so") };

    // Act, Assess
    expect(() => javaForDynamoDbLocal(env)).toThrow(/named no version \(Error: could not find libjava.so\)/);
  });

  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['java version "1.8.0_392"', 8],
    ['openjdk version "21" 2023-09-19', 21],
    ['openjdk version "25-ea" 2025-09-16', 25],
    ['Picked up JAVA_TOOL_OPTIONS: -Xmx1g\nopenjdk version "11.0.2" 2019-01-15', 11],
    ["no version here", undefined],
  ])("reads the major version of %j as %s", (output, major) => {
    expect(javaMajorOf(output)).toBe(major);
  });
});
