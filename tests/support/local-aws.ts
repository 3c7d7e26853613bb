export const localRegion = "us-east-1";
export const localCredentials = { accessKeyId: "local", secretAccessKey: "local" };
