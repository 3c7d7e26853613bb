// IAM in front of s3rver, which checks only that a request's access key exists. Path-style requests
// (`/bucket/key`, as the functions send them) are read into the S3 action and the bucket or object ARN IAM
// checks; a refused request gets S3's 403 AccessDenied XML and never reaches the store.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
import { localArns } from "./arns.ts";
import type { LocalIam } from "./authorizer.ts";
import type { IamRequest } from "./evaluate.ts";
import type { RequestGuard } from "./guard-proxy.ts";
import { s3Refusal } from "./refusals.ts";
import type { SignedRequest } from "./sigv4.ts";

/** S3 actions by method, then by the subresource in the query that changes them. */
type ActionsByMethod = Record<string, { default: string } & Record<string, string>>;

const objectActions: ActionsByMethod = {
  GET: { default: "GetObject", versionId: "GetObjectVersion", tagging: "GetObjectTagging", acl: "GetObjectAcl" },
  HEAD: { default: "GetObject", versionId: "GetObjectVersion" },
  PUT: { default: "PutObject", tagging: "PutObjectTagging", acl: "PutObjectAcl" },
  POST: { default: "PutObject", restore: "RestoreObject" },
  DELETE: {
    default: "DeleteObject",
    versionId: "DeleteObjectVersion",
    tagging: "DeleteObjectTagging",
    uploadId: "AbortMultipartUpload",
  },
};

const bucketActions: ActionsByMethod = {
  GET: {
    default: "ListBucket",
    location: "GetBucketLocation",
    versions: "ListBucketVersions",
    uploads: "ListBucketMultipartUploads",
  },
  HEAD: { default: "ListBucket" },
  PUT: { default: "CreateBucket" },
  DELETE: { default: "DeleteBucket" },
  POST: { default: "DeleteObject" },
};

function actionFor(table: ActionsByMethod, method: string, query: URLSearchParams) {
  const actions = table[method];
  if (!actions) return undefined;
  const subresource = Object.keys(actions).find((name) => name !== "default" && query.has(name));
  return `s3:${subresource ? actions[subresource] : actions.default}`;
}

/** What IAM checks for one path-style S3 request. */
export function s3Permissions(request: SignedRequest): IamRequest[] {
  const url = new URL(request.url, "http://local");
  const [bucket, ...keyParts] = url.pathname.slice(1).split("/").map(decodeURIComponent);
  if (!bucket) return [{ action: "s3:ListAllMyBuckets", resource: "*" }];
  const key = keyParts.join("/");
  if (key) {
    const action = actionFor(objectActions, request.method, url.searchParams) ?? `s3:${request.method}Object`;
    const permissions = [{ action, resource: localArns.object(bucket, key) }];
    const copySource = request.headers["x-amz-copy-source"];
    if (typeof copySource === "string") {
      const source = decodeURIComponent(copySource.replace(/^\//, "").split("?")[0] ?? "");
      permissions.push({ action: "s3:GetObject", resource: `arn:aws:s3:::${source}` });
    }
    return permissions;
  }
  if (request.method === "POST" && url.searchParams.has("delete")) {
    // DeleteObjects is authorized as s3:DeleteObject on each key it names.
    const keys = [...request.body.toString("utf8").matchAll(/<Key>([^<]*)<\/Key>/g)].map((match) => match[1] ?? "");
    return keys.map((name) => ({ action: "s3:DeleteObject", resource: localArns.object(bucket, name) }));
  }
  const action = actionFor(bucketActions, request.method, url.searchParams) ?? `s3:${request.method}Bucket`;
  return [{ action, resource: localArns.bucket(bucket) }];
}

/** IAM in front of s3rver at `upstream`, with S3's refusals. */
export function s3Guard(upstream: string, iam: LocalIam): RequestGuard {
  return { upstream, judge: async (request) => s3Refusal(await iam.authorize(request, s3Permissions(request))) };
}
