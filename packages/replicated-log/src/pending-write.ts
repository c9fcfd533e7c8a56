import { entryTypes } from "./entry.ts";
import type { LogChange } from "./follower-append.ts";
import type { Outgoing, Ready } from "./ready.ts";

// How the driver overlaps readies with the write in flight: what they bring is gathered into the
// next write, unless a ready is one of the rare ones that must wait until every write is done.
/** Log changes and acknowledgements gathered for one write. */
export interface PendingWrite {
  /** Log changes to persist, in order (appends only). */
  readonly changes: LogChange[];
  /** Whether the generation or vote must be flushed too. */
  hardStateChanged: boolean;
  /** Messages that leave once the write is durable. */
  readonly afterPersist: Outgoing[];
}

/** A write with nothing in it. */
export function emptyWrite(): PendingWrite {
  return { changes: [], hardStateChanged: false, afterPersist: [] };
}

/** Whether `write` has nothing to do. */
export function isEmptyWrite(write: PendingWrite): boolean {
  return write.changes.length === 0 && !write.hardStateChanged && write.afterPersist.length === 0;
}

/**
 * Whether a ready may overlap the write in flight: only appends to persist, and no snapshot or
 * membership change to apply (those wait until every earlier write is durable).
 */
export function isRoutine(ready: Ready): boolean {
  return (
    ready.snapshotChunks.length === 0 &&
    ready.restore === undefined &&
    ready.snapshotSends.length === 0 &&
    ready.logChanges.every((change) => change.kind === "append") &&
    ready.committedEntries.every((entry) => entry.type !== entryTypes.configuration)
  );
}
