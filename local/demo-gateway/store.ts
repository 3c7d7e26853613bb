// The in-memory "external systems" behind the demo gateway (CRM, calendar, notes), plus the idempotency
// record that makes every tool call with a known idempotency key replay its first outcome instead of acting again.
import { randomUUID } from "node:crypto";

/** How a tool result names an object it wrote in an external system. */
export type ExternalObjectRef = {
  system: string;
  object_type: string;
  object_id: string;
  object_url: string;
};

export type ObjectKind = Pick<ExternalObjectRef, "system" | "object_type">;

export type StoredObject = ExternalObjectRef & {
  /** The key of the call that created the object. */
  idempotency_key: string;
  attributes: Record<string, unknown>;
  created_at: string;
  deleted: boolean;
  deleted_at: string | null;
};

export interface ObjectStore {
  create(kind: ObjectKind, idempotencyKey: string, attributes: Record<string, unknown>): StoredObject;
  /** The live or deleted object of that kind, or undefined when the id is unknown or of another kind. */
  find(kind: ObjectKind, objectId: string): StoredObject | undefined;
  markDeleted(object: StoredObject): void;
  list(): StoredObject[];
  /**
   * Runs `act` the first time a (tool, idempotency key) pair is seen and returns its outcome; later calls
   * return that same outcome without acting. `act` must be synchronous, so two concurrent calls cannot both act.
   * A store made with `deduplicate: false` acts on every call.
   */
  once<T>(toolName: string, idempotencyKey: string, act: () => T): T;
  clear(): void;
}

export function refOf(object: StoredObject): ExternalObjectRef {
  const { system, object_type, object_id, object_url } = object;
  return { system, object_type, object_id, object_url };
}

/** `objectUrlBase` is where the gateway serves each object by id, so every `object_url` resolves. */
export function createObjectStore(objectUrlBase: string, { deduplicate = true } = {}): ObjectStore {
  const objects = new Map<string, StoredObject>();
  const outcomes = new Map<string, unknown>();

  return {
    create(kind, idempotencyKey, attributes) {
      const objectId = `${kind.system}-${kind.object_type}-${randomUUID()}`;
      const object: StoredObject = {
        ...kind,
        object_id: objectId,
        object_url: `${objectUrlBase}/${objectId}`,
        idempotency_key: idempotencyKey,
        attributes,
        created_at: new Date().toISOString(),
        deleted: false,
        deleted_at: null,
      };
      objects.set(objectId, object);
      return object;
    },
    find(kind, objectId) {
      const object = objects.get(objectId);
      return object?.system === kind.system && object.object_type === kind.object_type ? object : undefined;
    },
    markDeleted(object) {
      object.deleted = true;
      object.deleted_at = new Date().toISOString();
    },
    // Copies, so a caller holding a listing sees it as it was, not later deletions.
    list: () => [...objects.values()].map((object) => structuredClone(object)),
    once<T>(toolName: string, idempotencyKey: string, act: () => T): T {
      if (!deduplicate) return act();
      // JSON.stringify of the pair cannot collide the way "tool:key" could when a key contains the separator.
      const recordKey = JSON.stringify([toolName, idempotencyKey]);
      if (outcomes.has(recordKey)) return outcomes.get(recordKey) as T;
      const outcome = act();
      outcomes.set(recordKey, outcome);
      return outcome;
    },
    clear() {
      objects.clear();
      outcomes.clear();
    },
  };
}
