import { joinDiskPath, type DiskFile } from "@pods/core-interfaces";
import { segmentFileName } from "./segment-name.ts";
import { SparseIndex } from "./sparse-index.ts";

/** What `SegmentedLog.segments` tells about one segment. */
export interface SegmentInfo {
  /** The segment file's path on the disk. */
  readonly file: string;
  /** The index of its first record (the number in its name). */
  readonly baseIndex: number;
  /** The index of its last record; `baseIndex - 1` when it holds none. */
  readonly lastIndex: number;
  /** How many records it holds. */
  readonly records: number;
  /** Its size in bytes (segment header included). */
  readonly bytes: number;
  /** The smallest record timestamp in it (ms since the epoch), or `undefined` when empty. */
  readonly oldestTimestampMs: number | undefined;
  /** The largest record timestamp in it (ms since the epoch), or `undefined` when empty. */
  readonly newestTimestampMs: number | undefined;
  /** `true` for a sealed segment (complete, never written again); `false` for the active one. */
  readonly sealed: boolean;
}

/**
 * One segment file and what the log knows about it: the records it holds, its sparse offset
 * index, its timestamps, and the handle reads and writes go through. @internal
 */
export class Segment {
  readonly baseIndex: number;
  readonly path: string;
  readonly previousGeneration: number;
  readonly sparse: SparseIndex;
  /** Bytes written (header included); 0 until the header is written. */
  size = 0;
  lastIndex: number;
  lastGeneration: number;
  oldestTimestampMs: number | undefined;
  newestTimestampMs: number | undefined;
  sealed = false;
  /** The open handle, if any (always for the active segment). */
  file: DiskFile | undefined;
  /** An open of the handle in progress. */
  opening: Promise<DiskFile> | undefined;
  /** Reads in progress that hold the handle. */
  refs = 0;
  /** Deleted from the log (or the log closed): close the handle once the last reader is done. */
  retired = false;

  constructor(dir: string, baseIndex: number, previousGeneration: number, intervalBytes: number) {
    this.baseIndex = baseIndex;
    this.path = joinDiskPath(dir, segmentFileName(baseIndex));
    this.previousGeneration = previousGeneration;
    this.sparse = new SparseIndex(intervalBytes);
    this.lastIndex = baseIndex - 1;
    this.lastGeneration = previousGeneration;
  }

  /** How many records it holds. */
  get records(): number {
    return this.lastIndex - this.baseIndex + 1;
  }

  /** Notes a record written (or found by a scan) at `offset`, `frameBytes` long. */
  noteRecord(
    index: number,
    generation: number,
    timestampMs: number,
    offset: number,
    frameBytes: number,
  ): void {
    this.sparse.add(index, offset);
    this.lastIndex = index;
    this.lastGeneration = generation;
    this.size = offset + frameBytes;
    if (this.oldestTimestampMs === undefined || timestampMs < this.oldestTimestampMs) {
      this.oldestTimestampMs = timestampMs;
    }
    if (this.newestTimestampMs === undefined || timestampMs > this.newestTimestampMs) {
      this.newestTimestampMs = timestampMs;
    }
  }

  /** The public description. */
  info(): SegmentInfo {
    return {
      file: this.path,
      baseIndex: this.baseIndex,
      lastIndex: this.lastIndex,
      records: this.records,
      bytes: this.size,
      oldestTimestampMs: this.oldestTimestampMs,
      newestTimestampMs: this.newestTimestampMs,
      sealed: this.sealed,
    };
  }
}
