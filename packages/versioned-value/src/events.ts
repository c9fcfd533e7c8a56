/**
 * A key's value as a read at some version sees it, with the key's metadata at that version.
 * `version` is the version of the write that set this value (the "modify version").
 */
export interface VersionedValue<V, Ver> {
  /** The key. */
  readonly key: string;
  /** The value. */
  readonly value: V;
  /** The version that wrote this value. */
  readonly version: Ver;
  /** The version of the write that created the key: its first write since it was last deleted. */
  readonly createVersion: Ver;
  /** How many writes the key has had since it was created, this one included (1 at creation). */
  readonly versionCount: number;
}

/** A write of a value, as history and snapshots list it. */
export interface PutEvent<V, Ver> extends VersionedValue<V, Ver> {
  /** Marks a write of a value. */
  readonly kind: "put";
}

/** A delete (a tombstone), as history and snapshots list it. */
export interface DeleteEvent<Ver> {
  /** Marks a delete. */
  readonly kind: "delete";
  /** The key deleted. */
  readonly key: string;
  /** The version of the delete. */
  readonly version: Ver;
}

/** One version of a key: a value written or a delete. */
export type HistoryEvent<V, Ver> = PutEvent<V, Ver> | DeleteEvent<Ver>;
