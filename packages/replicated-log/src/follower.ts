import type { NodeId } from "@pods/core-interfaces";
import type { Election } from "@pods/leader-and-followers";
import type { CoreState } from "./core-state.ts";
import type { SnapshotPosition } from "./core-types.ts";
import { followerAppend } from "./follower-append.ts";
import type { AppendRequest, AppendResponse, HeartbeatRequest, SnapshotChunk } from "./messages.ts";
import { SnapshotIntake } from "./snapshot-intake.ts";

/**
 * A follower's answer to an append: refused for a stale generation or a mismatch (with the
 * conflict hint), else merged into the log (truncating a conflicting suffix) with the commit
 * index raised to what both the leader and the matching log allow. The answer leaves once the
 * changes are durable.
 */
export function onAppend(
  state: CoreState,
  election: Election,
  from: NodeId,
  request: AppendRequest,
): void {
  const answer = (fields: Partial<AppendResponse>): void => {
    state.out.afterPersist.push({
      to: from,
      message: {
        type: "append-response",
        generation: election.generation,
        followerId: state.selfId,
        success: false,
        prevLogIndex: request.prevLogIndex,
        matchIndex: 0,
        conflictGeneration: null,
        conflictIndex: 0,
        ...fields,
      },
    });
  };
  if (election.leaderContact(from, request.generation) === "stale") return answer({});
  const outcome = followerAppend(state.log, state.commitIndex, request);
  if (outcome.kind === "refused") return answer(outcome);
  for (const change of outcome.changes) {
    if (change.kind === "truncate") {
      state.durableIndex = Math.min(state.durableIndex, change.from - 1);
    }
    state.out.changes.push(change);
  }
  state.commitTo(Math.min(request.leaderCommit, outcome.matchIndex));
  answer({ success: true, matchIndex: outcome.matchIndex });
}

/** A follower's answer to a heartbeat: it follows, takes the commit index, confirms the round. */
export function onHeartbeat(
  state: CoreState,
  election: Election,
  from: NodeId,
  heartbeat: HeartbeatRequest,
): void {
  if (election.leaderContact(from, heartbeat.generation) !== "stale") {
    state.commitTo(Math.min(heartbeat.commit, state.log.lastIndex));
  }
  state.out.afterPersist.push({
    to: from,
    message: {
      type: "heartbeat-response",
      generation: election.generation,
      followerId: state.selfId,
      round: heartbeat.round,
    },
  });
}

/** A snapshot installed from the leader: where it stands, and its membership (encoded). */
export interface Installed {
  /** Its last included entry. */
  readonly position: SnapshotPosition;
  /** The membership as of it. */
  readonly membership: Uint8Array;
}

/**
 * A follower receiving snapshots: chunks are accepted in order and written by the driver; the
 * last one installs the snapshot — the log restarts after it, the commit and applied indexes
 * jump to it, and the state machine is restored from it.
 */
export class SnapshotFollower {
  readonly #intake = new SnapshotIntake();

  /** Handles a chunk; returns the snapshot when this chunk completed it. */
  onChunk(
    state: CoreState,
    election: Election,
    from: NodeId,
    chunk: SnapshotChunk,
  ): Installed | undefined {
    const ack = (bytesReceived: number, installed: boolean): undefined => {
      state.out.afterPersist.push({
        to: from,
        message: {
          type: "snapshot-ack",
          generation: election.generation,
          followerId: state.selfId,
          lastIncludedIndex: chunk.lastIncludedIndex,
          bytesReceived,
          installed,
        },
      });
      return undefined;
    };
    if (election.leaderContact(from, chunk.generation) === "stale") return ack(0, false);
    const index = chunk.lastIncludedIndex;
    if (index <= state.commitIndex) {
      this.#intake.reset();
      return ack(chunk.fileBytes, true);
    }
    const verdict = this.#intake.accept(chunk);
    if (verdict.kind === "refused") return ack(verdict.bytesReceived, false);
    state.out.snapshotChunks.push(chunk);
    if (!verdict.complete) return ack(verdict.bytesReceived, false);
    const position = {
      index,
      generation: chunk.lastIncludedGeneration,
      clusterTimeMs: chunk.clusterTimeMs,
    };
    state.log.reset(index, position.generation, position.clusterTimeMs);
    state.out.changes.push({ kind: "reset", index, generation: position.generation });
    state.snapshot = position;
    state.commitIndex = index;
    state.appliedIndex = index;
    state.durableIndex = index;
    state.out.restore = index;
    ack(verdict.bytesReceived, true);
    return { position, membership: chunk.membership };
  }
}
