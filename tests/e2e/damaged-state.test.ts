// State kept from an earlier run that cannot be read back fails the start with a message naming the file
// and `--fresh`, instead of a stack trace or a 30-second wait, and leaves the directory unlocked.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startDynamoDbLocal } from "../../local/dynamodb-local.ts";
import { startLocalEngine } from "../../local/engine.ts";
import { CorruptStateError } from "../../local/start-errors.ts";
import { LOCK_FILE } from "../../local/state-directory.ts";

describe("damaged state at start", () => {
  it("names a signing key that is not a key, and --fresh", async () => {
    // Prepare
    const directory = mkdtempSync(join(tmpdir(), "damaged-key-"));
    writeFileSync(join(directory, "jwt-signing-key.json"), '{"kty":"EC"}\n');

    // Act
    const starting = startLocalEngine({ stateDirectory: directory });

    // Assess
    await expect(starting).rejects.toThrow(CorruptStateError);
    await expect(starting).rejects.toThrow(
      `${join(directory, "jwt-signing-key.json")} does not hold an RSA private JWK: delete it, or start on empty state with \`npm start -- --fresh\``,
    );
    expect(existsSync(join(directory, LOCK_FILE))).toBe(false);
  });

  it("names a telemetry file with a damaged line", async () => {
    // Prepare
    const directory = mkdtempSync(join(tmpdir(), "damaged-metrics-"));
    writeFileSync(join(directory, "metrics.jsonl"), "{}\n{oops\n");

    // Act
    const starting = startLocalEngine({ stateDirectory: directory, dynamodbEndpoint: "http://127.0.0.1:9" });

    // Assess
    await expect(starting).rejects.toThrow(/metrics\.jsonl line 2 is not JSON .*npm start -- --fresh/);
  });

  it("says DynamoDB Local cannot read the database kept in the directory, at once", async () => {
    // Prepare
    const directory = join(mkdtempSync(join(tmpdir(), "damaged-dynamodb-")), "dynamodb");
    mkdirSync(directory);
    writeFileSync(join(directory, "shared-local-instance.db"), "not a SQLite database ".repeat(400));

    // Act
    const starting = startDynamoDbLocal({ directory });

    // Assess
    await expect(starting).rejects.toThrow(CorruptStateError);
    await expect(starting).rejects.toThrow(
      new RegExp(
        `DynamoDB Local cannot read the tables kept in ${directory} \\(.*not a database.*npm start -- --fresh`,
      ),
    );
  }, 60_000);
});
