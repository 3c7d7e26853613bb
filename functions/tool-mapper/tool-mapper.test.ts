import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { RegistryEntry } from "#schemas/records.ts";
import { lambdaContext, seedIntent, seedRegistryEntry, uniqueTenant } from "../../tests/support/fixtures.ts";
import { handler, MAX_TOOL_ARGUMENTS_BYTES } from "./handler.ts";
import { resolvePointer } from "./parameter-mapping.ts";

const map = (input: Record<string, unknown>) => handler(input as never, lambdaContext("tool-mapper"));

function registryEntry(overrides: Partial<RegistryEntry> = {}): RegistryEntry {
  return {
    action_type: `ACTION_${randomUUID().slice(0, 8)}`,
    registry_version: 1,
    tool_name: "crm.create_task",
    tool_schema_version: "1.0",
    parameter_mapping: {
      title: { from: "/parameters/title" },
      account_id: { from: "/account_id" },
      priority: { from: "/parameters/priority", default: "normal" },
      source: { value: "action-execution-engine" },
    },
    compensation_strategy: "AUTOMATIC",
    compensation_tool_name: "crm.delete_task",
    ...overrides,
  };
}

async function mapperInputFor(entry: RegistryEntry, parameters: Record<string, unknown>) {
  const intent = await seedIntent({
    tenant_id: uniqueTenant(),
    action_type: entry.action_type,
    registry_version: entry.registry_version,
    parameters,
  });
  return {
    action_intent_id: intent.action_intent_id,
    tenant_id: intent.tenant_id,
    account_id: intent.account_id,
    execution_trace_id: "trace-1",
    action_type: entry.action_type,
    registry_version: entry.registry_version,
    idempotency_key: "key-1",
  };
}

describe("tool-mapper", () => {
  it("maps the intent to the tool call its registry version names", async () => {
    const entry = await seedRegistryEntry(registryEntry());
    await seedRegistryEntry(
      registryEntry({ action_type: entry.action_type, registry_version: 2, tool_name: "crm.create_task_v2" }),
    );
    const input = await mapperInputFor(entry, { title: "Renewal call", unmapped: "never sent" });

    const output = await map(input);

    expect(output).toEqual({
      tool_name: "crm.create_task",
      tool_schema_version: "1.0",
      tool_arguments: {
        title: "Renewal call",
        account_id: "account-1",
        priority: "normal",
        source: "action-execution-engine",
        idempotency_key: "key-1",
      },
      compensation: { strategy: "AUTOMATIC", tool_name: "crm.delete_task" },
    });
  });

  it("names the tool argument the intent cannot supply", async () => {
    const entry = await seedRegistryEntry(registryEntry());
    const input = await mapperInputFor(entry, {});

    await expect(map(input)).rejects.toMatchObject({
      name: "ValidationError",
      message: expect.stringContaining("title (from /parameters/title)"),
    });
  });

  it("fails with RegistryEntryNotFoundError for a version the registry does not hold", async () => {
    const entry = await seedRegistryEntry(registryEntry());
    const input = await mapperInputFor({ ...entry, registry_version: 9 }, { title: "x" });

    await expect(map(input)).rejects.toMatchObject({
      name: "RegistryEntryNotFoundError",
      message: expect.stringContaining(`${entry.action_type} at registry version 9`),
    });
  });

  it("rejects tool arguments over 200 KB", async () => {
    const entry = await seedRegistryEntry(registryEntry());
    const input = await mapperInputFor(entry, { title: "x".repeat(MAX_TOOL_ARGUMENTS_BYTES) });

    await expect(map(input)).rejects.toMatchObject({
      name: "ValidationError",
      message: expect.stringContaining("byte limit"),
    });
  });

  it("rejects a registry entry that breaks its contract, naming the field", async () => {
    const entry = await seedRegistryEntry({ ...registryEntry(), compensation_tool_name: undefined } as RegistryEntry);
    const input = await mapperInputFor(entry, { title: "x" });

    await expect(map(input)).rejects.toMatchObject({
      name: "ValidationError",
      message: expect.stringContaining("compensation_tool_name"),
    });
  });

  it("fails with IntentNotFoundError when the intent is gone", async () => {
    const entry = await seedRegistryEntry(registryEntry());
    const input = await mapperInputFor(entry, { title: "x" });

    await expect(map({ ...input, tenant_id: uniqueTenant() })).rejects.toMatchObject({ name: "IntentNotFoundError" });
  });

  it("rejects input missing the registry version, naming it", async () => {
    await expect(
      map({
        action_intent_id: "i",
        tenant_id: "t",
        account_id: "a",
        execution_trace_id: "x",
        action_type: "X",
        idempotency_key: "k",
      }),
    ).rejects.toMatchObject({ name: "ValidationError", message: expect.stringContaining("/registry_version") });
  });
});

describe("resolvePointer", () => {
  it("follows RFC 6901 escapes and stops at missing steps", () => {
    const document = { parameters: { "a/b": { "c~d": 1 } } };

    expect(resolvePointer(document, "/parameters/a~1b/c~0d")).toBe(1);
    expect(resolvePointer(document, "/parameters/missing/deeper")).toBeUndefined();
  });
});
