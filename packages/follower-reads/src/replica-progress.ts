import { InvalidArgumentError, type Clock } from "@pods/core-interfaces";
import { checkVersion } from "./options.ts";

/** Called after the replica applied committed entries, with its new applied version. */
export type AppliedListener = (appliedVersion: number) => void;

/**
 * What a {@link FollowerReader} needs to know about the replica it reads from: the port a
 * replicated log (or anything that applies a committed sequence) implements. Versions are applied
 * log indexes (or MVCC revisions): safe integers ≥ 0, never decreasing.
 */
export interface ReplicaProgress {
  /**
   * The highest version applied to the state that reads see. Only committed entries are ever
   * applied, so everything up to it is committed. Never decreases.
   */
  readonly appliedVersion: number;
  /**
   * The highest version this replica knows to be committed: the leader's high-water mark as last
   * heard (on the leader, its own). At least `appliedVersion`; `committedVersion −
   * appliedVersion` is how far this replica is behind what it has heard of.
   */
  readonly committedVersion: number;
  /**
   * The monotonic time (this replica's `Clock.monotonicMs`) as of which `committedVersion` covers
   * everything the leader had committed: its last contact with the current leader. The arrival
   * of the leader's last append or heartbeat is the simple choice (too fresh by the message's
   * delay); the echo of this replica's own stamp is exact (see
   * {@link ReplicaProgressTracker.leaderContact}). On the leader itself: the start of the last
   * round a majority confirmed its leadership in. `undefined` when it has not heard from a
   * leader in this incarnation. Never decreases.
   */
  lastLeaderContactMs(): number | undefined;
  /**
   * Registers `listener`, called after every apply (or batch of applies) with the new applied
   * version, synchronously, once the state reads see includes it. It must not throw.
   *
   * @returns a function that unregisters it.
   */
  onApplied(listener: AppliedListener): () => void;
}

/** Options of {@link ReplicaProgressTracker}. */
export interface ReplicaProgressTrackerOptions {
  /** The replica's clock; contact times are read from its monotonic time. */
  readonly clock: Clock;
  /** The version already applied (after recovery from a snapshot, say). Default 0. */
  readonly appliedVersion?: number;
}

/**
 * A {@link ReplicaProgress} fed by hand: the code that applies committed entries calls
 * {@link ReplicaProgressTracker.applied}, and the code that hears from the leader calls
 * {@link ReplicaProgressTracker.leaderContact}. Use it to serve follower reads from any
 * replication that does not implement the port itself.
 */
export class ReplicaProgressTracker implements ReplicaProgress {
  readonly #clock: Clock;
  readonly #listeners = new Set<AppliedListener>();
  #appliedVersion: number;
  #committedVersion: number;
  #lastLeaderContactMs: number | undefined = undefined;

  /**
   * @param options - the clock and the version already applied.
   * @throws `InvalidArgumentError` for a bad version or a missing clock.
   */
  constructor(options: ReplicaProgressTrackerOptions) {
    if (typeof options.clock?.monotonicMs !== "function") {
      throw new InvalidArgumentError("A ReplicaProgressTracker needs a clock (the node's Env).");
    }
    this.#clock = options.clock;
    this.#appliedVersion = checkVersion("appliedVersion", options.appliedVersion ?? 0);
    this.#committedVersion = this.#appliedVersion;
  }

  /** {@inheritDoc ReplicaProgress.appliedVersion} */
  get appliedVersion(): number {
    return this.#appliedVersion;
  }

  /** {@inheritDoc ReplicaProgress.committedVersion} */
  get committedVersion(): number {
    return this.#committedVersion;
  }

  /** {@inheritDoc ReplicaProgress.lastLeaderContactMs} */
  lastLeaderContactMs(): number | undefined {
    return this.#lastLeaderContactMs;
  }

  /** {@inheritDoc ReplicaProgress.onApplied} */
  onApplied(listener: AppliedListener): () => void {
    const registered: AppliedListener = (version) => listener(version);
    this.#listeners.add(registered);
    return () => {
      this.#listeners.delete(registered);
    };
  }

  /**
   * Records that the state reads see now includes every committed entry up to `version`, and
   * tells the listeners. Call it after applying, never before. A version already applied changes
   * nothing.
   *
   * @throws `InvalidArgumentError` when `version` is not a safe integer ≥ 0 or is below the
   *   applied version (applies never go back).
   */
  applied(version: number): void {
    checkVersion("applied version", version);
    if (version < this.#appliedVersion) {
      throw new InvalidArgumentError(
        `applied(${version}) would move the applied version back from ${this.#appliedVersion}; ` +
          "applies only move forward (a restarted replica needs a new tracker).",
      );
    }
    if (version === this.#appliedVersion) return;
    this.#appliedVersion = version;
    if (version > this.#committedVersion) this.#committedVersion = version;
    for (const listener of [...this.#listeners]) listener(version);
  }

  /**
   * Records that the current leader said everything up to `committedVersion` is committed (its
   * high-water mark), and that this covers everything it had committed at monotonic time `asOfMs`
   * of this replica. Contact time and mark only move forward.
   *
   * - Default `asOfMs`: now, when the message arrived. Simple, but a message that was slow, or
   *   waited while this process was paused, makes the replica look fresher than it is by that
   *   delay.
   * - Exact: stamp each response to the leader with `clock.monotonicMs()`, have the leader echo
   *   the latest stamp it received in its next append or heartbeat, and pass the echoed stamp.
   *   The leader sent that message after it received the stamp, so its mark covers everything
   *   committed by then, whatever the delays. Tag stamps with the replica's incarnation and pass
   *   only this incarnation's: monotonic time starts again with the process.
   *
   * @throws `InvalidArgumentError` when `committedVersion` is not a safe integer ≥ 0, or `asOfMs`
   *   is not a finite number at most now.
   */
  leaderContact(committedVersion: number, asOfMs?: number): void {
    checkVersion("committedVersion", committedVersion);
    const nowMs = this.#clock.monotonicMs();
    const contactMs = asOfMs ?? nowMs;
    if (typeof contactMs !== "number" || !Number.isFinite(contactMs) || contactMs > nowMs) {
      throw new InvalidArgumentError(
        `asOfMs must be a monotonic time of this replica at most now (${nowMs}), got ` +
          `${String(asOfMs)}; pass only stamps taken by this incarnation.`,
      );
    }
    if (this.#lastLeaderContactMs === undefined || contactMs > this.#lastLeaderContactMs) {
      this.#lastLeaderContactMs = contactMs;
    }
    if (committedVersion > this.#committedVersion) this.#committedVersion = committedVersion;
  }
}
