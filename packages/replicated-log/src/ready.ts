import type { NodeId } from "@pods/core-interfaces";
import type { LogEntry } from "./entry.ts";
import type { LogChange } from "./follower-append.ts";
import type { RaftMessage, SnapshotChunk } from "./messages.ts";
import type { ReadState } from "./read-rounds.ts";

/** A message the core wants sent. */
export interface Outgoing {
  /** The receiver. */
  readonly to: NodeId;
  /** The message. */
  readonly message: RaftMessage;
}

/** Leader: stream the chunk at `offset` of the snapshot at `index` to `to`. */
export interface SnapshotSend {
  /** The follower. */
  readonly to: NodeId;
  /** The snapshot's last included index. */
  readonly index: number;
  /** Where the chunk starts in the snapshot file. */
  readonly offset: number;
}

/**
 * What the protocol core asks its driver to do, in this order (etcd's `Ready`):
 * 1. send `messages` now (the leader's appends and heartbeats: they may leave while the leader's
 *    own write is in flight);
 * 2. write `snapshotChunks` in order into the snapshot being received; make `logChanges` durable
 *    in order (a `reset` first installs the received snapshot), and the generation and vote too
 *    when `hardStateChanged` (await the store's `flushed()`);
 * 3. then tell the core with `persisted(lastIndex, lastGeneration)`, and send
 *    `messagesAfterPersist` (acknowledgements and votes, which promise durability);
 * 4. restore the state machine from the snapshot at `restore` when set, apply
 *    `committedEntries` in order, complete `readStates`, and stream `snapshotSends`.
 */
export interface Ready {
  /** Messages to send at once. */
  readonly messages: readonly Outgoing[];
  /** Changes to the log to persist, in order. */
  readonly logChanges: readonly LogChange[];
  /** The generation or vote changed: persist it before sending `messagesAfterPersist`. */
  readonly hardStateChanged: boolean;
  /** Messages to send once everything above is durable. */
  readonly messagesAfterPersist: readonly Outgoing[];
  /** Committed entries to apply, in index order, each once. */
  readonly committedEntries: readonly LogEntry[];
  /** Reads confirmed (or refused) since the last ready. */
  readonly readStates: readonly ReadState[];
  /** Follower: snapshot chunks accepted, in order (offset 0 starts a new snapshot). */
  readonly snapshotChunks: readonly SnapshotChunk[];
  /** Follower: restore the state machine from the installed snapshot at this index. */
  readonly restore: number | undefined;
  /** Leader: snapshot chunks to stream. */
  readonly snapshotSends: readonly SnapshotSend[];
}

/** Whether a ready holds nothing to do. */
export function isEmptyReady(ready: Ready): boolean {
  return (
    ready.messages.length === 0 &&
    ready.logChanges.length === 0 &&
    !ready.hardStateChanged &&
    ready.messagesAfterPersist.length === 0 &&
    ready.committedEntries.length === 0 &&
    ready.readStates.length === 0 &&
    ready.snapshotChunks.length === 0 &&
    ready.restore === undefined &&
    ready.snapshotSends.length === 0
  );
}
