// The one low-level DynamoDB client per container, traced. Functions that need only item operations by
// attribute value (the idempotency layer) take it without the document client's marshalling code; the
// document client wraps this same instance, so both share one connection pool and one middleware stack.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { tracer } from "../powertools.ts";

export const dynamoDbClient = tracer.captureAWSv3Client(new DynamoDBClient({}));
