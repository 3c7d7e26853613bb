// The conventions the state-machine template must keep, beyond what makes it valid ASL (asl-validator
// checks that): JSONPath only, every Lambda task behind a `${...Arn}` placeholder with a timeout and a
// retry policy, and no literal "$..." string where a `.$` key was meant (a seed defect: the value was
// passed as the literal text "$.action_intent_id").

const payloadTemplate = {
  type: "object",
  patternProperties: {
    "\\.\\$$": { type: "string", pattern: "^(\\$|States\\.)" },
    "^(?!.*\\.\\$$)": { $ref: "#/$defs/literal" },
  },
} as const;

const retrier = {
  type: "object",
  required: ["ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate"],
  properties: {
    ErrorEquals: { type: "array", items: { type: "string" }, minItems: 1 },
    IntervalSeconds: { type: "integer", minimum: 1 },
    MaxAttempts: { type: "integer", minimum: 0, maximum: 10 },
    BackoffRate: { type: "number", minimum: 1 },
    MaxDelaySeconds: { type: "integer", minimum: 1 },
    JitterStrategy: { enum: ["FULL", "NONE"] },
  },
  additionalProperties: false,
} as const;

const catcher = {
  type: "object",
  required: ["ErrorEquals", "Next"],
  properties: {
    ErrorEquals: { type: "array", items: { type: "string" }, minItems: 1 },
    ResultPath: { type: ["string", "null"] },
    Next: { type: "string" },
  },
  additionalProperties: false,
} as const;

const common = {
  Type: { type: "string" },
  Comment: { type: "string" },
  Next: { type: "string" },
  End: { const: true },
  InputPath: { type: ["string", "null"] },
  OutputPath: { type: ["string", "null"] },
  ResultPath: { type: ["string", "null"] },
} as const;

export const AslTemplateSchema = {
  type: "object",
  required: ["Comment", "StartAt", "States"],
  properties: {
    Comment: { type: "string" },
    StartAt: { type: "string" },
    QueryLanguage: { const: "JSONPath" },
    States: {
      type: "object",
      minProperties: 1,
      additionalProperties: {
        type: "object",
        required: ["Type"],
        properties: { Type: { enum: ["Task", "Choice", "Pass", "Succeed", "Fail"] } },
        allOf: [
          {
            if: { properties: { Type: { const: "Task" } } },
            // biome-ignore lint/suspicious/noThenProperty: "then" is the JSON Schema keyword here.
            then: {
              required: ["Resource", "Parameters", "TimeoutSeconds", "Retry"],
              properties: {
                ...common,
                Resource: { type: "string", pattern: "^\\$\\{[A-Za-z]+Arn\\}$" },
                Parameters: payloadTemplate,
                ResultSelector: payloadTemplate,
                TimeoutSeconds: { type: "integer", minimum: 1 },
                Retry: { type: "array", items: retrier, minItems: 1 },
                Catch: { type: "array", items: catcher },
              },
              additionalProperties: false,
            },
          },
          {
            if: { properties: { Type: { const: "Pass" } } },
            // biome-ignore lint/suspicious/noThenProperty: "then" is the JSON Schema keyword here.
            then: {
              properties: { ...common, Result: {}, Parameters: payloadTemplate },
              additionalProperties: false,
            },
          },
        ],
      },
    },
  },
  additionalProperties: false,
  $defs: {
    literal: {
      anyOf: [
        { type: ["number", "boolean", "null"] },
        { type: "string", not: { pattern: "^\\$" } },
        { type: "array", items: { $ref: "#/$defs/literal" } },
        payloadTemplate,
      ],
    },
  },
} as const;
