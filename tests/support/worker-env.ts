// Runs in each test worker before a test file is imported: points the functions' standard AWS SDK
// configuration at the local engines and names the tables, as Lambda configuration would.
import { inject } from "vitest";
import { tableEnvironment, tableNamesFor } from "../../local/tables.ts";
import { localCredentials, localRegion, testEventBus } from "./local-aws.ts";

Object.assign(process.env, {
  AWS_REGION: localRegion,
  AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
  AWS_ENDPOINT_URL_DYNAMODB: inject("dynamodbEndpoint"),
  POWERTOOLS_SERVICE_NAME: "engine-tests",
  POWERTOOLS_LOG_LEVEL: "WARN",
  POWERTOOLS_METRICS_DISABLED: "false",
  EVENT_BUS_NAME: testEventBus,
  ...tableEnvironment(tableNamesFor(inject("tablePrefix"))),
});
