import { InvalidArgumentError } from "@pods/core-interfaces";

/** The defaults of this package (PATTERNS.md: heartbeat 100 ms, election timeout 1000 ms). */
export const electionDefaults = {
  /** The base election timeout T, in ms: each election waits a random time in [T, 2T). */
  electionTimeoutMs: 1000,
  /** How often a leader sends heartbeats, in ms; well below T. */
  heartbeatIntervalMs: 100,
  /** Pre-vote before raising the generation. */
  preVote: true,
  /** A leader that cannot reach a quorum within one election timeout steps down. */
  checkQuorum: true,
} as const;

/** The timing and protocol switches of an election. */
export interface ElectionTiming {
  /**
   * The base election timeout T, in ms: a follower that hears nothing from a leader for a random
   * time drawn from [T, 2T) (a new draw per election) campaigns; it is also the CheckQuorum
   * period, the leader-contact window of pre-votes, and the leadership-transfer deadline.
   * Default 1000.
   */
  readonly electionTimeoutMs?: number;
  /** How often a leader sends heartbeats, in ms; below `electionTimeoutMs`. Default 100. */
  readonly heartbeatIntervalMs?: number;
  /**
   * Ask "would you vote for me?" before raising the generation, so a node that was cut off cannot
   * disrupt a healthy leader when it rejoins. Default `true`.
   */
  readonly preVote?: boolean;
  /**
   * A leader that has not heard from a quorum within one election timeout steps down; and voters
   * that heard from a leader within the minimum election timeout refuse to vote (leader
   * stickiness, which lease reads rely on). Default `true`.
   */
  readonly checkQuorum?: boolean;
}

/** {@link ElectionTiming} with the defaults filled in. */
export interface ResolvedElectionTiming {
  /** See {@link ElectionTiming.electionTimeoutMs}. */
  readonly electionTimeoutMs: number;
  /** See {@link ElectionTiming.heartbeatIntervalMs}. */
  readonly heartbeatIntervalMs: number;
  /** See {@link ElectionTiming.preVote}. */
  readonly preVote: boolean;
  /** See {@link ElectionTiming.checkQuorum}. */
  readonly checkQuorum: boolean;
}

function integerMs(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(
      `${name} must be a whole number of ms >= 1, got ${String(value)}; leave it out for ${fallback}.`,
    );
  }
  return value;
}

function flag(name: string, value: boolean | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    throw new InvalidArgumentError(`${name} must be a boolean, got ${String(value)}.`);
  }
  return value;
}

/**
 * Checks the timing options and fills in the defaults.
 *
 * @throws `InvalidArgumentError` for a value out of range, or a heartbeat interval not below the
 *   election timeout.
 */
export function resolveElectionTiming(options: ElectionTiming): ResolvedElectionTiming {
  const electionTimeoutMs = integerMs(
    "electionTimeoutMs",
    options.electionTimeoutMs,
    electionDefaults.electionTimeoutMs,
  );
  const heartbeatIntervalMs = integerMs(
    "heartbeatIntervalMs",
    options.heartbeatIntervalMs,
    Math.min(electionDefaults.heartbeatIntervalMs, Math.max(1, Math.floor(electionTimeoutMs / 4))),
  );
  if (heartbeatIntervalMs >= electionTimeoutMs) {
    throw new InvalidArgumentError(
      `heartbeatIntervalMs (${heartbeatIntervalMs}) must be below electionTimeoutMs ` +
        `(${electionTimeoutMs}); make the timeout several heartbeat intervals long.`,
    );
  }
  return {
    electionTimeoutMs,
    heartbeatIntervalMs,
    preVote: flag("preVote", options.preVote, electionDefaults.preVote),
    checkQuorum: flag("checkQuorum", options.checkQuorum, electionDefaults.checkQuorum),
  };
}
