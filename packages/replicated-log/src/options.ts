import { InvalidArgumentError } from "@pods/core-interfaces";
import {
  resolveElectionTiming,
  type ElectionTiming,
  type ResolvedElectionTiming,
} from "@pods/leader-and-followers";

/** The defaults of this package (PATTERNS.md section 10). */
export const replicationDefaults = {
  /** Appends in flight per follower. */
  inflightMax: 256,
  /** Entry bytes per append (and per proposal batch), in bytes. */
  messageBytesMax: 1024 * 1024,
  /** Entries per append at most. */
  messageEntriesMax: 65_536,
  /** Bytes appended by the leader and not committed yet, beyond which proposals fail fast. */
  uncommittedBytesMax: 64 * 1024 * 1024,
  /** Lease reads off: reads confirm leadership with a heartbeat round (ReadIndex). */
  leaseReads: false,
  /** Applied entries between snapshots. */
  snapshotEveryEntries: 10_000,
  /** Entries kept below a snapshot for followers slightly behind. */
  entriesRetainedAfterSnapshot: 1_000,
} as const;

/** Flow control, reads and limits of replication. */
export interface ReplicationOptions extends ElectionTiming {
  /**
   * Appends in flight (sent, not acknowledged) per follower in replicate state: the pipeline
   * window. Default 256.
   */
  readonly inflightMax?: number;
  /**
   * Entry payload bytes per append message (one entry more when a single entry is larger), and
   * per batch of proposals written together. Default 1048576 (1 MiB).
   */
  readonly messageBytesMax?: number;
  /** Entries per append message at most (also what followers accept). Default 65536. */
  readonly messageEntriesMax?: number;
  /**
   * Payload bytes the leader may hold appended but not committed; proposals beyond it fail with
   * `UncommittedLimitError` (definite, retriable). Default 67108864 (64 MiB).
   */
  readonly uncommittedBytesMax?: number;
  /**
   * Serve `read({ mode: "lease" })` without a heartbeat round while the leader's lease holds: the
   * lease runs `electionTimeoutMs − leaseDriftMarginMs` from the start of the last heartbeat round
   * a quorum answered. Relies on clocks drifting less than the margin per election timeout, and
   * on `checkQuorum`. Default `false`.
   */
  readonly leaseReads?: boolean;
  /**
   * The part of the election timeout a lease gives up for clock drift and message delay, in ms;
   * below `electionTimeoutMs`. Default `electionTimeoutMs / 5`.
   */
  readonly leaseDriftMarginMs?: number;
  /**
   * Applied entries between snapshots: after this many, the state machine is snapshotted through
   * the low-water mark and the log below it compacted. Default 10000.
   */
  readonly snapshotEveryEntries?: number;
  /**
   * Entries kept below a snapshot's index, so that followers slightly behind catch up from the
   * log instead of a snapshot. Default 1000.
   */
  readonly entriesRetainedAfterSnapshot?: number;
}

/** {@link ReplicationOptions} checked, with the defaults filled in. */
export interface ResolvedReplicationOptions extends ResolvedElectionTiming {
  /** See {@link ReplicationOptions.inflightMax}. */
  readonly inflightMax: number;
  /** See {@link ReplicationOptions.messageBytesMax}. */
  readonly messageBytesMax: number;
  /** See {@link ReplicationOptions.messageEntriesMax}. */
  readonly messageEntriesMax: number;
  /** See {@link ReplicationOptions.uncommittedBytesMax}. */
  readonly uncommittedBytesMax: number;
  /** See {@link ReplicationOptions.leaseReads}. */
  readonly leaseReads: boolean;
  /** See {@link ReplicationOptions.leaseDriftMarginMs}. */
  readonly leaseDriftMarginMs: number;
  /** See {@link ReplicationOptions.snapshotEveryEntries}. */
  readonly snapshotEveryEntries: number;
  /** See {@link ReplicationOptions.entriesRetainedAfterSnapshot}. */
  readonly entriesRetainedAfterSnapshot: number;
}

/**
 * Checks a count option: a safe integer from `minimum` up.
 *
 * @throws `InvalidArgumentError` naming the option, the value and the range.
 */
export function countOption(
  name: string,
  value: number | undefined,
  fallback: number,
  minimum = 1,
): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new InvalidArgumentError(
      `${name} must be an integer >= ${minimum}, got ${String(value)}; leave it out for ${fallback}.`,
    );
  }
  return value;
}

/**
 * Checks the replication options and fills in the defaults.
 *
 * @throws `InvalidArgumentError` for a value out of range, a lease without CheckQuorum, or a drift
 *   margin not below the election timeout.
 */
export function resolveReplicationOptions(options: ReplicationOptions): ResolvedReplicationOptions {
  const timing = resolveElectionTiming(options);
  const leaseReads = options.leaseReads ?? replicationDefaults.leaseReads;
  if (typeof leaseReads !== "boolean") {
    throw new InvalidArgumentError(`leaseReads must be a boolean, got ${String(leaseReads)}.`);
  }
  if (leaseReads && !timing.checkQuorum) {
    throw new InvalidArgumentError(
      "leaseReads needs checkQuorum: without leader stickiness a new leader can be elected while " +
        "the old one's lease runs.",
    );
  }
  const leaseDriftMarginMs = countOption(
    "leaseDriftMarginMs",
    options.leaseDriftMarginMs,
    Math.max(1, Math.floor(timing.electionTimeoutMs / 5)),
  );
  if (leaseDriftMarginMs >= timing.electionTimeoutMs) {
    throw new InvalidArgumentError(
      `leaseDriftMarginMs (${leaseDriftMarginMs}) must be below electionTimeoutMs (${timing.electionTimeoutMs}).`,
    );
  }
  return {
    ...timing,
    inflightMax: countOption("inflightMax", options.inflightMax, replicationDefaults.inflightMax),
    messageBytesMax: countOption(
      "messageBytesMax",
      options.messageBytesMax,
      replicationDefaults.messageBytesMax,
    ),
    messageEntriesMax: countOption(
      "messageEntriesMax",
      options.messageEntriesMax,
      replicationDefaults.messageEntriesMax,
    ),
    uncommittedBytesMax: countOption(
      "uncommittedBytesMax",
      options.uncommittedBytesMax,
      replicationDefaults.uncommittedBytesMax,
    ),
    leaseReads,
    leaseDriftMarginMs,
    snapshotEveryEntries: countOption(
      "snapshotEveryEntries",
      options.snapshotEveryEntries,
      replicationDefaults.snapshotEveryEntries,
    ),
    entriesRetainedAfterSnapshot: countOption(
      "entriesRetainedAfterSnapshot",
      options.entriesRetainedAfterSnapshot,
      replicationDefaults.entriesRetainedAfterSnapshot,
      0,
    ),
  };
}
