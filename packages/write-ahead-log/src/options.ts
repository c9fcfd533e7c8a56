import { InvalidArgumentError, type Env, type Logger } from "@pods/core-interfaces";
import type { Entry } from "./entry.ts";

/**
 * When appends become durable:
 * - `"always"`: an append resolves only after an fsync covered it; appends that arrive while a
 *   sync runs share the next one (group commit). Nothing acknowledged is lost in a crash.
 * - `{ intervalMs }`: an append resolves once written; the log syncs at most `intervalMs` after
 *   a write. A crash loses the entries appended since the last sync.
 * - `"none"`: an append resolves once written; the log syncs only on `sync()` and `close()`. For
 *   tests and data you can rebuild.
 */
export type SyncPolicy = "always" | "none" | { readonly intervalMs: number };

/** The ports the log uses: the disk, the clock (timestamps, sync latency) and the scheduler. */
export type WriteAheadLogEnv = Pick<Env, "disk" | "clock" | "scheduler"> & {
  /** Where recovery events are logged. Default none. */
  readonly logger?: Logger;
};

/** Options of {@link WriteAheadLog.open}. */
export interface WriteAheadLogOptions {
  /** The directory of the log's segment files on the disk. Default `"wal"`. */
  readonly dir?: string;
  /** When appends are durable; see {@link SyncPolicy}. Default `"always"`. */
  readonly sync?: SyncPolicy;
  /**
   * Called with every entry, in index order, while open verifies the log: rebuild state here. If
   * open throws, discard what it built.
   */
  readonly replay?: (entry: Entry) => void;
  /** The largest payload accepted, in bytes. Default 16777215 (16 MiB − 1). */
  readonly entryBytesMax?: number;
  /**
   * The most entry bytes one group commit writes and syncs together (at least one append is
   * always taken). Default 1048576 (1 MiB).
   */
  readonly groupCommitBytesMax?: number;
  /**
   * The most entry bytes waiting to be written; an append beyond it fails with
   * {@link AppendQueueFullError}. Default 67108864 (64 MiB).
   */
  readonly pendingBytesMax?: number;
  /** Segment size limit in bytes (see `@pods/segmented-log`). Default 67108864 (64 MiB). */
  readonly segmentBytesMax?: number;
  /** Entries per segment before it rolls. Default unlimited. */
  readonly segmentRecordsMax?: number;
  /** Age of a segment's oldest entry, in ms, before it rolls. Default unlimited. */
  readonly segmentAgeMsMax?: number;
  /** Bytes between entries of the sparse offset index. Default 4096. */
  readonly indexIntervalBytes?: number;
  /** Size of open's and `readFrom`'s disk reads, in bytes. Default 1048576 (1 MiB). */
  readonly readChunkBytes?: number;
  /** Open handles of sealed segments kept for reads. Default 64. */
  readonly readHandlesMax?: number;
  /** The first index of a log created by this call (one that starts after a snapshot). Default 1. */
  readonly startIndex?: number;
  /** The generation of the entry before `startIndex`, for a log created by this call. Default 0. */
  readonly previousGeneration?: number;
  /**
   * `"truncate-at-corruption"`: instead of throwing `CorruptionError`, cut the log at the first
   * damaged entry and report the entries lost in `recovery.repair`. Default none (throw).
   */
  readonly repair?: "truncate-at-corruption";
}

/** Checked write-ahead-log options (the segmented-log ones are checked by it). @internal */
export interface ResolvedWalOptions {
  readonly sync: "always" | "none" | number;
  readonly entryBytesMax: number;
  readonly groupCommitBytesMax: number;
  readonly pendingBytesMax: number;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(
      `${name} must be a safe integer >= 1, got ${String(value)}; leave it out for ${fallback}.`,
    );
  }
  return value;
}

/** Checks the options of the log itself. @internal */
export function resolveWalOptions(options: WriteAheadLogOptions): ResolvedWalOptions {
  if (typeof options !== "object" || options === null) {
    throw new InvalidArgumentError("WriteAheadLog options must be an object (or left out).");
  }
  const sync = options.sync ?? "always";
  let policy: ResolvedWalOptions["sync"];
  if (sync === "always" || sync === "none") {
    policy = sync;
  } else if (
    typeof sync === "object" &&
    sync !== null &&
    Number.isFinite(sync.intervalMs) &&
    sync.intervalMs > 0
  ) {
    policy = sync.intervalMs;
  } else {
    throw new InvalidArgumentError(
      `sync must be "always", "none" or { intervalMs } with intervalMs > 0, got ${JSON.stringify(sync)}.`,
    );
  }
  if (options.replay !== undefined && typeof options.replay !== "function") {
    throw new InvalidArgumentError("replay must be a function (entry) => void.");
  }
  return {
    sync: policy,
    entryBytesMax: positiveInteger("entryBytesMax", options.entryBytesMax, 16 * 1024 * 1024 - 1),
    groupCommitBytesMax: positiveInteger(
      "groupCommitBytesMax",
      options.groupCommitBytesMax,
      1024 * 1024,
    ),
    pendingBytesMax: positiveInteger("pendingBytesMax", options.pendingBytesMax, 64 * 1024 * 1024),
  };
}
