import { invariant } from "@pods/core-interfaces";

/**
 * How the leader replicates to one follower:
 * - `probe`: where the follower's log matches is unknown; one append at a time, paused until it is
 *   answered or the next heartbeat is answered;
 * - `replicate`: the follower matched; appends are pipelined, up to `inflightMax` unanswered;
 * - `snapshot`: the follower needs entries the leader no longer holds; a snapshot is streamed and
 *   appends wait.
 */
export type ProgressState = "probe" | "replicate" | "snapshot";

/**
 * The appends in flight to one follower: a ring of the last index each carried. Freed from the
 * oldest as acknowledgements arrive (cumulative: acknowledging index i frees every append ending
 * at or before i).
 */
export class Inflights {
  readonly #ring: Float64Array;
  #start = 0;
  #count = 0;

  /** @param capacity - the most appends in flight. */
  constructor(capacity: number) {
    this.#ring = new Float64Array(capacity);
  }

  /** Appends in flight. */
  get count(): number {
    return this.#count;
  }

  /** Whether no more may be sent. */
  get full(): boolean {
    return this.#count === this.#ring.length;
  }

  /** Notes an append whose last entry is `lastIndex`. */
  add(lastIndex: number): void {
    invariant(!this.full, "an append was sent with the inflight window full");
    this.#ring[(this.#start + this.#count) % this.#ring.length] = lastIndex;
    this.#count++;
  }

  /** Frees the appends ending at or before `index`. */
  freeTo(index: number): void {
    while (this.#count > 0 && this.#ring[this.#start]! <= index) {
      this.#start = (this.#start + 1) % this.#ring.length;
      this.#count--;
    }
  }

  /** Frees everything. */
  reset(): void {
    this.#start = 0;
    this.#count = 0;
  }
}

/** The leader's flow-control state for one follower (match and next index live in the tracker). */
export class Progress {
  /** The replication state. */
  state: ProgressState = "probe";
  /** The appends in flight (replicate state). */
  readonly inflights: Inflights;
  /** Probe state: an append was sent and is not answered yet. */
  probeSent = false;
  /** Snapshot state: the snapshot being sent (its last included index). */
  pendingSnapshotIndex = 0;
  /** Snapshot state: when the follower last showed progress (monotonic ms). */
  snapshotActivityMs = 0;
  /** The commit index last sent to the follower. */
  sentCommit = 0;
  /** When the last gap probe (an empty append after a heartbeat answer) was sent. */
  gapProbeMs = Number.NEGATIVE_INFINITY;

  /** @param inflightMax - the replicate window. */
  constructor(inflightMax: number) {
    this.inflights = new Inflights(inflightMax);
  }

  /** Back to probing (after a refusal, or a finished snapshot). */
  becomeProbe(): void {
    this.state = "probe";
    this.probeSent = false;
    this.inflights.reset();
  }

  /** Pipelining: the follower's log matched. */
  becomeReplicate(): void {
    this.state = "replicate";
    this.probeSent = false;
    this.inflights.reset();
  }

  /** Streaming the snapshot at `index`. */
  becomeSnapshot(index: number, nowMs: number): void {
    this.state = "snapshot";
    this.pendingSnapshotIndex = index;
    this.snapshotActivityMs = nowMs;
    this.probeSent = false;
    this.inflights.reset();
  }
}
