import { assertNodeId, InvalidArgumentError, type Clock, type NodeId } from "@pods/core-interfaces";
import { asContext, CausalContext } from "./causal-context.ts";
import type { Dot } from "./dot.ts";
import type { ReadResult } from "./resolvers.ts";
import {
  mergeSiblings,
  putSibling,
  readContext,
  type Sibling,
  type SiblingMode,
  type SiblingRules,
} from "./siblings.ts";
import type { VersionVector } from "./version-vector.ts";

/** The default of {@link ReplicaStoreOptions.siblingsMax} (Riak's `max_siblings`). */
export const defaultSiblingsMax = 100;
/** The default of {@link ReplicaStoreOptions.contextEntriesMax} (Riak's `big_vclock`). */
export const defaultContextEntriesMax = 50;
/** The longest key accepted, in UTF-16 code units. */
export const keyLengthMax = 1024;

/** Options of {@link ReplicaStore}. */
export interface ReplicaStoreOptions {
  /** This replica's node id: it names the writes it coordinates. */
  readonly replicaId: NodeId;
  /** Gives the wall time recorded with each write (`wallMs` only). */
  readonly clock: Pick<Clock, "wallMs">;
  /** How versions are told apart. Default `"dotted"`. */
  readonly mode?: SiblingMode;
  /**
   * The most siblings a put may leave on a key; a put that would pass it fails with
   * `TooManySiblingsError`. Merges from other replicas are not refused, so a key can briefly
   * hold up to this many per replica. Default {@link defaultSiblingsMax} (100).
   */
  readonly siblingsMax?: number;
  /**
   * The most vector entries a new version's context keeps; beyond it the oldest writers are
   * pruned (see `pruneVersionVector` for the risk). Default {@link defaultContextEntriesMax} (50).
   */
  readonly contextEntriesMax?: number;
}

/** What a put returns. */
export interface PutResult {
  /** The dot that names the new version. */
  readonly dot: Dot;
  /**
   * What the writer has now seen: its context plus the new version, and nothing it had not seen
   * before. Writing again with it supersedes this version and keeps concurrent ones.
   */
  readonly context: CausalContext;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(`${name} must be an integer >= 1, got ${value}.`);
  }
  return value;
}

/**
 * Checks a key: a string of at most {@link keyLengthMax} code units.
 *
 * @throws `InvalidArgumentError` otherwise.
 */
export function assertKey(key: unknown): asserts key is string {
  if (typeof key !== "string" || key.length > keyLengthMax) {
    throw new InvalidArgumentError(
      `key ${JSON.stringify(key)?.slice(0, 40)} is not valid: use a string of at most ` +
        `${keyLengthMax} characters.`,
    );
  }
}

/**
 * The versioned storage of one replica, in memory: for each key, its concurrent siblings. It is
 * the deterministic core that `ReplicaServer` puts on the network; use it directly to embed the
 * rules in another store (persist `get(key).siblings` with `createSiblingsCodec`).
 */
export class ReplicaStore<V> {
  /** This replica's node id. */
  readonly replicaId: NodeId;
  /** How versions are told apart. */
  readonly mode: SiblingMode;
  readonly #clock: Pick<Clock, "wallMs">;
  readonly #rules: SiblingRules;
  readonly #keys = new Map<string, readonly Sibling<V>[]>();

  /** @throws `InvalidArgumentError` for a bad option. */
  constructor(options: ReplicaStoreOptions) {
    assertNodeId(options.replicaId, "replicaId");
    const mode = options.mode ?? "dotted";
    if (mode !== "dotted" && mode !== "vector") {
      throw new InvalidArgumentError(`mode must be "dotted" or "vector", got ${String(mode)}.`);
    }
    this.replicaId = options.replicaId;
    this.mode = mode;
    this.#clock = options.clock;
    this.#rules = {
      mode,
      siblingsMax: positiveInteger("siblingsMax", options.siblingsMax ?? defaultSiblingsMax),
      contextEntriesMax: positiveInteger(
        "contextEntriesMax",
        options.contextEntriesMax ?? defaultContextEntriesMax,
      ),
    };
  }

  /**
   * Writes `value` as a new version coordinated by this replica. Siblings the context covers are
   * replaced; concurrent ones are kept.
   *
   * @param context - what the writer has seen: a read's or a previous put's context, or a plain
   *   version vector. Default: nothing (a blind write, concurrent with every stored version).
   * @throws `ObsoleteVersionError` (vector mode) or `TooManySiblingsError`; nothing changes.
   * @throws `InvalidArgumentError` for a bad key.
   */
  put(key: string, value: V, context?: CausalContext | VersionVector): PutResult {
    assertKey(key);
    const outcome = putSibling(
      this.#keys.get(key) ?? [],
      {
        value,
        context: context === undefined ? CausalContext.empty : asContext(context),
        replica: this.replicaId,
        wallMs: Math.max(0, Math.floor(this.#clock.wallMs())),
      },
      this.#rules,
    );
    this.#keys.set(key, outcome.siblings);
    return { dot: outcome.written.dot, context: readContext([outcome.written]) };
  }

  /** The key's siblings (none if it was never written) and the context to write with next. */
  get(key: string): ReadResult<V> {
    const siblings = this.#keys.get(key) ?? [];
    return { siblings, context: readContext(siblings) };
  }

  /**
   * Merges another replica's siblings of `key` into this one's (anti-entropy, replication, read
   * repair). Idempotent: merging versions already held or superseded changes nothing.
   *
   * @returns whether this replica's siblings changed.
   */
  merge(key: string, siblings: readonly Sibling<V>[]): boolean {
    assertKey(key);
    const local = this.#keys.get(key) ?? [];
    const merged = mergeSiblings(local, siblings, this.mode);
    if (merged === local) return false;
    this.#keys.set(key, merged);
    return true;
  }

  /** The keys this replica holds, in the order they were first written. */
  keys(): IterableIterator<string> {
    return this.#keys.keys();
  }

  /** How many keys this replica holds. */
  get size(): number {
    return this.#keys.size;
  }
}
