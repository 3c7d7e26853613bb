export const localRegion = "us-east-1";
/** s3rver accepts only its built-in account; DynamoDB Local and the stand-ins accept anything. */
export const localCredentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
/** The bus the functions under test publish signals to (EVENT_BUS_NAME). */
export const testEventBus = "engine-tests";
