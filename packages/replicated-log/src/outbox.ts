import type { LogEntry } from "./entry.ts";
import type { LogChange } from "./follower-append.ts";
import type { SnapshotChunk } from "./messages.ts";
import type { ReadState } from "./read-rounds.ts";
import { isEmptyReady, type Outgoing, type Ready, type SnapshotSend } from "./ready.ts";

/** What the core produced since the last {@link Ready}, gathered until the driver takes it. */
export class Outbox {
  /** Messages that may leave at once (the leader's appends and heartbeats, reads). */
  messages: Outgoing[] = [];
  /** Messages that promise durability: they leave once the ready is persisted. */
  afterPersist: Outgoing[] = [];
  /** Log changes, in order. */
  changes: LogChange[] = [];
  /** Reads confirmed or refused. */
  readStates: ReadState[] = [];
  /** Snapshot chunks accepted, in order. */
  snapshotChunks: SnapshotChunk[] = [];
  /** Snapshot chunks to stream. */
  snapshotSends: SnapshotSend[] = [];
  /** The snapshot to restore the state machine from. */
  restore: number | undefined;

  /** Everything gathered, as a ready (`undefined` when there is nothing), and starts afresh. */
  take(hardStateChanged: boolean, committedEntries: LogEntry[]): Ready | undefined {
    const ready: Ready = {
      messages: this.messages,
      logChanges: this.changes,
      hardStateChanged,
      messagesAfterPersist: this.afterPersist,
      committedEntries,
      readStates: this.readStates,
      snapshotChunks: this.snapshotChunks,
      restore: this.restore,
      snapshotSends: this.snapshotSends,
    };
    this.messages = [];
    this.afterPersist = [];
    this.changes = [];
    this.readStates = [];
    this.snapshotChunks = [];
    this.snapshotSends = [];
    this.restore = undefined;
    return isEmptyReady(ready) ? undefined : ready;
  }
}
