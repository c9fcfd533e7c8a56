import { CorruptionError, type Logger } from "@pods/core-interfaces";
import { WriteAheadLog, type Entry, type WriteAheadLogEnv } from "@pods/write-ahead-log";
import type { LowWaterMarkWalOptions } from "./options.ts";
import type { SnapshotMeta } from "./snapshot-store.ts";

/** The log opened after a snapshot, and what that took. @internal */
export interface LogAfterSnapshot {
  readonly wal: WriteAheadLog;
  /** Entries after the snapshot handed to `replay`. */
  readonly replayed: number;
  /** Whether the log was reset to start right after the snapshot. */
  readonly logReset: boolean;
}

/**
 * Opens the write-ahead log so that it continues `snapshot` (the one the state was restored from),
 * handing `replay` exactly the entries after it:
 * - a log that holds the snapshot's last entry with its generation, or starts right after it, is
 *   kept and its later entries replayed;
 * - a log that ends before that entry (a crash during an install left an old prefix) or holds
 *   another generation there is reset to start right after the snapshot, replaying nothing;
 * - a log that starts later (entries missing) is refused.
 *
 * @throws `CorruptionError` when entries between the snapshot and the log are missing, or the log
 *   and the snapshot disagree on the generation at the boundary.
 * @internal
 */
export async function openLogAfterSnapshot(
  env: WriteAheadLogEnv,
  options: LowWaterMarkWalOptions | undefined,
  snapshot: SnapshotMeta | undefined,
  replay: ((entry: Entry) => void) | undefined,
  logger: Logger,
): Promise<LogAfterSnapshot> {
  const index = snapshot?.lastIncludedIndex ?? 0;
  const generation = snapshot?.lastIncludedGeneration ?? 0;
  /** How the log relates to the snapshot, decided by the first entry at or after its index. */
  let link = "unknown" as "unknown" | "matched" | "mismatched" | "after" | "gap";
  let replayed = 0;
  const wal = await WriteAheadLog.open(env, {
    ...options,
    startIndex: index + 1, // for a log created now
    previousGeneration: generation,
    replay: (entry) => {
      if (entry.index < index) return;
      if (entry.index === index) {
        link = entry.generation === generation ? "matched" : "mismatched";
        return;
      }
      if (link === "unknown") link = entry.index === index + 1 ? "after" : "gap";
      if (link === "matched" || link === "after") {
        replay?.(entry);
        replayed++;
      }
    },
  });
  try {
    const file = wal.segments()[0]!.file;
    if (wal.firstIndex > index + 1) {
      throw new CorruptionError(
        `the log starts at index ${wal.firstIndex}, but the newest snapshot ends at ${index}: ` +
          `entries ${index + 1} to ${wal.firstIndex - 1} are missing. Restore the snapshot ` +
          "directory from a backup, or install a snapshot from another replica",
        { file, index: index + 1 },
      );
    }
    if (wal.lastIndex < index || link === "mismatched") {
      await wal.reset(index + 1, generation);
      logger.warn("low-water-mark.log-reset", { snapshotIndex: index });
      return { wal, replayed: 0, logReset: true };
    }
    if (wal.generationAt(index) !== generation) {
      throw new CorruptionError(
        `the log holds generation ${wal.generationAt(index)} at index ${index}, but the newest ` +
          `snapshot says ${generation}: the snapshot and the log disagree`,
        { file, index },
      );
    }
    return { wal, replayed, logReset: false };
  } catch (error) {
    await wal.close();
    throw error;
  }
}
