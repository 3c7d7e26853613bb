// A fault profile: the faults the local engine injects where the real services would fail (on the wire in
// front of DynamoDB, S3, Secrets Manager, EventBridge and the MCP gateway, and in the Lambda function host),
// each with a rate, a target and a window. Read by local/faults/profile.ts from JSON or YAML; compiled when
// loaded, like the state machine template's schema, since nothing deployed reads it. Which targets exist
// (functions, tables, tools) is checked against the catalog and the stack after this schema passes.

const millis = { type: "integer", minimum: 0, maximum: 3_600_000 } as const;

/** The kinds each service can play, as that service reports them to an AWS SDK or MCP client. */
export const faultKindsByService = {
  /** In the function host: the sandbox dies, Lambda throttles the invocation, or the function times out. */
  lambda: ["crash", "throttle", "timeout"],
  /** ProvisionedThroughputExceededException, ThrottlingException, InternalServerError (500), a transaction
   * cancelled with TransactionConflict, or added latency. */
  dynamodb: ["throttle", "throttling-exception", "server-error", "transaction-conflict", "latency"],
  /** SlowDown (503), InternalError (500), latency. */
  s3: ["throttle", "server-error", "latency"],
  /** ThrottlingException, InternalServiceError (500), latency. */
  secretsmanager: ["throttle", "server-error", "latency"],
  /** ThrottlingException, InternalException (500), latency. */
  eventbridge: ["throttle", "server-error", "latency"],
  /** HTTP 429, a 5xx burst, latency (past the tool timeout when long enough), a connection reset. */
  gateway: ["throttle", "server-error", "latency", "reset"],
} as const;

export type FaultService = keyof typeof faultKindsByService;

const services = Object.keys(faultKindsByService) as FaultService[];

const kindRules = services.map((service) => ({
  if: { properties: { service: { const: service } }, required: ["service"] },
  // biome-ignore lint/suspicious/noThenProperty: "then" is the JSON Schema keyword here.
  then: { properties: { kind: { enum: [...faultKindsByService[service]] } } },
}));

export const FaultSchema = {
  type: "object",
  required: ["service", "kind", "rate"],
  additionalProperties: false,
  properties: {
    name: { type: "string", minLength: 1, maxLength: 80, description: "a label for the figures" },
    service: { type: "string", enum: services },
    kind: {
      type: "string",
      enum: [...new Set(Object.values(faultKindsByService).flat())],
    },
    target: {
      type: "string",
      minLength: 1,
      description:
        "lambda: a function id; dynamodb: a table (intents, executions, ...); s3: the bucket (artifacts); " +
        "secretsmanager: the secret (gateway-client-secret); eventbridge: the bus (engine); gateway: a tool " +
        "name. Absent: every one.",
    },
    function: {
      type: "string",
      minLength: 1,
      description: "only requests made by this function (wire services); absent: any function",
    },
    operation: {
      type: "string",
      minLength: 1,
      description: "only this operation, e.g. TransactWriteItems, PutObject, PutEvents, tools/call",
    },
    rate: { type: "number", minimum: 0, maximum: 1, description: "the share of matching requests that fail" },
    at: {
      type: "string",
      enum: ["before", "after"],
      description:
        "before (the default): the request fails before the service acts on it. after: the service acts " +
        "(the function ran, the item was written, the event delivered, the tool wrote), then the answer is lost",
    },
    latency_ms: { ...millis, description: "latency: the delay; other kinds: a delay before the failure" },
    status: { type: "integer", enum: [500, 502, 503, 504], description: "gateway server-error: the status" },
    window: {
      type: "object",
      additionalProperties: false,
      properties: {
        start_ms: { ...millis, description: "from when the profile was applied (default 0)" },
        duration_ms: { ...millis, minimum: 1, description: "how long it lasts (default: until cleared)" },
      },
    },
    limit: { type: "integer", minimum: 1, description: "at most this many injections" },
  },
  allOf: [
    ...kindRules,
    {
      if: { properties: { kind: { const: "latency" } }, required: ["kind"] },
      // biome-ignore lint/suspicious/noThenProperty: "then" is the JSON Schema keyword here.
      then: { required: ["latency_ms"] },
    },
    {
      if: { properties: { kind: { const: "transaction-conflict" } }, required: ["kind"] },
      // biome-ignore lint/suspicious/noThenProperty: "then" is the JSON Schema keyword here.
      then: { properties: { operation: { const: "TransactWriteItems" } } },
    },
    // A throttle or a conflict refuses the request: there is no "after" for them.
    {
      if: {
        properties: { kind: { enum: ["throttle", "throttling-exception", "transaction-conflict"] } },
        required: ["kind"],
      },
      // biome-ignore lint/suspicious/noThenProperty: "then" is the JSON Schema keyword here.
      then: { properties: { at: { const: "before" } } },
    },
  ],
} as const;

export const FaultProfileSchema = {
  $id: "FaultProfile",
  type: "object",
  required: ["faults"],
  additionalProperties: false,
  properties: {
    description: { type: "string" },
    seed: {
      type: "integer",
      minimum: 0,
      maximum: 4_294_967_295,
      description: "the same seed, requests and profile give the same faults",
    },
    faults: { type: "array", items: FaultSchema },
    chaos: {
      type: "object",
      description: "what `npm run chaos` expects of a batch run under this profile; the engine ignores it",
      additionalProperties: false,
      properties: {
        expect_alarms: {
          type: "array",
          uniqueItems: true,
          items: { type: "string", minLength: 1 },
          description: "the alarm ids that must go to ALARM during the run; every other alarm must stay OK",
        },
        gateway_deduplicates: {
          type: "boolean",
          description:
            "whether the demo gateway honours idempotency keys (default false: the engine's own exactly-once " +
            "is all there is). A tool call whose answer is lost after the tool wrote (gateway reset, latency " +
            "past the tool timeout) can be made exactly once only by a tool that honours the key",
        },
      },
    },
  },
} as const;
