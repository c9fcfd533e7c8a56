// What a follower read takes and gives back, shared by the replica and the client side.

/** Options of one `FollowerReader.read`. */
export interface ReadOptions {
  /**
   * Serve only state that includes this version (read-your-writes, monotonic reads: the client's
   * session token). Default 0: any applied state, possibly stale.
   */
  readonly minVersion?: number;
  /**
   * Refuse with `TooStaleError` when the replica last heard from the leader longer ago than this,
   * in ms; otherwise serve only once it has applied everything the leader said was committed.
   * Default: no bound.
   */
  readonly maxStalenessMs?: number;
  /**
   * Linearizable: ask the leader for its read index (follower ReadIndex) and serve once it is
   * applied. Needs the reader's `readIndex` option. Default `false`.
   */
  readonly linearizable?: boolean;
}

/** What a served read returns. */
export interface ReadResult<T> {
  /** What the read function returned. */
  readonly value: T;
  /** The applied version the read function saw: feed it to the client's session token. */
  readonly version: number;
  /** How long the read waited for its version, in ms (0 when served at once). */
  readonly waitedMs: number;
}

/** How far the replica is behind, as it knows. */
export interface ReplicaLag {
  /** The version applied. */
  readonly appliedVersion: number;
  /** The highest version known to be committed. */
  readonly committedVersion: number;
  /** `committedVersion − appliedVersion`: committed entries heard of and not applied yet. */
  readonly versionsBehind: number;
  /** Time since the last contact with the leader, in ms; `undefined` if there was none. */
  readonly msSinceLeaderContact: number | undefined;
}

/** Counters and gauges of a `FollowerReader`. */
export interface FollowerReaderMetrics {
  /** Reads served. */
  readonly served: number;
  /** Of those, reads served after waiting for their version. */
  readonly servedAfterWait: number;
  /** Reads refused with `ReplicaLaggingError`. */
  readonly lagging: number;
  /** Reads refused with `TooStaleError`. */
  readonly tooStale: number;
  /** Reads waiting now. */
  readonly waiting: number;
}
