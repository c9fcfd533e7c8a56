import type { NodeId } from "@pods/core-interfaces";
import { committedIndex, type QuorumSet } from "@pods/majority-quorum";

/** A read the leader confirmed (or refused): the index the reader must wait to apply. */
export interface ReadState {
  /** The read's id (the requester's). */
  readonly id: number;
  /** Who asked: this node (`undefined`) or a follower doing follower ReadIndex. */
  readonly from: NodeId | undefined;
  /** The commit index at the time of the read, confirmed by a quorum; `undefined`: refused. */
  readonly index: number | undefined;
}

interface PendingRead {
  readonly id: number;
  readonly from: NodeId | undefined;
  readonly index: number;
  readonly round: number;
}

/**
 * The leader's heartbeat rounds, and the reads waiting on them (ReadIndex). Each heartbeat
 * broadcast opens a round; a follower's answer to a round confirms the leader's leadership as of
 * the round's start (acknowledgements are cumulative: answering round r answers every earlier
 * one). A read notes the commit index, joins the next round, and is released once a quorum has
 * answered that round. Reads that arrive before the leader's first entry of its generation commits
 * wait for it (the commit index may lag until then).
 *
 * A lease: while `leaseReads` is on, the leader may answer reads alone until the start of the
 * newest quorum-confirmed round plus `leaseMs` (the election timeout minus a drift margin),
 * because followers that heard from it ignore vote requests for one election timeout.
 */
export class ReadRounds {
  readonly #selfId: NodeId;
  readonly #leaseMs: number;
  #round = 0;
  #confirmed = 0;
  readonly #startedMs = new Map<number, number>();
  readonly #acks = new Map<NodeId, number>();
  #pending: PendingRead[] = [];
  #awaitingCommit: { readonly id: number; readonly from: NodeId | undefined }[] = [];
  #leaseMinRound = 1;
  #leaseUntilMs = Number.NEGATIVE_INFINITY;
  /** Whether a read waits for a round that has not been broadcast yet. */
  broadcastNeeded = false;

  /**
   * @param selfId - the leader.
   * @param leaseMs - how long a confirmed round's lease lasts (0: no leases).
   */
  constructor(selfId: NodeId, leaseMs: number) {
    this.#selfId = selfId;
    this.#leaseMs = leaseMs;
  }

  /** The newest round broadcast. */
  get round(): number {
    return this.#round;
  }

  /** The newest round a quorum answered. */
  get confirmedRound(): number {
    return this.#confirmed;
  }

  /** Reads waiting (for a round, or for the first commit of the generation). */
  get pendingCount(): number {
    return this.#pending.length + this.#awaitingCommit.length;
  }

  /** Whether the lease holds at `nowMs`. */
  leaseHolds(nowMs: number): boolean {
    return nowMs < this.#leaseUntilMs;
  }

  /** Ends the lease, and refuses leases from rounds started before now (a transfer). */
  revokeLease(): void {
    this.#leaseUntilMs = Number.NEGATIVE_INFINITY;
    this.#leaseMinRound = this.#round + 1;
  }

  /** Registers a read. `commitIndex` is `undefined` while the generation's first entry is uncommitted. */
  request(id: number, from: NodeId | undefined, commitIndex: number | undefined): void {
    if (commitIndex === undefined) {
      this.#awaitingCommit.push({ id, from });
      return;
    }
    this.#pending.push({ id, from, index: commitIndex, round: this.#round + 1 });
    this.broadcastNeeded = true;
  }

  /** The generation's first entry committed at `commitIndex`: the waiting reads join a round. */
  commitReady(commitIndex: number): void {
    for (const { id, from } of this.#awaitingCommit.splice(0)) {
      this.request(id, from, commitIndex);
    }
  }

  /** Opens a round at `nowMs` (a heartbeat broadcast); returns its number. */
  startRound(nowMs: number): number {
    this.#round++;
    this.#startedMs.set(this.#round, nowMs);
    this.broadcastNeeded = false;
    return this.#round;
  }

  /**
   * `from` answered `round` (or the leader counts itself): returns the reads now confirmed.
   */
  acknowledge(from: NodeId, round: number, quorumSet: QuorumSet): ReadState[] {
    if (round > (this.#acks.get(from) ?? 0)) this.#acks.set(from, Math.min(round, this.#round));
    return this.#release(quorumSet);
  }

  /** Re-evaluates after a change of configuration (or with the leader alone). */
  recheck(quorumSet: QuorumSet): ReadState[] {
    return this.#release(quorumSet);
  }

  /** Refuses every waiting read (leadership lost). */
  refuseAll(): ReadState[] {
    const refused = [...this.#awaitingCommit, ...this.#pending].map(({ id, from }) => ({
      id,
      from,
      index: undefined,
    }));
    this.#pending = [];
    this.#awaitingCommit = [];
    return refused;
  }

  #release(quorumSet: QuorumSet): ReadState[] {
    const acks = new Map(this.#acks);
    acks.set(this.#selfId, this.#round);
    const confirmed = committedIndex(acks, quorumSet);
    if (confirmed <= this.#confirmed) return [];
    this.#confirmed = confirmed;
    if (this.#leaseMs > 0 && confirmed >= this.#leaseMinRound) {
      this.#leaseUntilMs =
        (this.#startedMs.get(confirmed) ?? Number.NEGATIVE_INFINITY) + this.#leaseMs;
    }
    for (const round of this.#startedMs.keys())
      if (round < confirmed) this.#startedMs.delete(round);
    let released = 0;
    while (released < this.#pending.length && this.#pending[released]!.round <= confirmed)
      released++;
    return this.#pending.splice(0, released).map(({ id, from, index }) => ({ id, from, index }));
  }
}
