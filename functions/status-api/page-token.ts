// The list route's `next_token`: the by_account query's LastEvaluatedKey as base64url JSON. The token is
// opaque to callers but not secret, so a token coming back is only used once it has been rebuilt from
// the key builders for the caller's own tenant and account: a token from another tenant's or account's
// page, or one edited by hand, is refused instead of steering the query.
import { keys } from "#kernel/data-layout.ts";

type PageKey = Record<string, unknown>;

export function encodePageToken(lastKey: PageKey): string {
  return Buffer.from(JSON.stringify(lastKey), "utf8").toString("base64url");
}

/** The ExclusiveStartKey a token stands for, or undefined when it is not a page of this tenant's account. */
export function decodePageToken(token: string, tenantId: string, accountId: string): PageKey | undefined {
  const decoded = parseJson(Buffer.from(token, "base64url").toString("utf8"));
  if (typeof decoded !== "object" || decoded === null || Array.isArray(decoded)) return undefined;
  const fields = decoded as PageKey;
  if (typeof fields.sk !== "string" || typeof fields.gsi1sk !== "string") return undefined;

  const actionIntentId = fields.sk.startsWith("EXECUTION#") ? fields.sk.slice("EXECUTION#".length) : "";
  const suffix = `#${actionIntentId}`;
  if (actionIntentId === "" || !fields.gsi1sk.endsWith(suffix)) return undefined;
  const startedAt = fields.gsi1sk.slice(0, -suffix.length);
  if (startedAt === "") return undefined;

  const expected: PageKey = {
    ...keys.execution(tenantId, actionIntentId),
    ...keys.executionByAccount(tenantId, accountId, startedAt, actionIntentId),
  };
  const sameKey =
    Object.keys(fields).length === Object.keys(expected).length &&
    Object.entries(expected).every(([name, value]) => fields[name] === value);
  return sameKey ? expected : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
