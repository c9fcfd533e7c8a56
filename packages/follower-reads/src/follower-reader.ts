import {
  ClosedError,
  InvalidArgumentError,
  invariant,
  TimeoutError,
  type Clock,
  type NodeId,
} from "@pods/core-interfaces";
import { RequestWaitingList, type RequestCallback } from "@pods/request-waiting-list";
import { ReplicaLaggingError, TooStaleError } from "./errors.ts";
import {
  checkDurationMs,
  checkVersion,
  resolveReaderOptions,
  type FollowerReaderOptions,
  type ResolvedReaderOptions,
} from "./options.ts";
import type { FollowerReaderMetrics, ReadOptions, ReadResult, ReplicaLag } from "./read-types.ts";
import type { ReplicaProgress } from "./replica-progress.ts";

/** A read parked until its version is applied. */
interface ParkedRead {
  readonly minVersion: number;
  readonly startMs: number;
  readonly deadlineMs: number;
  /** Runs the read function on the state as it is now; settles the read. */
  readonly serve: () => void;
  readonly fail: (error: Error) => void;
}

/**
 * The replica side of follower reads: serves a read from the replica's applied state at once when
 * that state is recent enough for the read, parks it until the needed version is applied
 * otherwise, and refuses with a typed error when it cannot serve in time.
 *
 * - `minVersion` (read-your-writes, the session token): served once `appliedVersion ≥
 *   minVersion`; waiting reads are parked in a `RequestWaitingList` keyed by version and
 *   completed, in version order, by the apply that reaches them; after `followerWaitTimeoutMs`
 *   they fail with `ReplicaLaggingError`. With lag behaviour `redirect` they fail at once.
 * - `maxStalenessMs`: refused with `TooStaleError` when the last leader contact is older; else
 *   served once everything the leader had committed by then is applied.
 * - `linearizable`: the leader's read index (follower ReadIndex) becomes the minimum version.
 *
 * The read function runs synchronously on the applied state, and is given the applied version it
 * sees; only applied (committed) state is ever read. Drive it from the replica's update queue, the
 * same place that applies entries.
 */
export class FollowerReader {
  readonly #progress: ReplicaProgress;
  readonly #clock: Clock;
  readonly #options: ResolvedReaderOptions;
  readonly #readIndex: (() => Promise<number>) | undefined;
  readonly #waiting: RequestWaitingList<number, number>;
  /** Parked reads by minimum version, each group in arrival (so deadline) order. */
  readonly #groups = new Map<number, ParkedRead[]>();
  readonly #unsubscribe: () => void;
  #waitingCount = 0;
  #served = 0;
  #servedAfterWait = 0;
  #laggingCount = 0;
  #tooStale = 0;
  #closed = false;

  /**
   * @param options - the replica's progress, clock and scheduler, and the limits.
   * @throws `InvalidArgumentError` for a bad option.
   */
  constructor(options: FollowerReaderOptions) {
    this.#options = resolveReaderOptions(options);
    this.#progress = options.progress;
    this.#clock = options.clock;
    this.#readIndex = options.readIndex;
    this.#waiting = new RequestWaitingList<number, number>({
      clock: options.clock,
      scheduler: options.scheduler,
      keyedBy: "index",
      timeoutMs: this.#options.followerWaitTimeoutMs,
      pendingMax: this.#options.waitingReadsMax,
      name: "read waiting for version",
    });
    this.#unsubscribe = this.#progress.onApplied(() => this.#onApplied());
  }

  /** The replica named in errors, if given. */
  get nodeId(): NodeId | undefined {
    return this.#options.nodeId;
  }

  /**
   * Runs `read` on the replica's applied state once it is recent enough for `options`, and
   * returns its value with the version it saw.
   *
   * Rejects with `ReplicaLaggingError` (the version was not applied in time, or lag behaviour is
   * `redirect`, or too many reads wait), `TooStaleError` (out of contact with the leader for
   * longer than `maxStalenessMs`), `ClosedError` (the reader was closed), `InvalidArgumentError`
   * (bad options), whatever `readIndex` rejects with, or whatever `read` throws.
   */
  async read<T>(
    read: (appliedVersion: number) => T,
    options: ReadOptions = {},
  ): Promise<ReadResult<T>> {
    if (this.#closed) throw new ClosedError("The follower reader");
    let minVersion = checkVersion("minVersion", options.minVersion ?? 0);
    const maxStalenessMs =
      options.maxStalenessMs === undefined
        ? undefined
        : checkDurationMs("maxStalenessMs", options.maxStalenessMs);
    if (options.linearizable === true) {
      if (this.#readIndex === undefined) {
        throw new InvalidArgumentError(
          "A linearizable follower read needs the reader's readIndex option (the leader's read " +
            "index); pass it, or read from the leader.",
        );
      }
      minVersion = Math.max(minVersion, checkVersion("read index", await this.#readIndex()));
      if (this.#closed) throw new ClosedError("The follower reader");
    }
    if (maxStalenessMs !== undefined) {
      this.#checkStaleness(maxStalenessMs);
      // Fresh as of the last contact only once everything the leader said was committed is applied.
      minVersion = Math.max(minVersion, this.#progress.committedVersion);
    }
    if (this.#progress.appliedVersion >= minVersion) return this.#serve(read, undefined);
    if (this.#options.lagBehaviour === "redirect") {
      throw this.#refuseLagging(minVersion, "redirect", 0);
    }
    if (this.#waitingCount >= this.#options.waitingReadsMax) {
      throw this.#refuseLagging(minVersion, "too-many-waiting", 0);
    }
    const startMs = this.#clock.monotonicMs();
    return new Promise<ReadResult<T>>((resolve, reject) => {
      this.#park({
        minVersion,
        startMs,
        deadlineMs: startMs + this.#options.followerWaitTimeoutMs,
        serve: () => {
          try {
            if (maxStalenessMs !== undefined) this.#checkStaleness(maxStalenessMs);
            resolve(this.#serve(read, startMs));
          } catch (error) {
            // Passes on what the caller's read function threw (or TooStaleError), as it is.
            // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
            reject(error);
          }
        },
        fail: reject,
      });
    });
  }

  /** How far the replica is behind, as it knows. */
  lag(): ReplicaLag {
    const { appliedVersion, committedVersion } = this.#progress;
    const contactMs = this.#progress.lastLeaderContactMs();
    return {
      appliedVersion,
      committedVersion,
      versionsBehind: Math.max(0, committedVersion - appliedVersion),
      msSinceLeaderContact:
        contactMs === undefined ? undefined : this.#clock.monotonicMs() - contactMs,
    };
  }

  /** A snapshot of the counters and gauges. */
  get metrics(): FollowerReaderMetrics {
    return {
      served: this.#served,
      servedAfterWait: this.#servedAfterWait,
      lagging: this.#laggingCount,
      tooStale: this.#tooStale,
      waiting: this.#waitingCount,
    };
  }

  /** The minimum versions reads are waiting for, ascending. */
  waitingVersions(): number[] {
    return [...this.#groups.keys()].sort((a, b) => a - b);
  }

  /** Whether `close` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Fails every waiting read with `ClosedError`, stops listening to applies and refuses later
   * reads. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe();
    this.#waiting.close();
  }

  /** Runs `read` on the applied state; `parkedAtMs` is when it began to wait, if it did. */
  #serve<T>(read: (appliedVersion: number) => T, parkedAtMs: number | undefined): ReadResult<T> {
    const version = this.#progress.appliedVersion;
    const value = read(version);
    this.#served++;
    if (parkedAtMs === undefined) return { value, version, waitedMs: 0 };
    this.#servedAfterWait++;
    return { value, version, waitedMs: this.#clock.monotonicMs() - parkedAtMs };
  }

  #checkStaleness(maxStalenessMs: number): void {
    const contactMs = this.#progress.lastLeaderContactMs();
    const msSinceLeaderContact =
      contactMs === undefined ? undefined : this.#clock.monotonicMs() - contactMs;
    if (msSinceLeaderContact === undefined || msSinceLeaderContact > maxStalenessMs) {
      this.#tooStale++;
      throw new TooStaleError({
        nodeId: this.#options.nodeId,
        maxStalenessMs,
        msSinceLeaderContact,
      });
    }
  }

  #refuseLagging(
    minVersion: number,
    reason: ReplicaLaggingError["reason"],
    waitedMs: number,
  ): ReplicaLaggingError {
    this.#laggingCount++;
    return new ReplicaLaggingError({
      nodeId: this.#options.nodeId,
      minVersion,
      appliedVersion: this.#progress.appliedVersion,
      reason,
      waitedMs,
    });
  }

  #park(read: ParkedRead): void {
    this.#waitingCount++;
    const group = this.#groups.get(read.minVersion);
    if (group !== undefined) {
      group.push(read);
      return;
    }
    this.#groups.set(read.minVersion, [read]);
    this.#waiting.add(read.minVersion, this.#groupCallback(read.minVersion), {
      timeoutMs: this.#options.followerWaitTimeoutMs,
    });
  }

  /** How the waiting list settles the group of reads waiting for `version`. */
  #groupCallback(version: number): RequestCallback<number> {
    return {
      onComplete: () => {
        for (const read of this.#takeGroup(version)) {
          invariant(
            this.#progress.appliedVersion >= read.minVersion,
            "a read is served only once its version is applied",
          );
          read.serve();
        }
      },
      onFailure: (error) => {
        if (error instanceof TimeoutError) this.#expire(version);
        // Only close() fails entries other than by expiry, with a ClosedError.
        else for (const read of this.#takeGroup(version)) read.fail(error as ClosedError);
      },
    };
  }

  /** The group's entry expired: fail the reads past their deadline, park the rest again. */
  #expire(version: number): void {
    const group = this.#groups.get(version) ?? [];
    const nowMs = this.#clock.monotonicMs();
    let expired = 0;
    while (expired < group.length && (group[expired] as ParkedRead).deadlineMs <= nowMs) expired++;
    const late = group.splice(0, expired);
    this.#waitingCount -= late.length;
    const next = group[0];
    if (next === undefined) this.#groups.delete(version);
    else {
      this.#waiting.add(version, this.#groupCallback(version), {
        timeoutMs: next.deadlineMs - nowMs,
      });
    }
    for (const read of late) {
      read.fail(this.#refuseLagging(read.minVersion, "wait-timeout", nowMs - read.startMs));
    }
  }

  #takeGroup(version: number): ParkedRead[] {
    const group = this.#groups.get(version) ?? [];
    this.#groups.delete(version);
    this.#waitingCount -= group.length;
    return group;
  }

  #onApplied(): void {
    const applied = this.#progress.appliedVersion;
    this.#waiting.completeUpTo(applied, () => applied);
  }
}
