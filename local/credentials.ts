// The credentials of every caller that is not a function (upstream, operators, tests, the benchmark, the
// operator CLI): local IAM lets them do anything, and s3rver knows them as its built-in account. In a
// module of its own so a client needs no more than this to reach the local engine.
export const LOCAL_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
