import { assertDiskPath, InvalidArgumentError, type Logger } from "@pods/core-interfaces";
import { frameBytesMaxCeiling } from "@pods/codec";
import { recordHeaderBytes } from "./record-format.ts";

/**
 * What `open` does when it finds damage that is not a torn tail: `"truncate-at-corruption"` cuts
 * the log at the first damaged record, deletes every later segment, and reports the records it
 * could still read after the cut as lost.
 */
export type RepairMode = "truncate-at-corruption";

/** Options of `SegmentedLog.open`. */
export interface SegmentedLogOptions {
  /** The directory of the segment files on the disk. Default `"wal"`. */
  readonly dir?: string;
  /**
   * Roll to a new segment before an append would take the active one past this size, in bytes
   * (segment header included). A record larger than the limit gets a segment to itself.
   * Default 67108864 (64 MiB).
   */
  readonly segmentBytesMax?: number;
  /** Roll once the active segment holds this many records. Default unlimited (`Infinity`). */
  readonly segmentRecordsMax?: number;
  /**
   * Roll before appending a record whose timestamp is more than this many milliseconds after the
   * oldest record of the active segment. Default unlimited (`Infinity`).
   */
  readonly segmentAgeMsMax?: number;
  /** The largest record body accepted, in bytes. Default 16777216 (16 MiB). */
  readonly recordBytesMax?: number;
  /**
   * Distance between entries of the in-memory sparse offset index, in bytes: a read scans at most
   * about this much before reaching its record. Default 4096.
   */
  readonly indexIntervalBytes?: number;
  /** Size of the reads that open's scan and `readFrom` issue, in bytes. Default 1048576 (1 MiB). */
  readonly readChunkBytes?: number;
  /** Open file handles of sealed segments kept for reads (least recently used closed first). Default 64. */
  readonly readHandlesMax?: number;
  /**
   * The index of the first record of a log created by this call (a log that starts after a
   * snapshot). Ignored when the directory already holds segments. Default 1.
   */
  readonly startIndex?: number;
  /**
   * The generation of the record just before `startIndex` (the snapshot's last generation), kept so
   * that log matching works. Ignored when the directory already holds segments. Default 0.
   */
  readonly previousGeneration?: number;
  /** Opt into a repair instead of a `CorruptionError`; see {@link RepairMode}. Default none. */
  readonly repair?: RepairMode;
  /** Where recovery events (a cut torn tail, a repair) are logged. Default none. */
  readonly logger?: Logger;
}

/** {@link SegmentedLogOptions} with every default filled in. @internal */
export interface ResolvedOptions {
  readonly dir: string;
  readonly segmentBytesMax: number;
  readonly segmentRecordsMax: number;
  readonly segmentAgeMsMax: number;
  readonly recordBytesMax: number;
  readonly indexIntervalBytes: number;
  readonly readChunkBytes: number;
  readonly readHandlesMax: number;
  readonly startIndex: number;
  readonly previousGeneration: number;
  readonly repair: RepairMode | undefined;
  readonly logger: Logger | undefined;
}

/** The default of {@link SegmentedLogOptions.segmentBytesMax}: 64 MiB. */
export const defaultSegmentBytesMax = 64 * 1024 * 1024;
/** The default of {@link SegmentedLogOptions.recordBytesMax}: 16 MiB. */
export const defaultRecordBytesMax = 16 * 1024 * 1024;

function integerOption(
  name: string,
  value: number | undefined,
  fallback: number,
  minimum: number,
  maximum = Number.MAX_SAFE_INTEGER,
  allowInfinity = false,
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

/**
 * Checks the options and fills in the defaults.
 *
 * @throws `InvalidArgumentError` naming the first bad option.
 * @internal
 */
export function resolveOptions(options: SegmentedLogOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new InvalidArgumentError("SegmentedLog options must be an object (or left out).");
  }
  const dir = options.dir ?? "wal";
  assertDiskPath(dir);
  if (options.repair !== undefined && options.repair !== "truncate-at-corruption") {
    throw new InvalidArgumentError(
      `repair must be "truncate-at-corruption" or left out, got ${JSON.stringify(options.repair)}.`,
    );
  }
  return {
    dir,
    segmentBytesMax: integerOption(
      "segmentBytesMax",
      options.segmentBytesMax,
      defaultSegmentBytesMax,
      1,
    ),
    segmentRecordsMax: integerOption(
      "segmentRecordsMax",
      options.segmentRecordsMax,
      Number.POSITIVE_INFINITY,
      1,
      Number.MAX_SAFE_INTEGER,
      true,
    ),
    segmentAgeMsMax: integerOption(
      "segmentAgeMsMax",
      options.segmentAgeMsMax,
      Number.POSITIVE_INFINITY,
      0,
      Number.MAX_SAFE_INTEGER,
      true,
    ),
    recordBytesMax: integerOption(
      "recordBytesMax",
      options.recordBytesMax,
      defaultRecordBytesMax,
      0,
      frameBytesMaxCeiling - recordHeaderBytes,
    ),
    indexIntervalBytes: integerOption("indexIntervalBytes", options.indexIntervalBytes, 4096, 1),
    readChunkBytes: integerOption("readChunkBytes", options.readChunkBytes, 1024 * 1024, 64),
    readHandlesMax: integerOption("readHandlesMax", options.readHandlesMax, 64, 1, 65536),
    startIndex: integerOption("startIndex", options.startIndex, 1, 1),
    previousGeneration: integerOption("previousGeneration", options.previousGeneration, 0, 0),
    repair: options.repair,
    logger: options.logger,
  };
}
