import { DecodeError, type NodeId } from "@pods/core-interfaces";
import { assertDot, type Dot } from "./dot.ts";
import { assertKey } from "./replica-store.ts";

/** The most keys one `replicate` message carries. */
export const replicateEntriesMax = 1024;

/** Why a coordinator refused or could not complete a put. */
export type PutFailure =
  | {
      /** A vector-mode put would supersede a version it has not seen (`ObsoleteVersionError`). */
      readonly reason: "obsolete";
      /** The stored version's vector, encoded with `versionVectorCodec`. */
      readonly stored: Uint8Array;
      /** The refused version's vector, encoded with `versionVectorCodec`. */
      readonly attempted: Uint8Array;
    }
  | {
      /** The put would pass `siblingsMax` (`TooManySiblingsError`). */
      readonly reason: "too-many-siblings";
      /** The coordinator's limit. */
      readonly siblingsMax: number;
    }
  | {
      /** Stored on the coordinator, but too few replicas acknowledged (`NotEnoughReplicasError`). */
      readonly reason: "not-enough-replicas";
      /** Replicas that had to store it, the coordinator included. */
      readonly needed: number;
      /** Replicas that did. */
      readonly answered: number;
    };

/** One key's siblings in a `replicate` message. */
export interface ReplicateEntry {
  /** The key. */
  readonly key: string;
  /** Its siblings, encoded with `createSiblingsCodec`. */
  readonly siblings: Uint8Array;
}

/**
 * The messages between leaderless clients and replicas. Values, contexts and siblings travel in
 * their binary forms, so the messages are plain data for any transport.
 */
export type VersionVectorMessage =
  | {
      /** Client → coordinator: write `value` with `context`. */
      readonly type: "put";
      /** Request id, unique per client; retries and duplicates are answered once. */
      readonly id: number;
      /** The key. */
      readonly key: string;
      /** The value, encoded with the value codec. */
      readonly value: Uint8Array;
      /** The writer's context, encoded with `causalContextCodec`. */
      readonly context: Uint8Array;
    }
  | {
      /** Coordinator → client: the put is stored. */
      readonly type: "put-ok";
      /** The request id. */
      readonly id: number;
      /** The dot of the new version. */
      readonly dot: Dot;
      /** The writer's new context, encoded with `causalContextCodec`. */
      readonly context: Uint8Array;
    }
  | {
      /** Coordinator → client: the put failed. */
      readonly type: "put-failed";
      /** The request id. */
      readonly id: number;
      /** Why. */
      readonly failure: PutFailure;
    }
  | {
      /** Client → replica: send the key's siblings. */
      readonly type: "get";
      /** Request id. */
      readonly id: number;
      /** The key. */
      readonly key: string;
    }
  | {
      /** Replica → client: the key's siblings. */
      readonly type: "get-ok";
      /** The request id. */
      readonly id: number;
      /** The siblings, encoded with `createSiblingsCodec`. */
      readonly siblings: Uint8Array;
    }
  | {
      /** Replica or client → replica: merge these siblings (replication, anti-entropy, repair). */
      readonly type: "replicate";
      /** When above 0, answer with a `replicate-ack` carrying it. */
      readonly ackId: number;
      /** The keys and their siblings. */
      readonly entries: readonly ReplicateEntry[];
    }
  | {
      /** Replica → coordinator: the `replicate` with this `ackId` is merged. */
      readonly type: "replicate-ack";
      /** The acknowledged `ackId`. */
      readonly ackId: number;
    };

type Fields = Record<string, unknown>;

function field<T>(
  message: Fields,
  name: string,
  check: (value: unknown) => value is T,
  what: string,
): T {
  const value = message[name];
  if (!check(value)) throw new DecodeError(`message field "${name}" is not ${what}`);
  return value;
}

const isId = (value: unknown): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
const isBytes = (value: unknown): value is Uint8Array => value instanceof Uint8Array;
const isString = (value: unknown): value is string => typeof value === "string";
const isObject = (value: unknown): value is Fields => typeof value === "object" && value !== null;

function key(message: Fields): string {
  const value = field(message, "key", isString, "a string");
  try {
    assertKey(value);
  } catch (error) {
    throw new DecodeError((error as Error).message);
  }
  return value;
}

function dot(message: Fields): Dot {
  const value = field(message, "dot", isObject, "an object");
  const parsed = { node: value["node"] as NodeId, counter: value["counter"] as number };
  try {
    assertDot(parsed);
  } catch (error) {
    throw new DecodeError((error as Error).message);
  }
  return parsed;
}

function failure(message: Fields): PutFailure {
  const value = field(message, "failure", isObject, "an object");
  switch (value["reason"]) {
    case "obsolete":
      return {
        reason: "obsolete",
        stored: field(value, "stored", isBytes, "bytes"),
        attempted: field(value, "attempted", isBytes, "bytes"),
      };
    case "too-many-siblings":
      return {
        reason: "too-many-siblings",
        siblingsMax: field(value, "siblingsMax", isId, "a count"),
      };
    case "not-enough-replicas":
      return {
        reason: "not-enough-replicas",
        needed: field(value, "needed", isId, "a count"),
        answered: field(value, "answered", isId, "a count"),
      };
    default:
      throw new DecodeError(`unknown put failure reason ${JSON.stringify(value["reason"])}`);
  }
}

function entries(message: Fields): ReplicateEntry[] {
  const value = field(message, "entries", Array.isArray, "an array") as unknown[];
  if (value.length > replicateEntriesMax) {
    throw new DecodeError(
      `${value.length} entries exceed replicateEntriesMax (${replicateEntriesMax})`,
    );
  }
  return value.map((entry) => {
    if (!isObject(entry)) throw new DecodeError("a replicate entry is not an object");
    return { key: key(entry), siblings: field(entry, "siblings", isBytes, "bytes") };
  });
}

/**
 * Checks that `value` is a well-formed {@link VersionVectorMessage} (field types, ids, key
 * lengths, entry counts) and returns it as one. Use it as a transport codec's `validate`.
 *
 * @throws `DecodeError` naming the first problem.
 */
export function parseVersionVectorMessage(value: unknown): VersionVectorMessage {
  if (!isObject(value)) throw new DecodeError("a message must be an object");
  switch (value["type"]) {
    case "put":
      return {
        type: "put",
        id: field(value, "id", isId, "an id"),
        key: key(value),
        value: field(value, "value", isBytes, "bytes"),
        context: field(value, "context", isBytes, "bytes"),
      };
    case "put-ok":
      return {
        type: "put-ok",
        id: field(value, "id", isId, "an id"),
        dot: dot(value),
        context: field(value, "context", isBytes, "bytes"),
      };
    case "put-failed":
      return { type: "put-failed", id: field(value, "id", isId, "an id"), failure: failure(value) };
    case "get":
      return { type: "get", id: field(value, "id", isId, "an id"), key: key(value) };
    case "get-ok":
      return {
        type: "get-ok",
        id: field(value, "id", isId, "an id"),
        siblings: field(value, "siblings", isBytes, "bytes"),
      };
    case "replicate":
      return {
        type: "replicate",
        ackId: field(value, "ackId", isId, "an id"),
        entries: entries(value),
      };
    case "replicate-ack":
      return { type: "replicate-ack", ackId: field(value, "ackId", isId, "an id") };
    default:
      throw new DecodeError(`unknown message type ${JSON.stringify(value["type"])}`);
  }
}
