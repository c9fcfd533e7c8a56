import { CorruptionError } from "@pods/core-interfaces";
import { entryTypes, type Entry } from "@pods/write-ahead-log";

export { entryTypes };

/** The type tags of log entries (those of `@pods/write-ahead-log`). */
export type EntryType = (typeof entryTypes)[keyof typeof entryTypes];

/** One entry of the replicated log. */
export interface LogEntry {
  /** Its position: 1-based, consecutive. */
  readonly index: number;
  /** The generation (term) of the leader that appended it. */
  readonly generation: number;
  /** What it holds: a command (`data`), nothing (`noop`), or a membership (`configuration`). */
  readonly type: EntryType;
  /**
   * Cluster time, in ms: stamped by the leader that appended it, advancing only by that leader's
   * monotonic elapsed time and continuing from the previous entry's value after a leader change.
   * Never decreases along the log; the same on every replica. State machines use it for decisions
   * that must not read a replica's clock (session expiry).
   */
  readonly clusterTimeMs: number;
  /** The encoded command, or the encoded membership; empty for a no-op. */
  readonly payload: Uint8Array;
}

/** Bytes of the cluster-time prefix of an entry's payload in the write-ahead log. */
export const clusterTimePrefixBytes = 8;

const clusterTimeScratch = new DataView(new ArrayBuffer(clusterTimePrefixBytes));

/**
 * The write-ahead-log payload of `entry`, in two parts the log writes back to back: its cluster
 * time (float64, big-endian), then its payload (not copied).
 */
export function walPayloadOf(entry: LogEntry): readonly [Uint8Array, Uint8Array] {
  clusterTimeScratch.setFloat64(0, entry.clusterTimeMs);
  // Eight bytes stay inside the JavaScript heap: cheaper than one array holding both parts.
  const prefix = new Uint8Array(clusterTimePrefixBytes);
  for (let at = 0; at < clusterTimePrefixBytes; at++) prefix[at] = clusterTimeScratch.getUint8(at);
  return [prefix, entry.payload];
}

/**
 * The log entry a write-ahead-log entry holds.
 *
 * @throws `CorruptionError` when it is too short for its cluster time, or has an unknown type.
 */
export function logEntryOf(entry: Entry): LogEntry {
  const { payload } = entry;
  if (payload.length < clusterTimePrefixBytes) {
    throw new CorruptionError("a replicated-log entry is shorter than its cluster-time prefix", {
      index: entry.index,
    });
  }
  if (entry.type > entryTypes.configuration) {
    throw new CorruptionError(`unknown entry type ${entry.type}`, { index: entry.index });
  }
  const view = new DataView(payload.buffer, payload.byteOffset, clusterTimePrefixBytes);
  return {
    index: entry.index,
    generation: entry.generation,
    type: entry.type as EntryType,
    clusterTimeMs: view.getFloat64(0),
    payload: payload.slice(clusterTimePrefixBytes),
  };
}
