import { assertNodeId, InvalidArgumentError, type NodeId } from "@pods/core-interfaces";
import { committedIndex, type QuorumSet } from "@pods/majority-quorum";

/** Options of {@link LeaderCommitTracker}. */
export interface LeaderCommitTrackerOptions {
  /** The leader (this node). */
  readonly selfId: NodeId;
  /** Who votes on commits (joint configurations included) and who only learns. */
  readonly quorumSet: QuorumSet;
  /** The leader's generation: only entries of this generation are counted towards a commit. */
  readonly generation: number;
  /** The leader's high-water mark when it took over: the tracker never reports less. */
  readonly commitIndex: number;
  /** The leader's last log index when it took over: followers are first probed just after it. */
  readonly lastIndex: number;
  /** The generation of an entry of the leader's log (a `WriteAheadLog`'s `generationAt`). */
  readonly generationAt: (index: number) => number;
}

/** What a leader knows of one follower's log. */
export interface FollowerProgress {
  /** The highest index known to match the leader's log (0 when unknown). */
  readonly matchIndex: number;
  /** The next index to send. */
  readonly nextIndex: number;
}

function assertIndex(index: number, what: string): void {
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new InvalidArgumentError(`${what} must be a safe integer >= 0, got ${String(index)}.`);
  }
}

/**
 * A leader's view of replication: `matchIndex` and `nextIndex` per follower (learners included),
 * and the commit index they imply. Pure and synchronous: feed it acknowledgements, refusals and
 * the leader's own durable index; it answers with the new commit index, for
 * {@link HighWaterMark.advance}.
 *
 * The commit index is the highest index N held by a replication quorum (`committedIndex`, both
 * halves of a joint configuration) **whose entry has the leader's current generation**: entries
 * of earlier generations commit only indirectly, under a later entry of this generation (the
 * book's five-node election shows why). The leader counts itself only for what it has durably
 * written. It never decreases.
 */
export class LeaderCommitTracker {
  /** The leader. */
  readonly selfId: NodeId;
  /** The leader's generation. */
  readonly generation: number;
  readonly #generationAt: (index: number) => number;
  readonly #progress = new Map<NodeId, { matchIndex: number; nextIndex: number }>();
  readonly #match = new Map<NodeId, number>();
  #quorumSet: QuorumSet;
  #commitIndex: number;
  #lastIndex: number;
  #countedCommit = false;

  /** @throws `InvalidArgumentError` for bad options. */
  constructor(options: LeaderCommitTrackerOptions) {
    assertNodeId(options.selfId, "selfId");
    assertIndex(options.generation, "generation");
    assertIndex(options.commitIndex, "commitIndex");
    assertIndex(options.lastIndex, "lastIndex");
    this.selfId = options.selfId;
    this.generation = options.generation;
    this.#generationAt = options.generationAt;
    this.#commitIndex = options.commitIndex;
    this.#lastIndex = options.lastIndex;
    this.#quorumSet = options.quorumSet;
    this.#match.set(this.selfId, 0);
    this.#reconfigure(options.quorumSet);
  }

  /** The commit index: never decreases. */
  get commitIndex(): number {
    return this.#commitIndex;
  }

  /** The configuration counted against. */
  get quorumSet(): QuorumSet {
    return this.#quorumSet;
  }

  /**
   * Whether an entry of this generation has committed (the leader's no-op, usually). Until then
   * the leader's mark may lag what earlier leaders committed, so it must not serve mark-gated
   * reads.
   */
  get currentGenerationCommitted(): boolean {
    return this.#countedCommit;
  }

  /** The progress of `follower`, or `undefined` for a node that is not a member. */
  progress(follower: NodeId): FollowerProgress | undefined {
    const progress = this.#progress.get(follower);
    return progress === undefined ? undefined : { ...progress };
  }

  /** The match index of every member (the leader's own durable index included). */
  matchIndexes(): ReadonlyMap<NodeId, number> {
    return new Map(this.#match);
  }

  /**
   * The leader appended up to `lastIndex` (so new followers start probing after it). Call it after
   * every append.
   */
  appended(lastIndex: number): void {
    assertIndex(lastIndex, "lastIndex");
    this.#lastIndex = Math.max(this.#lastIndex, lastIndex);
  }

  /**
   * The leader's own log is durable up to `durableIndex`: the leader counts towards a quorum only
   * for that. Returns the commit index.
   */
  selfDurable(durableIndex: number): number {
    assertIndex(durableIndex, "durableIndex");
    this.#match.set(this.selfId, Math.max(this.#match.get(this.selfId) ?? 0, durableIndex));
    return this.#recompute();
  }

  /**
   * `follower` acknowledged that its log matches the leader's up to `matchIndex` (and holds it
   * durably). Match indexes only rise: a late or duplicated acknowledgement changes nothing.
   * Returns the commit index. Acknowledgements from non-members are ignored.
   */
  acknowledged(follower: NodeId, matchIndex: number): number {
    assertIndex(matchIndex, "matchIndex");
    const progress = this.#progress.get(follower);
    if (progress === undefined) return this.#commitIndex;
    progress.matchIndex = Math.max(progress.matchIndex, matchIndex);
    progress.nextIndex = Math.max(progress.nextIndex, progress.matchIndex + 1);
    this.#match.set(follower, progress.matchIndex);
    return this.#recompute();
  }

  /**
   * `follower` refused an append; resume at `nextIndex` (from `GenerationHistory.nextIndexAfter`
   * of its hint). Never below its match index + 1.
   */
  refused(follower: NodeId, nextIndex: number): void {
    assertIndex(nextIndex, "nextIndex");
    const progress = this.#progress.get(follower);
    if (progress === undefined) return;
    progress.nextIndex = Math.max(
      progress.matchIndex + 1,
      Math.min(nextIndex, this.#lastIndex + 1),
    );
  }

  /** Entries up to `lastSentIndex` were sent to `follower`: pipeline the next ones after them. */
  sent(follower: NodeId, lastSentIndex: number): void {
    assertIndex(lastSentIndex, "lastSentIndex");
    const progress = this.#progress.get(follower);
    if (progress !== undefined)
      progress.nextIndex = Math.max(progress.nextIndex, lastSentIndex + 1);
  }

  /**
   * Switches to a new configuration (entering or leaving a joint one, adding a learner): new
   * members start probing after the leader's last index; removed ones are forgotten. Returns the
   * commit index under the new configuration.
   */
  reconfigure(quorumSet: QuorumSet): number {
    this.#reconfigure(quorumSet);
    return this.#recompute();
  }

  #reconfigure(quorumSet: QuorumSet): void {
    this.#quorumSet = quorumSet;
    const members = new Set([...quorumSet.voters, ...quorumSet.learners]);
    members.delete(this.selfId);
    for (const id of [...this.#progress.keys()]) {
      if (!members.has(id)) {
        this.#progress.delete(id);
        this.#match.delete(id);
      }
    }
    for (const id of members) {
      if (!this.#progress.has(id)) {
        this.#progress.set(id, { matchIndex: 0, nextIndex: this.#lastIndex + 1 });
        this.#match.set(id, 0);
      }
    }
  }

  #recompute(): number {
    const candidate = committedIndex(this.#match, this.#quorumSet);
    // Only an entry of the current generation is committed by counting; generations never
    // decrease along the log, so if N's entry is older, every lower one is too.
    if (candidate > this.#commitIndex && this.#generationAt(candidate) === this.generation) {
      this.#commitIndex = candidate;
      this.#countedCommit = true;
    }
    return this.#commitIndex;
  }
}
