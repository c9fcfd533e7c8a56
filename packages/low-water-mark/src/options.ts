import { assertDiskPath, InvalidArgumentError, type Logger } from "@pods/core-interfaces";
import type { Entry, WriteAheadLogOptions } from "@pods/write-ahead-log";
import { snapshotChunkBytesMax, snapshotChunkBytesMin } from "./snapshot-format.ts";
import type { Snapshot } from "./snapshot-store.ts";

/** Options of `SnapshotStore.open`. */
export interface SnapshotStoreOptions {
  /** The directory of the snapshot files on the disk. Default `"snapshots"`. */
  readonly dir?: string;
  /**
   * How many of the newest valid snapshots to keep (older ones are deleted after each save), at
   * least 1. Keeping more than one lets a transfer of the previous snapshot to a follower finish.
   * Default 2.
   */
  readonly snapshotsRetained?: number;
  /** The largest state accepted, in bytes. Default 1073741824 (1 GiB). */
  readonly stateBytesMax?: number;
  /** The largest membership accepted, in bytes. Default 1048576 (1 MiB). */
  readonly membershipBytesMax?: number;
  /**
   * The state is written in frames of this many bytes (each with its own CRC32C), from 4096 to
   * 16777216. Default 1048576 (1 MiB).
   */
  readonly snapshotChunkBytes?: number;
  /** Where removed damaged files are reported. Default none. */
  readonly logger?: Logger;
}

/** {@link SnapshotStoreOptions} with the defaults filled in. @internal */
export interface ResolvedStoreOptions {
  readonly dir: string;
  readonly snapshotsRetained: number;
  readonly stateBytesMax: number;
  readonly membershipBytesMax: number;
  readonly snapshotChunkBytes: number;
  readonly logger: Logger | undefined;
}

/** Options of the `LogCleaner`. */
export interface LogCleanerOptions {
  /** Milliseconds (monotonic) between the end of one cleaning pass and the start of the next. Default 1000. */
  readonly cleanIntervalMs?: number;
  /**
   * Time-based retention: a sealed segment whose newest record is more than this many
   * milliseconds older than the wall clock is disposable (a record from the future counts as age
   * 0). Default `Infinity` (off).
   */
  readonly retentionMs?: number;
  /**
   * Size-based retention: the oldest sealed segments are disposable while the log holds more than
   * this many bytes. Default `Infinity` (off).
   */
  readonly retentionBytesMax?: number;
  /**
   * The index-based policy: the lowest index it keeps (a snapshot's last included index + 1, less
   * a retained tail). Read at every pass. Default: keep everything (`1`).
   */
  readonly snapshotMark?: () => number;
  /**
   * The owner's safety floor: the lowest index that must be kept whatever the policies and
   * clocks say (for a replicated log, its snapshot index + 1 and last applied index + 1). Read at
   * every pass. Default: no floor (`Infinity`).
   */
  readonly safetyFloor?: () => number;
}

/** {@link LogCleanerOptions} with the defaults filled in. @internal */
export interface ResolvedCleanerOptions {
  readonly cleanIntervalMs: number;
  readonly retentionMs: number;
  readonly retentionBytesMax: number;
  readonly snapshotMark: () => number;
  readonly safetyFloor: () => number;
}

/**
 * Checks a numeric option: an integer from `minimum` to `maximum` (or `Infinity` when allowed).
 *
 * @throws `InvalidArgumentError` naming the option, the value and the accepted range.
 * @internal
 */
export function integerOption(
  name: string,
  value: number | undefined,
  fallback: number,
  minimum: number,
  { maximum = Number.MAX_SAFE_INTEGER, allowInfinity = false } = {},
): number {
  if (value === undefined) return fallback;
  const ok =
    (allowInfinity && value === Number.POSITIVE_INFINITY) ||
    (Number.isSafeInteger(value) && value >= minimum && value <= maximum);
  if (!ok) {
    throw new InvalidArgumentError(
      `${name} must be an integer from ${minimum} to ${maximum}${allowInfinity ? " or Infinity" : ""}, ` +
        `got ${String(value)}; leave it out for the default ${fallback}.`,
    );
  }
  return value;
}

/** Checks an optional callback option. @internal */
export function functionOption<F>(name: string, value: F | undefined, fallback: F): F {
  if (value === undefined) return fallback;
  if (typeof value !== "function") {
    throw new InvalidArgumentError(`${name} must be a function, got ${typeof value}.`);
  }
  return value;
}

function objectOptions(value: unknown, what: string): void {
  if (typeof value !== "object" || value === null) {
    throw new InvalidArgumentError(`${what} options must be an object (or left out).`);
  }
}

/** Checks the snapshot store's options and fills in the defaults. @internal */
export function resolveStoreOptions(options: SnapshotStoreOptions): ResolvedStoreOptions {
  objectOptions(options, "SnapshotStore");
  const dir = options.dir ?? "snapshots";
  assertDiskPath(dir);
  return {
    dir,
    snapshotsRetained: integerOption("snapshotsRetained", options.snapshotsRetained, 2, 1, {
      maximum: 1000,
    }),
    stateBytesMax: integerOption("stateBytesMax", options.stateBytesMax, 1024 ** 3, 0),
    membershipBytesMax: integerOption(
      "membershipBytesMax",
      options.membershipBytesMax,
      1024 * 1024,
      0,
      { maximum: snapshotChunkBytesMax },
    ),
    snapshotChunkBytes: integerOption(
      "snapshotChunkBytes",
      options.snapshotChunkBytes,
      1024 * 1024,
      snapshotChunkBytesMin,
      { maximum: snapshotChunkBytesMax },
    ),
    logger: options.logger,
  };
}

/** Checks the cleaner's options and fills in the defaults. @internal */
export function resolveCleanerOptions(options: LogCleanerOptions): ResolvedCleanerOptions {
  objectOptions(options, "LogCleaner");
  const cleanIntervalMs = options.cleanIntervalMs ?? 1000;
  if (!Number.isFinite(cleanIntervalMs) || cleanIntervalMs <= 0) {
    throw new InvalidArgumentError(
      `cleanIntervalMs must be a finite number > 0, got ${String(cleanIntervalMs)}; leave it out for 1000.`,
    );
  }
  const unbounded = { allowInfinity: true };
  return {
    cleanIntervalMs,
    retentionMs: integerOption(
      "retentionMs",
      options.retentionMs,
      Number.POSITIVE_INFINITY,
      0,
      unbounded,
    ),
    retentionBytesMax: integerOption(
      "retentionBytesMax",
      options.retentionBytesMax,
      Number.POSITIVE_INFINITY,
      0,
      unbounded,
    ),
    snapshotMark: functionOption("snapshotMark", options.snapshotMark, () => 1),
    safetyFloor: functionOption("safetyFloor", options.safetyFloor, () => Number.POSITIVE_INFINITY),
  };
}

/** A state captured at one applied index, encoded by the owner. */
export interface CapturedState {
  /** The state machine's state. */
  readonly state: Uint8Array;
  /** The cluster membership at that index. Default empty. */
  readonly membership?: Uint8Array;
}

/** What the owner of the log (a state machine driver) provides. */
export interface SnapshotStateMachine {
  /**
   * Returns the state as of `appliedIndex`, the last index applied so far. Called synchronously,
   * so nothing else is applied meanwhile: the state belongs to exactly that index. The bytes are
   * saved afterwards; do not modify them.
   */
  capture(appliedIndex: number): CapturedState;
  /**
   * Replaces the state with a snapshot's: at open (with the newest valid snapshot, before any
   * replay) and when a snapshot from another node is installed.
   */
  restore(snapshot: Snapshot): void;
  /**
   * Applies one entry after the snapshot at open, in index order. Leave it out to apply entries
   * yourself (a replicated log applies only committed ones): `lastApplied` then starts at the
   * snapshot's index.
   */
  replay?(entry: Entry): void;
}

/** The write-ahead-log options `LowWaterMark.open` passes through. */
export type LowWaterMarkWalOptions = Omit<
  WriteAheadLogOptions,
  "replay" | "startIndex" | "previousGeneration"
>;

/** Options of `LowWaterMark.open`. */
export interface LowWaterMarkOptions extends Omit<LogCleanerOptions, "snapshotMark"> {
  /** Captures and restores the state; see {@link SnapshotStateMachine}. Required. */
  readonly stateMachine: SnapshotStateMachine;
  /** Options of the write-ahead log (`dir` default `"wal"`, segment sizes, sync policy). */
  readonly wal?: LowWaterMarkWalOptions;
  /** Options of the snapshot store (`dir` default `"snapshots"`, `snapshotsRetained` default 2). */
  readonly snapshots?: Omit<SnapshotStoreOptions, "logger">;
  /** Take a snapshot once this many entries were applied since the last one. Default 10000. */
  readonly snapshotEveryEntries?: number;
  /**
   * Take a snapshot once this many payload bytes (as told to `noteApplied`) were applied since the
   * last one. Default `Infinity` (off).
   */
  readonly snapshotEveryBytes?: number;
  /**
   * Keep this many entries below a snapshot's index for followers slightly behind: the snapshot
   * mark is `lastIncludedIndex + 1 - entriesRetainedAfterSnapshot`. Default 0.
   */
  readonly entriesRetainedAfterSnapshot?: number;
}

/** The snapshot triggers, checked. @internal */
export interface ResolvedTriggers {
  readonly snapshotEveryEntries: number;
  readonly snapshotEveryBytes: number;
  readonly entriesRetainedAfterSnapshot: number;
}

/** Checks the options `LowWaterMark.open` handles itself. @internal */
export function resolveTriggers(options: LowWaterMarkOptions): ResolvedTriggers {
  objectOptions(options, "LowWaterMark");
  const machine = options.stateMachine as Partial<SnapshotStateMachine> | undefined;
  if (
    typeof machine !== "object" ||
    machine === null ||
    typeof machine.capture !== "function" ||
    typeof machine.restore !== "function" ||
    (machine.replay !== undefined && typeof machine.replay !== "function")
  ) {
    throw new InvalidArgumentError(
      "stateMachine must be an object with capture(appliedIndex) and restore(snapshot) functions " +
        "(and optionally replay(entry)).",
    );
  }
  resolveCleanerOptions(cleanerOptionsOf(options));
  const unbounded = { allowInfinity: true };
  return {
    snapshotEveryEntries: integerOption(
      "snapshotEveryEntries",
      options.snapshotEveryEntries,
      10_000,
      1,
      unbounded,
    ),
    snapshotEveryBytes: integerOption(
      "snapshotEveryBytes",
      options.snapshotEveryBytes,
      Number.POSITIVE_INFINITY,
      1,
      unbounded,
    ),
    entriesRetainedAfterSnapshot: integerOption(
      "entriesRetainedAfterSnapshot",
      options.entriesRetainedAfterSnapshot,
      0,
      0,
    ),
  };
}

/** The cleaner options among `LowWaterMark`'s (the snapshot mark is its own). @internal */
export function cleanerOptionsOf(options: LowWaterMarkOptions): LogCleanerOptions {
  const { cleanIntervalMs, retentionMs, retentionBytesMax, safetyFloor } = options;
  return {
    ...(cleanIntervalMs === undefined ? {} : { cleanIntervalMs }),
    ...(retentionMs === undefined ? {} : { retentionMs }),
    ...(retentionBytesMax === undefined ? {} : { retentionBytesMax }),
    ...(safetyFloor === undefined ? {} : { safetyFloor }),
  };
}
