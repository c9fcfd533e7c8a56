import { InvalidArgumentError } from "@pods/core-interfaces";
import type { GenerationHistory, IndexedGeneration } from "@pods/generation-clock";
import type { HighWaterMark } from "./high-water-mark.ts";

/** What a follower does with the entries of an append whose `prevLogIndex` matched. */
export interface AppendPlan {
  /** Truncate the log from this index first (the first conflicting entry); `undefined`: keep all. */
  readonly truncateFrom: number | undefined;
  /** Append `entries.slice(appendFrom)`: the ones the log does not hold (after truncation). */
  readonly appendFrom: number;
  /** The last index the request proves to match the leader's log: for `followLeader`. */
  readonly lastMatchingIndex: number;
}

/**
 * Plans a follower's append, after its check of `prevLogIndex` / `prevLogGeneration` passed:
 * entries the log already holds with the same generation are kept (so duplicated or reordered
 * requests lose nothing); the log is truncated only at the **first conflicting entry** (same
 * index, another generation), found with the generation history — never merely because entries
 * lie above the mark (the Kafka KIP-101 lesson), and never at or below the mark (an
 * `InvariantError`, leaving the log untouched); the rest is appended.
 *
 * @param history - the follower's generation history (a view of its log).
 * @param lastIndex - the follower's last log index.
 * @param prevLogIndex - the index just before `entries`.
 * @param entries - the leader's entries, at `prevLogIndex + 1` onwards, consecutive.
 * @param highWaterMark - the follower's mark: the guard.
 * @throws `InvariantError` when the first conflict is at or below the mark;
 *   `InvalidArgumentError` when `entries` are not consecutive from `prevLogIndex + 1`.
 */
export function planAppend(
  history: GenerationHistory,
  lastIndex: number,
  prevLogIndex: number,
  entries: readonly IndexedGeneration[],
  highWaterMark: HighWaterMark,
): AppendPlan {
  entries.forEach((entry, i) => {
    if (entry.index !== prevLogIndex + 1 + i) {
      throw new InvalidArgumentError(
        `Entry ${i} of an append after index ${prevLogIndex} has index ${entry.index}; entries ` +
          `must be consecutive from ${prevLogIndex + 1}.`,
      );
    }
  });
  const lastMatchingIndex = prevLogIndex + entries.length;
  const conflict = history.firstConflict(entries);
  if (conflict !== undefined) {
    highWaterMark.guardTruncation(conflict);
    return { truncateFrom: conflict, appendFrom: conflict - prevLogIndex - 1, lastMatchingIndex };
  }
  const appendFrom = Math.min(entries.length, Math.max(0, lastIndex - prevLogIndex));
  return { truncateFrom: undefined, appendFrom, lastMatchingIndex };
}
