import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { tracer } from "../powertools.ts";

export const eventBridgeClient = tracer.captureAWSv3Client(new EventBridgeClient({}));
