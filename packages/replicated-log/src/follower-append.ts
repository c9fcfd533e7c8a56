import { invariant } from "@pods/core-interfaces";
import { GenerationHistory } from "@pods/generation-clock";
import type { LogEntry } from "./entry.ts";
import type { AppendRequest } from "./messages.ts";
import type { RaftLog } from "./raft-log.ts";

/** A change to the log, in the order the write-ahead log must make it. */
export type LogChange =
  | { readonly kind: "truncate"; readonly from: number }
  | { readonly kind: "append"; readonly entries: readonly LogEntry[] }
  | {
      /** Discard the log: it continues after the snapshot being installed at `index`. */
      readonly kind: "reset";
      readonly index: number;
      readonly generation: number;
    };

/** What a follower made of an append whose generation it accepted. */
export type AppendOutcome =
  | {
      /** The log matched at `prevLogIndex`: entries were merged. */
      readonly kind: "accepted";
      /** The last index known to match the leader's log (`prevLogIndex` + entries). */
      readonly matchIndex: number;
      /** The changes made to the log, to persist in order. */
      readonly changes: readonly LogChange[];
    }
  | {
      /** The log does not hold `prevLogIndex` with `prevLogGeneration`. */
      readonly kind: "refused";
      /** The generation held at `prevLogIndex`, or `null` when the log ends before it. */
      readonly conflictGeneration: number | null;
      /** The first index of that generation, or the last index + 1. */
      readonly conflictIndex: number;
    };

/**
 * The follower's side of log matching. Entries at or below `commitIndex` are committed and match
 * the leader's by definition (they may be compacted), so they are skipped. Then the log must hold
 * `prevLogIndex` with `prevLogGeneration`; if so, each entry is compared with the one held at its
 * index: the log is truncated from the first one of a different generation and the rest is
 * appended; matching entries are never truncated, so a duplicated or reordered request loses
 * nothing. Changes `log` in place.
 */
export function followerAppend(
  log: RaftLog,
  commitIndex: number,
  request: AppendRequest,
): AppendOutcome {
  let prevIndex = request.prevLogIndex;
  let prevGeneration = request.prevLogGeneration;
  let entries = request.entries;
  if (prevIndex + entries.length <= commitIndex) {
    // Everything is committed here already (perhaps compacted into a snapshot): it matches.
    return { kind: "accepted", matchIndex: prevIndex + entries.length, changes: [] };
  }
  if (prevIndex < commitIndex) {
    const skip = Math.min(entries.length, commitIndex - prevIndex);
    entries = entries.slice(skip);
    prevIndex += skip;
    prevGeneration = log.generationAt(prevIndex);
  }
  if (!log.matches(prevIndex, prevGeneration)) {
    const hint = new GenerationHistory(log).conflictHint(prevIndex);
    return {
      kind: "refused",
      conflictGeneration: hint.generation ?? null,
      conflictIndex: hint.firstIndex,
    };
  }
  const changes: LogChange[] = [];
  let at = 0;
  while (at < entries.length) {
    const index = prevIndex + 1 + at;
    if (index > log.lastIndex) break;
    if (log.generationAt(index) !== entries[at]!.generation) {
      invariant(
        index > commitIndex,
        () => `an append conflicts with committed entry ${index} (commit index ${commitIndex})`,
      );
      log.truncateFrom(index);
      changes.push({ kind: "truncate", from: index });
      break;
    }
    at++;
  }
  if (at < entries.length) {
    const appended = entries.slice(at).map((entry, k): LogEntry => ({
      index: prevIndex + 1 + at + k,
      generation: entry.generation,
      type: entry.type,
      clusterTimeMs: entry.clusterTimeMs,
      payload: entry.payload,
    }));
    log.append(appended);
    changes.push({ kind: "append", entries: appended });
  }
  return { kind: "accepted", matchIndex: prevIndex + entries.length, changes };
}
