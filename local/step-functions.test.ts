// The engine's aws-local-stepfunctions (step-functions.ts) answers every JSONPath query as jsonpath-plus
// itself does, scalars included, and runs a definition's paths with it.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { evaluateJsonPath, StateMachine } from "./step-functions.ts";

const { JSONPath } = createRequire(createRequire(import.meta.url).resolve("aws-local-stepfunctions"))(
  "jsonpath-plus",
) as { JSONPath: (options: object) => unknown };

const document = {
  intent: { id: "intent-1", attempts: 2, approved: true, note: null, tags: ["a", "b"], nested: { deep: [{ x: 1 }] } },
};

describe("JSONPath queries without jsonpath-plus's thrown NewError", () => {
  it.each([
    "$.intent.id",
    "$.intent.attempts",
    "$.intent.approved",
    "$.intent.note",
    "$.intent.tags",
    "$.intent.tags[1]",
    "$.intent.nested",
    "$.intent.nested.deep[0].x",
    "$.intent.missing",
    "$..x",
    "$",
  ])("answers %s as jsonpath-plus does", (path) => {
    const options = { path, json: document, wrap: false };

    expect(evaluateJsonPath(options)).toEqual(JSONPath(options));
  });

  it("runs a definition's Parameters, Choice rules and context paths", async () => {
    const machine = new StateMachine({
      StartAt: "Shape",
      States: {
        Shape: {
          Type: "Pass",
          Parameters: { "id.$": "$.intent.id", "attempts.$": "$.intent.attempts", "execution.$": "$$.Execution.Id" },
          Next: "Approved",
        },
        Approved: {
          Type: "Choice",
          Choices: [{ Variable: "$.attempts", NumericGreaterThan: 1, Next: "Done" }],
          Default: "Done",
        },
        Done: { Type: "Succeed" },
      },
    });

    const result = await machine.run(document, { context: { Execution: { Id: "execution-1" } } as never }).result;

    expect(result).toEqual({ id: "intent-1", attempts: 2, execution: "execution-1" });
  });
});
