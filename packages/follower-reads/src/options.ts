import {
  assertNodeId,
  InvalidArgumentError,
  type Clock,
  type NodeId,
  type Scheduler,
} from "@pods/core-interfaces";
import type { ReplicaProgress } from "./replica-progress.ts";

/**
 * What a replica does with a read that needs a version it has not applied yet: `wait` parks it
 * until the version is applied (up to `followerWaitTimeoutMs`); `redirect` refuses at once with
 * `ReplicaLaggingError`, so the client tries another replica without waiting.
 */
export type LagBehaviour = "wait" | "redirect";

/** Options of {@link FollowerReader}. */
export interface FollowerReaderOptions {
  /** The replica's progress: applied and committed versions, leader contact, apply events. */
  readonly progress: ReplicaProgress;
  /** Monotonic time for waits and staleness (the replica's `Env.clock`). */
  readonly clock: Clock;
  /** Where the wait timeouts are scheduled (the replica's `Env.scheduler`). */
  readonly scheduler: Scheduler;
  /** Names the replica in errors. */
  readonly nodeId?: NodeId;
  /** How long a read may wait for its version, in ms. Default 5000. */
  readonly followerWaitTimeoutMs?: number;
  /** `wait` (default) or `redirect`. */
  readonly lagBehaviour?: LagBehaviour;
  /** Reads waiting at once, at most; one more is refused with `ReplicaLaggingError`. Default 10 000. */
  readonly waitingReadsMax?: number;
  /**
   * Follower ReadIndex: asks the leader for its commit index, confirmed by a majority (the
   * replicated log's read index). Needed only for `linearizable` reads.
   */
  readonly readIndex?: () => Promise<number>;
}

/** {@link FollowerReaderOptions} with the defaults filled in. */
export interface ResolvedReaderOptions {
  /** See {@link FollowerReaderOptions.nodeId}. */
  readonly nodeId: NodeId | undefined;
  /** See {@link FollowerReaderOptions.followerWaitTimeoutMs}. */
  readonly followerWaitTimeoutMs: number;
  /** See {@link FollowerReaderOptions.lagBehaviour}. */
  readonly lagBehaviour: LagBehaviour;
  /** See {@link FollowerReaderOptions.waitingReadsMax}. */
  readonly waitingReadsMax: number;
}

/** The defaults of {@link FollowerReaderOptions}. */
export const followerReaderDefaults = {
  followerWaitTimeoutMs: 5000,
  lagBehaviour: "wait",
  waitingReadsMax: 10_000,
} as const satisfies Partial<FollowerReaderOptions>;

/**
 * Checks a duration in ms: a finite number > 0.
 *
 * @throws `InvalidArgumentError` naming `name` otherwise.
 */
export function checkDurationMs(name: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(
      `${name} must be a finite number of ms > 0, got ${String(value)}.`,
    );
  }
  return value;
}

/**
 * Checks a version: a safe integer ≥ 0.
 *
 * @throws `InvalidArgumentError` naming `name` otherwise.
 */
export function checkVersion(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(
      `${name} must be a safe integer >= 0 (an applied index or revision), got ${String(value)}.`,
    );
  }
  return value;
}

/**
 * Validates the options of a {@link FollowerReader} and fills in the defaults.
 *
 * @throws `InvalidArgumentError` naming the bad option.
 */
export function resolveReaderOptions(options: FollowerReaderOptions): ResolvedReaderOptions {
  const { progress, clock, scheduler } = options;
  if (
    typeof progress?.onApplied !== "function" ||
    typeof progress.lastLeaderContactMs !== "function"
  ) {
    throw new InvalidArgumentError(
      "A FollowerReader needs the replica's progress (a ReplicaProgress, e.g. a ReplicaProgressTracker).",
    );
  }
  if (typeof clock?.monotonicMs !== "function" || typeof scheduler?.after !== "function") {
    throw new InvalidArgumentError(
      "A FollowerReader needs a clock and a scheduler (the node's Env).",
    );
  }
  const lagBehaviour = options.lagBehaviour ?? followerReaderDefaults.lagBehaviour;
  if (lagBehaviour !== "wait" && lagBehaviour !== "redirect") {
    throw new InvalidArgumentError(
      `lagBehaviour must be "wait" or "redirect", got ${JSON.stringify(lagBehaviour)}.`,
    );
  }
  const waitingReadsMax = options.waitingReadsMax ?? followerReaderDefaults.waitingReadsMax;
  if (!Number.isSafeInteger(waitingReadsMax) || waitingReadsMax < 1) {
    throw new InvalidArgumentError(
      `waitingReadsMax must be a safe integer >= 1, got ${String(waitingReadsMax)}.`,
    );
  }
  if (options.readIndex !== undefined && typeof options.readIndex !== "function") {
    throw new InvalidArgumentError(
      "readIndex must be a function returning the leader's read index.",
    );
  }
  if (options.nodeId !== undefined) assertNodeId(options.nodeId, "nodeId");
  return {
    nodeId: options.nodeId,
    followerWaitTimeoutMs: checkDurationMs(
      "followerWaitTimeoutMs",
      options.followerWaitTimeoutMs ?? followerReaderDefaults.followerWaitTimeoutMs,
    ),
    lagBehaviour,
    waitingReadsMax,
  };
}
