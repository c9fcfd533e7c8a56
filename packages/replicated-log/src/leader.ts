import type { NodeId } from "@pods/core-interfaces";
import { GenerationHistory } from "@pods/generation-clock";
import { LeaderCommitTracker } from "@pods/high-water-mark";
import type { QuorumSet } from "@pods/majority-quorum";
import { MembershipChangeError } from "./errors.ts";
import type { MembershipChange } from "./membership.ts";
import type { AppendRequest, AppendResponse, SnapshotAck } from "./messages.ts";
import type { ResolvedReplicationOptions } from "./options.ts";
import { Progress } from "./progress.ts";
import type { RaftLog } from "./raft-log.ts";
import { ReadRounds } from "./read-rounds.ts";

/** What the leader state needs from the node it runs in. */
export interface LeaderContext {
  readonly selfId: NodeId;
  readonly generation: number;
  readonly log: RaftLog;
  readonly quorumSet: QuorumSet;
  readonly commitIndex: number;
  readonly durableIndex: number;
  readonly nowMs: number;
  readonly options: ResolvedReplicationOptions;
}

/**
 * The state a node keeps only while it leads one generation: what it knows of each follower
 * (match and next index in a `LeaderCommitTracker`, flow control in a {@link Progress}), the
 * heartbeat rounds reads wait on, the uncommitted bytes, and the cluster-time base. Created on
 * winning an election and dropped on losing it.
 */
export class LeaderState {
  readonly generation: number;
  readonly tracker: LeaderCommitTracker;
  readonly reads: ReadRounds;
  readonly progress = new Map<NodeId, Progress>();
  /** Payload bytes appended in this generation and not committed yet. */
  uncommittedBytes = 0;
  /** The index of this leader's first entry (its no-op). */
  firstIndex = 0;
  readonly #log: RaftLog;
  readonly #options: ResolvedReplicationOptions;
  readonly #clusterTimeBaseMs: number;
  readonly #monotonicBaseMs: number;

  constructor(context: LeaderContext) {
    this.generation = context.generation;
    this.#log = context.log;
    this.#options = context.options;
    this.tracker = new LeaderCommitTracker({
      selfId: context.selfId,
      quorumSet: context.quorumSet,
      generation: context.generation,
      commitIndex: context.commitIndex,
      lastIndex: context.log.lastIndex,
      generationAt: (index) => context.log.generationAt(index),
    });
    this.tracker.selfDurable(context.durableIndex);
    const options = context.options;
    const leaseMs = options.leaseReads ? options.electionTimeoutMs - options.leaseDriftMarginMs : 0;
    this.reads = new ReadRounds(context.selfId, leaseMs);
    this.#clusterTimeBaseMs = context.log.lastClusterTimeMs;
    this.#monotonicBaseMs = context.nowMs;
    this.#syncMembers(context.quorumSet, context.selfId);
  }

  /**
   * The cluster time of an entry appended at `nowMs`: the last entry's time when this leader
   * took over, advanced by the leader's monotonic elapsed time; never below the last entry's.
   */
  clusterTimeAt(nowMs: number): number {
    const elapsed = Math.max(0, nowMs - this.#monotonicBaseMs);
    return Math.max(this.#log.lastClusterTimeMs, this.#clusterTimeBaseMs + elapsed);
  }

  /**
   * Refuses (definitely) a membership change that cannot be made now: another change is not
   * applied yet (one at a time); this leader's first entry is not applied yet (a change could
   * then be concurrent with one an earlier leader left in the log); or the learner to promote
   * does not hold every committed entry.
   *
   * @throws `MembershipChangeError`.
   */
  assertChangeAllowed(change: MembershipChange, appliedIndex: number, commitIndex: number): void {
    if (this.#log.hasConfigIn(appliedIndex, this.#log.lastIndex)) {
      throw new MembershipChangeError(
        "another change is not applied yet; retry once it is (one change at a time).",
      );
    }
    if (appliedIndex < this.firstIndex) {
      throw new MembershipChangeError(
        "this leader's first entry is not applied yet; retry in a moment.",
      );
    }
    if (change.kind === "promote") {
      const match = this.tracker.progress(change.node)?.matchIndex ?? 0;
      if (match < commitIndex) {
        throw new MembershipChangeError(
          `learner ${change.node} holds up to ${match}, below the commit index ` +
            `${commitIndex}; promote it once it has caught up.`,
        );
      }
    }
  }

  /** Follows a new configuration: new members start probing, removed ones are forgotten. */
  reconfigure(quorumSet: QuorumSet, selfId: NodeId): number {
    const commit = this.tracker.reconfigure(quorumSet);
    this.#syncMembers(quorumSet, selfId);
    return commit;
  }

  #syncMembers(quorumSet: QuorumSet, selfId: NodeId): void {
    const members = new Set([...quorumSet.voters, ...quorumSet.learners]);
    members.delete(selfId);
    for (const id of [...this.progress.keys()]) if (!members.has(id)) this.progress.delete(id);
    for (const id of members) {
      if (!this.progress.has(id)) this.progress.set(id, new Progress(this.#options.inflightMax));
    }
  }

  /**
   * The next append for `follower`, or `undefined` when flow control holds it back (a probe in
   * flight, a full window, a snapshot being sent) or there is nothing to say. `commitIndex` is
   * sent along; an empty append goes out only to probe or to carry a newer commit index.
   */
  nextAppend(
    follower: NodeId,
    commitIndex: number,
    nowMs: number,
    snapshotIndex: number,
  ): AppendRequest | "snapshot" | undefined {
    const progress = this.progress.get(follower);
    const known = this.tracker.progress(follower);
    if (progress === undefined || known === undefined) return undefined;
    const log = this.#log;
    if (progress.state === "snapshot") return undefined;
    if (progress.state === "probe" && progress.probeSent) return undefined;
    if (progress.state === "replicate" && progress.inflights.full) return undefined;
    const next = known.nextIndex;
    if (next < log.firstIndex) {
      // The follower needs entries compacted away: stream the snapshot.
      progress.becomeSnapshot(snapshotIndex, nowMs);
      return "snapshot";
    }
    const hasEntries = next <= log.lastIndex;
    if (progress.state === "replicate" && !hasEntries && progress.sentCommit >= commitIndex) {
      return undefined;
    }
    const entries = hasEntries
      ? log.slice(next, this.#options.messageBytesMax, this.#options.messageEntriesMax)
      : [];
    const last = next - 1 + entries.length;
    if (progress.state === "probe") progress.probeSent = true;
    else if (entries.length > 0) {
      progress.inflights.add(last);
      this.tracker.sent(follower, last);
    }
    progress.sentCommit = commitIndex;
    return {
      type: "append",
      generation: this.generation,
      leaderId: this.tracker.selfId,
      prevLogIndex: next - 1,
      prevLogGeneration: log.generationAt(next - 1),
      entries: entries.map(({ generation, type, clusterTimeMs, payload }) => ({
        generation,
        type,
        clusterTimeMs,
        payload,
      })),
      leaderCommit: commitIndex,
    };
  }

  /**
   * A follower answered an append of this generation. On success its match index rises and it
   * pipelines; on refusal it probes again from where its conflict hint says (one round trip per
   * generation, not per entry). Stale answers (at or below the match index) change nothing.
   */
  onAppendResponse(response: AppendResponse, nowMs: number): void {
    const follower = response.followerId;
    const progress = this.progress.get(follower);
    const known = this.tracker.progress(follower);
    if (progress === undefined || known === undefined) return;
    if (response.success) {
      if (response.matchIndex > known.matchIndex) progress.gapProbeMs = nowMs;
      this.tracker.acknowledged(follower, response.matchIndex);
      progress.inflights.freeTo(response.matchIndex);
      if (progress.state === "probe") {
        progress.becomeReplicate();
        this.tracker.refused(follower, response.matchIndex + 1);
      }
      return;
    }
    if (response.prevLogIndex <= known.matchIndex) return;
    const hinted = new GenerationHistory(this.#log).nextIndexAfter({
      generation: response.conflictGeneration ?? undefined,
      firstIndex: response.conflictIndex,
    });
    progress.becomeProbe();
    this.tracker.refused(follower, Math.min(hinted, response.prevLogIndex));
  }

  /**
   * A follower acknowledged a snapshot chunk: returns the offset of the next chunk to send, or
   * `undefined` when it installed the snapshot (it probes from after it) or the ack is stale.
   */
  onSnapshotAck(ack: SnapshotAck, nowMs: number): number | undefined {
    const follower = ack.followerId;
    const progress = this.progress.get(follower);
    if (progress === undefined) return undefined;
    if (ack.installed) {
      this.tracker.acknowledged(follower, ack.lastIncludedIndex);
      if (progress.state === "snapshot") {
        progress.becomeProbe();
        this.tracker.refused(follower, ack.lastIncludedIndex + 1);
      }
      return undefined;
    }
    if (progress.state !== "snapshot" || ack.lastIncludedIndex !== progress.pendingSnapshotIndex) {
      return undefined;
    }
    progress.snapshotActivityMs = nowMs;
    return ack.bytesReceived;
  }

  /**
   * A follower answered a heartbeat: a probe may be retried; a pipeline that made no progress
   * for two heartbeat intervals (an append lost) restarts from the match index; a snapshot
   * transfer silent for an election timeout starts over.
   */
  onHeartbeatResponse(follower: NodeId, nowMs: number): void {
    const progress = this.progress.get(follower);
    const known = this.tracker.progress(follower);
    if (progress === undefined || known === undefined) return;
    if (progress.state === "snapshot") {
      if (nowMs - progress.snapshotActivityMs >= this.#options.electionTimeoutMs) {
        progress.becomeProbe();
      }
      return;
    }
    if (known.matchIndex >= this.#log.lastIndex) return;
    if (progress.state === "probe") {
      progress.probeSent = false;
      return;
    }
    const stalledMs = 2 * this.#options.heartbeatIntervalMs;
    if (progress.state === "replicate" && nowMs - progress.gapProbeMs >= stalledMs) {
      progress.gapProbeMs = nowMs;
      progress.becomeProbe();
      this.tracker.refused(follower, known.matchIndex + 1);
    }
  }
}
