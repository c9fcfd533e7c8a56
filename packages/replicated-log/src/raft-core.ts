import { assertNodeId, NotLeaderError, type Clock, type NodeId } from "@pods/core-interfaces";
import { Election, type Role } from "@pods/leader-and-followers";
import type { QuorumSet } from "@pods/majority-quorum";
import { entryTypes, type LogEntry } from "./entry.ts";
import { UncommittedLimitError } from "./errors.ts";
import type { FollowerStatus, Proposed, RaftCoreOptions, SnapshotPosition } from "./core-types.ts";
import { LeaderState } from "./leader.ts";
import {
  applyChange,
  decodeMembership,
  encodeMembership,
  isJoint,
  quorumSetOf,
  type Membership,
  type MembershipChange,
} from "./membership.ts";
import type { AppendResponse, RaftMessage } from "./messages.ts";
import { resolveReplicationOptions, type ResolvedReplicationOptions } from "./options.ts";
import { RaftLog } from "./raft-log.ts";
import type { ReadState } from "./read-rounds.ts";
import type { Ready } from "./ready.ts";
import { CoreState } from "./core-state.ts";
import { onAppend, onHeartbeat, SnapshotFollower } from "./follower.ts";

/**
 * The replicated log's protocol as a pure state machine (etcd's `raft.Node` without the I/O):
 * fed messages ({@link RaftCore.step}), time ({@link RaftCore.tick} at
 * {@link RaftCore.nextDeadlineMs}), proposals and "persisted up to" events; it answers with a
 * {@link Ready} of messages to send, log changes to persist, committed entries to apply and reads
 * confirmed. Elections are `Election` of `@pods/leader-and-followers`, embedded.
 */
export class RaftCore {
  /** This node. */
  readonly selfId: NodeId;
  /** The options in force. */
  readonly options: ResolvedReplicationOptions;
  /** The log in memory (what the driver mirrors on disk). */
  readonly log: RaftLog;
  readonly #clock: Clock;
  readonly #election: Election;
  #membership: Membership;
  #quorumSet: QuorumSet;
  #leader: LeaderState | undefined;
  /** Whether a leadership transfer was in progress at the last look (see `#noteTransfer`). */
  #wasTransferring = false;
  readonly #state: CoreState;
  readonly #snapshots = new SnapshotFollower();

  /** @throws `InvalidArgumentError` for bad options. */
  constructor(options: RaftCoreOptions) {
    assertNodeId(options.selfId, "selfId");
    this.selfId = options.selfId;
    this.options = resolveReplicationOptions(options);
    this.log = options.log ?? new RaftLog();
    this.#clock = options.clock;
    this.#membership = options.membership;
    this.#quorumSet = quorumSetOf(options.membership);
    this.#state = new CoreState(this.selfId, this.log, options.snapshot, options.commitIndex ?? 0);
    this.#election = new Election({
      ...this.options,
      selfId: options.selfId,
      quorumSet: this.#quorumSet,
      clock: options.clock,
      random: options.random,
      store: options.store,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      host: {
        lastLogPosition: () => ({ index: this.log.lastIndex, generation: this.log.lastGeneration }),
        send: (to, message) => this.#state.out.afterPersist.push({ to, message }),
        heartbeat: () => this.#broadcastHeartbeat(),
        isCaughtUp: (target) =>
          this.#leader?.tracker.progress(target)?.matchIndex === this.log.lastIndex,
        // Not while a committed membership change waits to be applied (it may remove this node).
        mayCampaign: () => !this.log.hasConfigIn(this.#state.appliedIndex, this.#state.commitIndex),
      },
    });
    this.#election.onChange(({ current, previous }) => {
      if (current.role === "leader" && previous.role !== "leader") this.#becomeLeader();
      else if (previous.role === "leader" && current.role !== "leader") this.#stepDown();
    });
  }

  /** The election inside: votes of the current campaign, metrics. */
  get election(): Election {
    return this.#election;
  }

  /** The current role. */
  get role(): Role {
    return this.#election.role;
  }

  /** Whether this node leads. */
  get isLeader(): boolean {
    return this.#leader !== undefined;
  }

  /** The current generation (term). */
  get generation(): number {
    return this.#election.generation;
  }

  /** The vote cast in the current generation. */
  get votedFor(): NodeId | undefined {
    return this.#election.votedFor;
  }

  /** The leader as far as this node knows. */
  get leaderId(): NodeId | undefined {
    return this.#election.leaderId;
  }

  /** The membership in force. */
  get membership(): Membership {
    return this.#membership;
  }

  /** The highest index known committed (the high-water mark). */
  get commitIndex(): number {
    return this.#state.commitIndex;
  }

  /** The highest index handed out in `committedEntries`. */
  get appliedIndex(): number {
    return this.#state.appliedIndex;
  }

  /** The highest index known durable in this node's log. */
  get durableIndex(): number {
    return this.#state.durableIndex;
  }

  /** The newest snapshot this node holds, if any. */
  get snapshot(): SnapshotPosition | undefined {
    return this.#state.snapshot;
  }

  /** When {@link RaftCore.tick} has something to do next (monotonic ms). */
  get nextDeadlineMs(): number {
    return this.#election.nextDeadlineMs;
  }

  /** The leader's view of `follower`, or `undefined` when this node does not lead it. */
  progress(follower: NodeId): FollowerStatus | undefined {
    const leader = this.#leader;
    const progress = leader?.progress.get(follower);
    const known = leader?.tracker.progress(follower);
    if (progress === undefined || known === undefined) return undefined;
    return { state: progress.state, ...known, inflight: progress.inflights.count };
  }

  /** Does what is due: campaigns on an election timeout; heartbeats and CheckQuorum as leader. */
  tick(): void {
    this.#election.tick();
    this.#noteTransfer();
  }

  /** Campaigns now, as if the election timeout had fired (operators, tests). */
  campaign(): void {
    this.#election.campaign();
  }

  /**
   * Hands leadership to `target` (proposals are refused meanwhile).
   *
   * @throws `NotLeaderError` when this node does not lead; `InvalidArgumentError` for a bad target.
   */
  transferLeadership(target: NodeId): void {
    this.#election.transferLeadership(target);
    this.#noteTransfer();
  }

  /**
   * A leadership transfer voids the lease: the target campaigns at once and voters skip the lease
   * check for it, so no heartbeat round started before the transfer ended may lend a lease (not
   * even one confirmed during it, if the transfer is given up).
   */
  #noteTransfer(): void {
    const transferring = this.#election.transferTarget !== undefined;
    if (transferring || this.#wasTransferring) this.#leader?.reads.revokeLease();
    this.#wasTransferring = transferring;
  }

  /**
   * Appends commands to the log as one batch (leader only). They replicate with the next
   * {@link RaftCore.ready}.
   *
   * @throws `NotLeaderError` (definite) when this node does not lead or is handing over;
   *   `UncommittedLimitError` (definite) beyond `uncommittedBytesMax`.
   */
  propose(commands: readonly Uint8Array[]): Proposed {
    const leader = this.#leader;
    if (leader === undefined || this.#election.transferTarget !== undefined) {
      throw new NotLeaderError(this.#election.transferTarget ?? this.leaderId);
    }
    const bytes = commands.reduce((sum, command) => sum + command.length, 0);
    const max = this.options.uncommittedBytesMax;
    if (leader.uncommittedBytes > 0 && leader.uncommittedBytes + bytes > max) {
      throw new UncommittedLimitError(leader.uncommittedBytes, max);
    }
    const firstIndex = this.log.lastIndex + 1;
    this.#appendAsLeader(
      leader,
      commands.map((payload) => ({ type: entryTypes.data, payload })),
    );
    leader.uncommittedBytes += bytes;
    return { firstIndex, generation: leader.generation };
  }

  /**
   * Appends a membership change (leader only); it takes effect on each node when applied. One
   * change at a time; a learner is promoted only once it holds every committed entry.
   *
   * @throws `NotLeaderError` (definite) off the leader; `MembershipChangeError` (definite) while
   *   another change is pending or for a lagging learner; `InvalidArgumentError` for a change
   *   that does not apply to the membership.
   */
  proposeMembership(change: MembershipChange): Proposed {
    const leader = this.#leader;
    if (leader === undefined || this.#election.transferTarget !== undefined) {
      throw new NotLeaderError(this.#election.transferTarget ?? this.leaderId);
    }
    leader.assertChangeAllowed(change, this.#state.appliedIndex, this.#state.commitIndex);
    const next = applyChange(this.#membership, change);
    const firstIndex = this.log.lastIndex + 1;
    this.#appendAsLeader(leader, [
      { type: entryTypes.configuration, payload: encodeMembership(next) },
    ]);
    return { firstIndex, generation: leader.generation };
  }

  /**
   * Starts a linearizable read (ReadIndex): the leader notes its commit index and confirms its
   * leadership with a heartbeat round; a follower asks the leader. The outcome arrives as a
   * {@link ReadState} with this `id` (index `undefined`: refused, retry at the leader).
   */
  readIndex(id: number): void {
    const leader = this.#leader;
    if (leader !== undefined) {
      leader.reads.request(id, undefined, this.#readableCommit(leader));
      return;
    }
    const leaderId = this.leaderId;
    if (leaderId === undefined)
      this.#state.out.readStates.push({ id, from: undefined, index: undefined });
    else this.#state.out.messages.push({ to: leaderId, message: { type: "read-index", id } });
  }

  /**
   * The commit index a lease read may use now without a heartbeat round, or `undefined` (no
   * lease: not the leader, leases off or expired, this generation's first entry not committed).
   */
  leaseReadIndex(): number | undefined {
    const leader = this.#leader;
    if (leader === undefined || !this.options.leaseReads) return undefined;
    if (this.#election.transferTarget !== undefined) return undefined;
    if (!leader.reads.leaseHolds(this.#clock.monotonicMs())) return undefined;
    return this.#readableCommit(leader);
  }

  /** Handles a validated message from `from` (see `raftMessageProblem`). */
  step(from: NodeId, message: RaftMessage): void {
    if (from !== this.selfId) this.#election.heardFrom(from);
    switch (message.type) {
      case "vote-request":
      case "vote-response":
      case "timeout-now":
        this.#election.step(from, message);
        return;
      case "append":
        onAppend(this.#state, this.#election, from, message);
        return;
      case "append-response":
        this.#onAppendResponse(message);
        return;
      case "heartbeat":
        onHeartbeat(this.#state, this.#election, from, message);
        return;
      case "heartbeat-response": {
        if (this.#election.observeGeneration(message.generation) !== "current") return;
        const leader = this.#leader;
        if (leader === undefined) return;
        leader.onHeartbeatResponse(from, this.#clock.monotonicMs());
        this.#deliverReads(leader.reads.acknowledge(from, message.round, this.#quorumSet));
        return;
      }
      case "read-index": {
        const leader = this.#leader;
        if (leader === undefined) {
          this.#state.out.messages.push({
            to: from,
            message: {
              type: "read-index-response",
              generation: this.generation,
              id: message.id,
              index: null,
            },
          });
        } else leader.reads.request(message.id, from, this.#readableCommit(leader));
        return;
      }
      case "read-index-response":
        this.#state.out.readStates.push({
          id: message.id,
          from: undefined,
          index: message.index ?? undefined,
        });
        return;
      case "snapshot": {
        const installed = this.#snapshots.onChunk(this.#state, this.#election, from, message);
        if (installed !== undefined) this.#useMembership(decodeMembership(installed.membership));
        return;
      }
      case "snapshot-ack": {
        if (this.#election.observeGeneration(message.generation) !== "current") return;
        const leader = this.#leader;
        const offset = leader?.onSnapshotAck(message, this.#clock.monotonicMs());
        if (leader !== undefined) this.#commitTo(leader, leader.tracker.commitIndex);
        if (offset !== undefined) {
          this.#state.out.snapshotSends.push({
            to: from,
            index: message.lastIncludedIndex,
            offset,
          });
        }
        return;
      }
    }
  }

  /**
   * The driver saved a snapshot of the state machine at `position` (an applied index): the log
   * below it, but for `entriesRetainedAfterSnapshot` entries, is dropped. Returns the log's new
   * first index (what the write-ahead log may delete below).
   */
  snapshotTaken(position: SnapshotPosition): number {
    if (position.index > (this.#state.snapshot?.index ?? 0)) this.#state.snapshot = position;
    const keepFrom = position.index + 1 - this.options.entriesRetainedAfterSnapshot;
    if (keepFrom > this.log.firstIndex) this.log.compactTo(keepFrom);
    return this.log.firstIndex;
  }

  /**
   * The log is durable up to `index`, whose entry has `generation` (the last of a persisted
   * {@link Ready}'s changes). Ignored when the log no longer holds that entry.
   */
  persisted(index: number, generation: number): void {
    if (index <= this.#state.durableIndex || !this.log.matches(index, generation)) return;
    this.#state.durableIndex = index;
    const leader = this.#leader;
    if (leader !== undefined) this.#commitTo(leader, leader.tracker.selfDurable(index));
  }

  /** Collects what the driver must do; `undefined` when there is nothing. */
  ready(): Ready | undefined {
    const leader = this.#leader;
    if (leader !== undefined) {
      for (const follower of leader.progress.keys()) {
        for (;;) {
          const append = leader.nextAppend(
            follower,
            this.#state.commitIndex,
            this.#clock.monotonicMs(),
            this.#state.snapshot?.index ?? 0,
          );
          if (append === undefined) break;
          if (append === "snapshot") {
            this.#state.out.snapshotSends.push({
              to: follower,
              index: this.#state.snapshot!.index,
              offset: 0,
            });
            break;
          }
          this.#state.out.messages.push({ to: follower, message: append });
        }
      }
      if (leader.reads.broadcastNeeded) this.#broadcastHeartbeat();
    }
    let committedEntries: LogEntry[] = [];
    if (this.#state.commitIndex > this.#state.appliedIndex) {
      committedEntries = this.log.slice(this.#state.appliedIndex + 1, Infinity, Infinity);
      committedEntries.length = this.#state.commitIndex - this.#state.appliedIndex;
      this.#state.appliedIndex = this.#state.commitIndex;
      for (const entry of committedEntries) {
        if (entry.type === entryTypes.configuration) {
          this.#useMembership(decodeMembership(entry.payload));
        }
      }
    }
    return this.#state.out.take(this.#election.takeHardStateChanged(), committedEntries);
  }

  /** A membership applies: elections, commit counting and reads follow it at once. */
  #useMembership(next: Membership): void {
    this.#membership = next;
    this.#quorumSet = quorumSetOf(next);
    this.#election.reconfigure(this.#quorumSet);
    const leader = this.#leader;
    if (leader === undefined) return;
    this.#commitTo(leader, leader.reconfigure(this.#quorumSet, this.selfId));
    this.#deliverReads(leader.reads.recheck(this.#quorumSet));
    if (isJoint(next) && !this.log.hasConfigIn(this.#state.appliedIndex, this.log.lastIndex)) {
      // Joint consensus is a passage: the leader leaves it as soon as it is in force.
      this.#appendAsLeader(leader, [
        {
          type: entryTypes.configuration,
          payload: encodeMembership(applyChange(next, { kind: "leave-joint" })),
        },
      ]);
    }
  }

  #onAppendResponse(response: AppendResponse): void {
    if (this.#election.observeGeneration(response.generation) !== "current") return;
    const leader = this.#leader;
    if (leader === undefined) return;
    leader.onAppendResponse(response, this.#clock.monotonicMs());
    this.#commitTo(leader, leader.tracker.commitIndex);
    if (
      response.success &&
      this.#election.transferTarget === response.followerId &&
      response.matchIndex >= this.log.lastIndex
    ) {
      this.#election.transferTargetCaughtUp();
    }
  }

  #becomeLeader(): void {
    const leader = new LeaderState({
      selfId: this.selfId,
      generation: this.generation,
      log: this.log,
      quorumSet: this.#quorumSet,
      commitIndex: this.#state.commitIndex,
      durableIndex: this.#state.durableIndex,
      nowMs: this.#clock.monotonicMs(),
      options: this.options,
    });
    this.#leader = leader;
    this.#appendAsLeader(leader, [{ type: entryTypes.noop, payload: new Uint8Array(0) }]);
    leader.firstIndex = this.log.lastIndex;
  }

  #stepDown(): void {
    const leader = this.#leader;
    this.#leader = undefined;
    if (leader !== undefined) this.#deliverReads(leader.reads.refuseAll());
  }

  #appendAsLeader(
    leader: LeaderState,
    inputs: readonly { readonly type: LogEntry["type"]; readonly payload: Uint8Array }[],
  ): void {
    const clusterTimeMs = leader.clusterTimeAt(this.#clock.monotonicMs());
    const entries = inputs.map(({ type, payload }, k): LogEntry => ({
      index: this.log.lastIndex + 1 + k,
      generation: leader.generation,
      type,
      clusterTimeMs,
      payload,
    }));
    this.log.append(entries);
    leader.tracker.appended(this.log.lastIndex);
    this.#state.out.changes.push({ kind: "append", entries });
  }

  #commitTo(leader: LeaderState, commitIndex: number): void {
    if (commitIndex <= this.#state.commitIndex) return;
    leader.uncommittedBytes -= this.log.bytesOfGeneration(
      this.#state.commitIndex + 1,
      commitIndex,
      leader.generation,
    );
    this.#state.commitIndex = commitIndex;
    if (leader.tracker.currentGenerationCommitted) leader.reads.commitReady(commitIndex);
  }

  #readableCommit(leader: LeaderState): number | undefined {
    return leader.tracker.currentGenerationCommitted ? this.#state.commitIndex : undefined;
  }

  #broadcastHeartbeat(): void {
    const leader = this.#leader;
    if (leader === undefined) return;
    const round = leader.reads.startRound(this.#clock.monotonicMs());
    for (const follower of leader.progress.keys()) {
      const match = leader.tracker.progress(follower)?.matchIndex ?? 0;
      this.#state.out.messages.push({
        to: follower,
        message: {
          type: "heartbeat",
          generation: leader.generation,
          leaderId: this.selfId,
          commit: Math.min(this.#state.commitIndex, match),
          round,
        },
      });
    }
    this.#deliverReads(leader.reads.recheck(this.#quorumSet));
  }

  #deliverReads(states: readonly ReadState[]): void {
    for (const state of states) {
      if (state.from === undefined) {
        this.#state.out.readStates.push(state);
        continue;
      }
      this.#state.out.messages.push({
        to: state.from,
        message: {
          type: "read-index-response",
          generation: this.generation,
          id: state.id,
          index: state.index ?? null,
        },
      });
    }
  }
}
