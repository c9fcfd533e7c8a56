import { PodsError, type NodeId, type PodsErrorOptions } from "@pods/core-interfaces";

/** Why a replica did not serve a read that needed a version it has not applied. */
export type LaggingReason =
  /** The read waited `followerWaitTimeoutMs` and the replica still had not applied the version. */
  | "wait-timeout"
  /** The replica's lag behaviour is `redirect`: it refuses at once instead of waiting. */
  | "redirect"
  /** `waitingReadsMax` reads were waiting already; this one was not parked. */
  | "too-many-waiting";

/** Details of a {@link ReplicaLaggingError}. */
export interface LaggingDetails {
  /** The replica that refused, when known. */
  readonly nodeId?: NodeId | undefined;
  /** The version the read needed. */
  readonly minVersion: number;
  /** The version the replica had applied when it gave up. */
  readonly appliedVersion: number;
  /** Why it gave up. */
  readonly reason: LaggingReason;
  /** How long the read waited, in ms (0 unless `reason` is `wait-timeout`). */
  readonly waitedMs: number;
}

/**
 * The replica has not applied the version the read needs (its `minVersion`, the session token, or
 * the read index), and did not or could not wait for it. Nothing was read: a definite failure, so
 * try another replica or the leader.
 */
export class ReplicaLaggingError extends PodsError {
  /** `"REPLICA_LAGGING"`: the stable, machine-readable name of this failure. */
  readonly code = "REPLICA_LAGGING";
  /** The replica that refused, when known. */
  readonly nodeId: NodeId | undefined;
  /** The version the read needed. */
  readonly minVersion: number;
  /** The version the replica had applied when it gave up. */
  readonly appliedVersion: number;
  /** Why it gave up. */
  readonly reason: LaggingReason;
  /** How long the read waited, in ms. */
  readonly waitedMs: number;

  /** @param details - the replica, the versions and why it gave up. */
  constructor(details: LaggingDetails, options?: PodsErrorOptions) {
    const replica = details.nodeId === undefined ? "This replica" : `Replica "${details.nodeId}"`;
    const why =
      details.reason === "wait-timeout"
        ? `and did not reach it within ${details.waitedMs} ms`
        : details.reason === "redirect"
          ? "and redirects lagging reads instead of waiting"
          : "and too many reads are waiting for it already (waitingReadsMax)";
    super(
      `${replica} has applied version ${details.appliedVersion}, below the version ` +
        `${details.minVersion} this read needs, ${why}. Nothing was read: retry on another ` +
        "replica or the leader.",
      "definite",
      options,
    );
    this.nodeId = details.nodeId;
    this.minVersion = details.minVersion;
    this.appliedVersion = details.appliedVersion;
    this.reason = details.reason;
    this.waitedMs = details.waitedMs;
  }
}

/** Details of a {@link TooStaleError}. */
export interface StalenessDetails {
  /** The replica that refused, when known. */
  readonly nodeId?: NodeId | undefined;
  /** The staleness the read tolerates, in ms. */
  readonly maxStalenessMs: number;
  /** Time since the replica last heard from the leader, in ms; `undefined` if it never did. */
  readonly msSinceLeaderContact: number | undefined;
}

/**
 * The replica has been out of contact with the leader for longer than the read's
 * `maxStalenessMs`, so its state may be older than the read tolerates. Nothing was read: a
 * definite failure, so try another replica or the leader.
 */
export class TooStaleError extends PodsError {
  /** `"TOO_STALE"`: the stable, machine-readable name of this failure. */
  readonly code = "TOO_STALE";
  /** The replica that refused, when known. */
  readonly nodeId: NodeId | undefined;
  /** The staleness the read tolerates, in ms. */
  readonly maxStalenessMs: number;
  /** Time since the replica last heard from the leader, in ms; `undefined` if it never did. */
  readonly msSinceLeaderContact: number | undefined;

  /** @param details - the replica, the bound and how long it has been out of contact. */
  constructor(details: StalenessDetails, options?: PodsErrorOptions) {
    const replica = details.nodeId === undefined ? "This replica" : `Replica "${details.nodeId}"`;
    super(
      `${replica} ${
        details.msSinceLeaderContact === undefined
          ? "has not heard from a leader yet"
          : `last heard from the leader ${details.msSinceLeaderContact} ms ago`
      }, longer than the read's maxStalenessMs of ${details.maxStalenessMs} ms. Nothing was ` +
        "read: retry on another replica or the leader, or accept more staleness.",
      "definite",
      options,
    );
    this.nodeId = details.nodeId;
    this.maxStalenessMs = details.maxStalenessMs;
    this.msSinceLeaderContact = details.msSinceLeaderContact;
  }
}

/** One replica's failure in a {@link NoReplicaAvailableError}. */
export interface ReplicaFailure {
  /** The replica tried. */
  readonly nodeId: NodeId;
  /** What it failed with. */
  readonly error: unknown;
}

/**
 * A client tried every replica it could (or `attemptsMax` of them) and none served the read.
 * Nothing was read: a definite failure. Retry later, relax `maxStalenessMs`, or read from the
 * leader.
 */
export class NoReplicaAvailableError extends PodsError {
  /** `"NO_REPLICA_AVAILABLE"`: the stable, machine-readable name of this failure. */
  readonly code = "NO_REPLICA_AVAILABLE";
  /** Each replica tried, in order, with its error. */
  readonly failures: readonly ReplicaFailure[];

  /** @param failures - each replica tried, in order, with its error (the last is the cause). */
  constructor(failures: readonly ReplicaFailure[], options?: PodsErrorOptions) {
    super(
      failures.length === 0
        ? "No replica is available to read from: every replica is marked down. Retry after " +
            "downForMs, or mark a replica up."
        : `No replica served the read; tried ${failures
            .map(({ nodeId, error }) => `${nodeId} (${describe(error)})`)
            .join(", ")}. Retry later, accept more staleness, or read from the leader.`,
      "definite",
      { cause: failures.at(-1)?.error, ...options },
    );
    this.failures = failures;
  }
}

function describe(error: unknown): string {
  if (error instanceof PodsError) return error.code;
  return error instanceof Error ? error.name : String(error);
}
