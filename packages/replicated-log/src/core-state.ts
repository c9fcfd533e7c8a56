import type { NodeId } from "@pods/core-interfaces";
import type { SnapshotPosition } from "./core-types.ts";
import { Outbox } from "./outbox.ts";
import type { RaftLog } from "./raft-log.ts";

/** The state the parts of the protocol core share: indexes, the log, and what goes out. */
export class CoreState {
  /** This node. */
  readonly selfId: NodeId;
  /** The log in memory. */
  readonly log: RaftLog;
  /** What the core produced since the last ready. */
  readonly out = new Outbox();
  /** The highest index known committed. */
  commitIndex: number;
  /** The highest index handed out to apply. */
  appliedIndex: number;
  /** The highest index known durable here. */
  durableIndex: number;
  /** The newest snapshot this node holds. */
  snapshot: SnapshotPosition | undefined;

  /**
   * @param selfId - this node.
   * @param log - the log recovered.
   * @param snapshot - the snapshot the state machine was restored from.
   * @param knownCommit - a commit index persisted before a restart.
   */
  constructor(
    selfId: NodeId,
    log: RaftLog,
    snapshot: SnapshotPosition | undefined,
    knownCommit: number,
  ) {
    this.selfId = selfId;
    this.log = log;
    this.snapshot = snapshot;
    this.appliedIndex = Math.max(log.firstIndex - 1, snapshot?.index ?? 0);
    this.commitIndex = Math.max(this.appliedIndex, Math.min(knownCommit, log.lastIndex));
    this.durableIndex = log.lastIndex;
  }

  /** Raises the commit index to `index` (never lowers it). */
  commitTo(index: number): void {
    if (index > this.commitIndex) this.commitIndex = index;
  }
}
