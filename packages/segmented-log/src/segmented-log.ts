import {
  ClosedError,
  CompactedError,
  CorruptionError,
  InvalidArgumentError,
  invariant,
  joinDiskPath,
  type Disk,
  type DiskFile,
} from "@pods/core-interfaces";
import type { FrameOptions } from "@pods/codec";
import { LogFailedError } from "./errors.ts";
import { resolveOptions, type ResolvedOptions, type SegmentedLogOptions } from "./options.ts";
import {
  bodyBytes,
  encodeRecordFrames,
  encodeSegmentHeader,
  recordFrameBytes,
  recordHeaderBytes,
  segmentHeaderFrameBytes,
  type LogRecord,
  type RecordInput,
} from "./record-format.ts";
import { createEmptySegment, recover, type RecoveryReport } from "./recovery.ts";
import { offsetOfRecord, readSegmentRecords, type Collector } from "./segment-reader.ts";
import { scanSegment } from "./segment-scan.ts";
import { tempSegmentFileName } from "./segment-name.ts";
import { Segment, type SegmentInfo } from "./segment.ts";

/** Options of `SegmentedLog.readFrom`. */
export interface ReadFromOptions {
  /**
   * Stop before the body bytes returned would exceed this (the first record is always returned).
   * Default 16777216 (16 MiB).
   */
  readonly bytesMax?: number;
}

const defaultReadBytesMax = 16 * 1024 * 1024;

function assertIndex(value: number, what: string | (() => string)): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    const name = typeof what === "string" ? what : what();
    throw new InvalidArgumentError(`${name} must be a safe integer >= 0, got ${String(value)}.`);
  }
}

/** Whether `body` is an array of byte arrays (a record body given in parts). */
function isParts(body: unknown): boolean {
  if (!Array.isArray(body)) return false;
  for (const part of body) if (!(part instanceof Uint8Array)) return false;
  return true;
}

/**
 * A log stored as a chain of segment files, `wal-<base index, 20 digits>.log`, each holding a
 * contiguous run of records framed with length + CRC32C. Only the newest (active) segment is
 * written; it rolls when full. Reads find their segment by binary search over the bases and their
 * record through a sparse offset index. Whole sealed segments can be deleted from the front, and
 * the log can be cut back from any index.
 *
 * Mutations (append, sync, truncations, reset, close) run one at a time in call order; reads run
 * beside them. Every change of the directory is ordered so that a crash at any point leaves a log
 * that opens. After a failed write, sync or deletion the log refuses changes
 * (`LogFailedError`): reopen it.
 */
export class SegmentedLog {
  /** What open found and did: a cut torn tail, removed leftovers, a repair. */
  readonly recovery: RecoveryReport;
  readonly #disk: Disk;
  readonly #options: ResolvedOptions;
  readonly #frameOptions: FrameOptions;
  readonly #segments: Segment[];
  /** Sealed segments with an open handle, least recently used first. */
  readonly #handles = new Set<Segment>();
  #durableIndex: number;
  #mutations: Promise<unknown> = Promise.resolve();
  #closed = false;
  /** Set by `close()`: later mutations are refused, earlier ones still run. */
  #closing = false;
  #failure: LogFailedError | undefined;
  /** Bumped by every change that rewrites or removes records a reader may be looking at. */
  #epoch = 0;
  /** Settles when the `truncateFrom` or `reset` in progress ends; reads wait for it. */
  #rewriting: Promise<void> | undefined;

  private constructor(
    disk: Disk,
    options: ResolvedOptions,
    segments: Segment[],
    recovery: RecoveryReport,
  ) {
    this.#disk = disk;
    this.#options = options;
    this.#frameOptions = { frameBytesMax: recordHeaderBytes + options.recordBytesMax };
    this.#segments = segments;
    this.recovery = recovery;
    this.#durableIndex = this.lastIndex;
  }

  /**
   * Opens (or creates) the log in `options.dir`, verifying every record: its checksum, and that
   * indexes run on without a gap within and across segments. A torn tail of the last segment (a
   * damaged last record with nothing valid after it) is cut off and reported in
   * `SegmentedLog.recovery`; zero-filled space after the last record is free space.
   *
   * @param onRecord - called with every record, in index order, as it is verified. If open then
   *   throws, discard what it built.
   * @throws `CorruptionError` (or `SegmentGapError`) naming file, offset and index, for
   *   damage that is not a torn tail, unless `options.repair` is set; nothing is changed then.
   * @throws `InvalidArgumentError` for bad options; `IOError` when the disk fails.
   */
  static async open(
    disk: Disk,
    options: SegmentedLogOptions = {},
    onRecord?: (record: LogRecord) => void,
  ): Promise<SegmentedLog> {
    const resolved = resolveOptions(options);
    const { segments, report } = await recover(disk, resolved, onRecord);
    return new SegmentedLog(disk, resolved, segments, report);
  }

  /** The directory of the segment files. */
  get dir(): string {
    return this.#options.dir;
  }

  /** The index of the oldest record kept (`lastIndex + 1` when the log is empty). */
  get firstIndex(): number {
    return this.#segments[0]!.baseIndex;
  }

  /** The index of the newest record written; `firstIndex - 1` when empty. */
  get lastIndex(): number {
    return this.#active.lastIndex;
  }

  /** The generation of the newest record; that of the record before `firstIndex` when empty. */
  get lastGeneration(): number {
    return this.#active.lastGeneration;
  }

  /**
   * The generation of the record just before `firstIndex` (deleted, or in the snapshot the log
   * starts after), kept in the first segment's header so log matching still works.
   */
  get previousGeneration(): number {
    return this.#segments[0]!.previousGeneration;
  }

  /** The newest index a completed `SegmentedLog.sync` (or roll) made durable. */
  get durableIndex(): number {
    return this.#durableIndex;
  }

  /** Whether `SegmentedLog.close` was called. */
  get closed(): boolean {
    return this.#closing;
  }

  get #active(): Segment {
    return this.#segments[this.#segments.length - 1]!;
  }

  /** The segments, oldest first; the last is the active one. */
  segments(): SegmentInfo[] {
    return this.#segments.map((segment) => segment.info());
  }

  /**
   * Appends records whose indexes run on from `lastIndex + 1`, with one write per segment they
   * land in (normally one), rolling to a new segment first where a limit says so. Resolves when the
   * writes completed; they are durable only after `SegmentedLog.sync`.
   *
   * @throws `InvalidArgumentError` for an index that does not follow on, a body larger than
   *   `recordBytesMax`, or a bad generation or timestamp (nothing is written).
   */
  append(records: readonly RecordInput[]): Promise<void> {
    const bodyLengths = records.map((record, at) => this.#checkRecord(record, at, records));
    return this.#mutate(() => this.#append(records, bodyLengths));
  }

  #checkRecord(record: RecordInput, at: number, records: readonly RecordInput[]): number {
    const body = record.body;
    const valid =
      typeof record === "object" &&
      record !== null &&
      (body instanceof Uint8Array || isParts(body));
    if (!valid)
      throw new InvalidArgumentError(
        `Record ${at}: body must be a Uint8Array or an array of them.`,
      );
    const length = bodyBytes(body);
    if (length > this.#options.recordBytesMax) {
      throw new InvalidArgumentError(
        `Record ${at} has a ${length}-byte body, more than recordBytesMax (${this.#options.recordBytesMax}); split it or raise the limit.`,
      );
    }
    assertIndex(record.generation, () => `Record ${at}'s generation`);
    if (!Number.isFinite(record.timestampMs)) {
      throw new InvalidArgumentError(
        `Record ${at}'s timestampMs must be a finite number, got ${record.timestampMs}.`,
      );
    }
    if (at > 0 && record.index !== records[at - 1]!.index + 1) {
      throw new InvalidArgumentError(
        `Record ${at} has index ${record.index}, but the one before has ${records[at - 1]!.index}: indexes must be consecutive.`,
      );
    }
    return length;
  }

  async #append(records: readonly RecordInput[], bodyLengths: readonly number[]): Promise<void> {
    if (records.length === 0) return;
    if (records[0]!.index !== this.lastIndex + 1) {
      throw new InvalidArgumentError(
        `The append starts at index ${records[0]!.index}, but the log's next index is ${this.lastIndex + 1}.`,
      );
    }
    let next = 0;
    while (next < records.length) {
      let segment = this.#active;
      const first = records[next]!;
      if (
        this.#mustRoll(
          segment.size,
          segment.records,
          segment.oldestTimestampMs,
          first,
          bodyLengths[next]!,
        )
      ) {
        segment = await this.#roll(first.index);
      }
      const headerBytes = segment.size === 0 ? segmentHeaderFrameBytes : 0;
      let size = segment.size + headerBytes;
      let count = segment.records;
      let oldest = segment.oldestTimestampMs;
      let end = next;
      do {
        const record = records[end]!;
        size += recordFrameBytes(bodyLengths[end]!);
        count++;
        oldest = oldest === undefined ? record.timestampMs : Math.min(oldest, record.timestampMs);
        end++;
      } while (
        end < records.length &&
        !this.#mustRoll(size, count, oldest, records[end]!, bodyLengths[end]!)
      );
      const buffer = new Uint8Array(size - segment.size);
      if (headerBytes > 0) {
        encodeSegmentHeader(
          { baseIndex: segment.baseIndex, previousGeneration: segment.previousGeneration },
          buffer,
        );
      }
      encodeRecordFrames(records, bodyLengths, next, end, buffer, headerBytes);
      const writeAt = segment.size;
      await segment.file!.write(writeAt, buffer);
      let offset = writeAt + headerBytes;
      if (headerBytes > 0) segment.size = headerBytes;
      for (let at = next; at < end; at++) {
        const record = records[at]!;
        const frameBytes = recordFrameBytes(bodyLengths[at]!);
        segment.noteRecord(record.index, record.generation, record.timestampMs, offset, frameBytes);
        offset += frameBytes;
      }
      next = end;
    }
  }

  #mustRoll(
    size: number,
    count: number,
    oldestTimestampMs: number | undefined,
    record: RecordInput,
    bodyLength: number,
  ): boolean {
    if (count === 0) return false;
    const options = this.#options;
    return (
      size + recordFrameBytes(bodyLength) > options.segmentBytesMax ||
      count >= options.segmentRecordsMax ||
      record.timestampMs - (oldestTimestampMs ?? record.timestampMs) > options.segmentAgeMsMax
    );
  }

  /**
   * Seals the active segment and starts a new one: sync the old segment first (so a sealed segment
   * is always whole), then create the new file, whose directory entry is durable once created. Its
   * header goes out with its first records. A crash before those land leaves an empty or
   * header-less last file, which open removes.
   */
  async #roll(baseIndex: number): Promise<Segment> {
    const old = this.#active;
    await old.file!.sync();
    this.#durableIndex = Math.max(this.#durableIndex, old.lastIndex);
    old.sealed = true;
    this.#handles.add(old);
    this.#evictHandles();
    const segment = new Segment(
      this.dir,
      baseIndex,
      old.lastGeneration,
      this.#options.indexIntervalBytes,
    );
    segment.file = await this.#disk.open(segment.path, { create: true, exclusive: true });
    this.#segments.push(segment);
    return segment;
  }

  /**
   * Makes every record whose append completed durable (fsync of the active segment; sealed
   * segments were synced when they rolled). Resolves with the new `SegmentedLog.durableIndex`.
   */
  sync(): Promise<number> {
    return this.#mutate(async () => {
      const covered = this.lastIndex;
      await this.#active.file!.sync();
      this.#durableIndex = Math.max(this.#durableIndex, covered);
      return this.#durableIndex;
    });
  }

  /**
   * Reads record `index`.
   *
   * @throws `CompactedError` (with the current `firstIndex` as `lowWaterMark`) below `firstIndex`.
   * @throws `InvalidArgumentError` above `lastIndex`.
   * @throws `CorruptionError` when the record's bytes no longer verify.
   */
  async read(index: number): Promise<LogRecord> {
    const [record] = await this.#collect(
      index,
      1,
      defaultReadBytesMax,
      2 * this.#options.indexIntervalBytes,
    );
    return record!;
  }

  /**
   * Reads up to `limit` records from `index` on, in index order, across segment boundaries, with
   * reads of `readChunkBytes`. `index` may be `lastIndex + 1` (an empty result).
   *
   * @throws `CompactedError` below `firstIndex`; `InvalidArgumentError` beyond `lastIndex + 1` or
   *   for a bad limit; `CorruptionError` for records that no longer verify.
   */
  readFrom(index: number, limit: number, options: ReadFromOptions = {}): Promise<LogRecord[]> {
    if (!Number.isSafeInteger(limit) || limit < 0) {
      throw new InvalidArgumentError(`limit must be a safe integer >= 0, got ${String(limit)}.`);
    }
    const bytesMax = options.bytesMax ?? defaultReadBytesMax;
    assertIndex(bytesMax, "bytesMax");
    return this.#collect(index, limit, bytesMax, this.#options.readChunkBytes, true);
  }

  /**
   * Iterates over the records from `fromIndex` (default `firstIndex`) to the last one, reading in
   * chunks. Records appended while it runs are included. If the segments ahead of it are deleted
   * meanwhile, the next chunk throws `CompactedError`; a chunk already being read finishes from the
   * handle it holds, so the iterator never yields a wrong or skipped record.
   */
  async *records(fromIndex: number = this.firstIndex): AsyncGenerator<LogRecord, void, undefined> {
    let next = fromIndex;
    for (;;) {
      const chunk = await this.readFrom(next, Number.MAX_SAFE_INTEGER, {
        bytesMax: this.#options.readChunkBytes,
      });
      if (chunk.length === 0) return;
      for (const record of chunk) yield record;
      next = chunk[chunk.length - 1]!.index + 1;
    }
  }

  async #collect(
    index: number,
    limit: number,
    bytesMax: number,
    chunkBytes: number,
    allowEnd = false,
  ): Promise<LogRecord[]> {
    for (;;) {
      // A read waits out a cut or reset in progress, so it reads the log as that change leaves it.
      while (this.#rewriting !== undefined) await this.#rewriting;
      const epoch = this.#epoch;
      try {
        const records = await this.#collectOnce(
          epoch,
          index,
          limit,
          bytesMax,
          chunkBytes,
          allowEnd,
        );
        if (epoch === this.#epoch) return records;
      } catch (error) {
        if (epoch === this.#epoch) throw error;
      }
      // The log was cut back or reset while reading: check the range again and read afresh.
    }
  }

  /** One attempt of a read; it stops early once the log is cut or reset (`epoch` changes). */
  async #collectOnce(
    epoch: number,
    index: number,
    limit: number,
    bytesMax: number,
    chunkBytes: number,
    allowEnd: boolean,
  ): Promise<LogRecord[]> {
    if (this.#closed) throw new ClosedError(`segmented log ${this.dir}/`);
    if (!Number.isSafeInteger(index) || index < 1) {
      throw new InvalidArgumentError(`index must be a safe integer >= 1, got ${String(index)}.`);
    }
    if (index < this.firstIndex) throw new CompactedError(this.firstIndex, index);
    const end = this.lastIndex + (allowEnd ? 1 : 0);
    if (index > end) {
      throw new InvalidArgumentError(
        `Index ${index} is past the end of the log (last index ${this.lastIndex}); read at most up to ${this.lastIndex}.`,
      );
    }
    const collector: Collector = {
      records: [],
      bytes: 0,
      bytesMax,
      lastIndex: Math.min(this.lastIndex, index + limit - 1),
      full: false,
    };
    let next = index;
    while (next <= collector.lastIndex && !collector.full && epoch === this.#epoch) {
      const segment = this.#segmentOf(next);
      const file = await this.#acquire(segment);
      try {
        next = await readSegmentRecords(
          file,
          segment,
          next,
          collector,
          chunkBytes,
          this.#frameOptions,
        );
      } finally {
        this.#release(segment);
      }
    }
    return collector.records;
  }

  /** The segment holding `index` (which must be at least `firstIndex`). */
  #segmentOf(index: number): Segment {
    const segments = this.#segments;
    let low = 0;
    let high = segments.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (segments[middle]!.baseIndex <= index) low = middle;
      else high = middle - 1;
    }
    const segment = segments[low]!;
    if (segment.baseIndex > index) throw new CompactedError(this.firstIndex, index);
    return segment;
  }

  async #acquire(segment: Segment): Promise<DiskFile> {
    if (segment.retired) throw new CompactedError(this.firstIndex);
    segment.refs++;
    try {
      if (segment.file !== undefined) {
        if (this.#handles.delete(segment)) this.#handles.add(segment);
        return segment.file;
      }
      segment.opening ??= this.#disk.open(segment.path).then(
        (file) => {
          segment.opening = undefined;
          segment.file = file;
          this.#handles.add(segment);
          this.#evictHandles();
          return file;
        },
        (error: unknown) => {
          segment.opening = undefined;
          throw error;
        },
      );
      return await segment.opening;
    } catch (error) {
      this.#release(segment);
      throw error;
    }
  }

  #release(segment: Segment): void {
    segment.refs--;
    if (segment.refs === 0 && segment.retired) void this.#closeHandle(segment);
  }

  /** Closes least recently used sealed handles nobody is reading until at most `readHandlesMax` stay open. */
  #evictHandles(): void {
    if (this.#handles.size <= this.#options.readHandlesMax) return;
    for (const segment of this.#handles) {
      if (this.#handles.size <= this.#options.readHandlesMax) return;
      if (segment.refs === 0 && segment.sealed) void this.#closeHandle(segment);
    }
  }

  async #closeHandle(segment: Segment): Promise<void> {
    const file = segment.file;
    segment.file = undefined;
    this.#handles.delete(segment);
    await file?.close().catch(() => undefined);
  }

  /** Takes `segment` out of use: its handle closes once the reads holding it are done. */
  async #retire(segment: Segment): Promise<void> {
    segment.retired = true;
    if (segment.refs === 0) await this.#closeHandle(segment);
  }

  /**
   * Removes record `index` and every later one (conflict resolution): deletes the segments that
   * start at or after it, newest first, then cuts the segment holding it and syncs, so a crash at
   * any point leaves a shorter, valid chain. The cut segment becomes the active one. A log cut back
   * to its `firstIndex` keeps an empty first segment, whose name records where it starts.
   * `truncateFrom(lastIndex + 1)` does nothing. Durable when it resolves. Until then `lastIndex`
   * and `segments()` describe the log before the cut, and reads wait for the cut to end.
   *
   * @throws `InvalidArgumentError` when `index` is below `firstIndex` or beyond `lastIndex + 1`.
   */
  truncateFrom(index: number): Promise<void> {
    return this.#mutate(async () => {
      if (!Number.isSafeInteger(index) || index < this.firstIndex || index > this.lastIndex + 1) {
        throw new InvalidArgumentError(
          `truncateFrom(${String(index)}) needs an index from firstIndex ${this.firstIndex} to ` +
            `lastIndex + 1 (${this.lastIndex + 1}); entries below firstIndex are already gone.`,
        );
      }
      if (index === this.lastIndex + 1) return;
      await this.#rewrite(async () => {
        const segments = this.#segments;
        let kept = segments.length;
        while (kept > 1 && segments[kept - 1]!.baseIndex >= index) {
          kept--;
          await this.#disk.remove(segments[kept]!.path);
        }
        const segment = segments[kept - 1]!;
        const file = segment.file ?? (await this.#disk.open(segment.path));
        this.#handles.delete(segment);
        segment.file = undefined;
        const offset =
          index === segment.baseIndex
            ? segmentHeaderFrameBytes
            : await offsetOfRecord(
                file,
                segment,
                index,
                this.#options.readChunkBytes,
                this.#frameOptions,
              );
        await file.truncate(offset);
        await file.sync();
        const cut = await this.#rescan(segment, file);
        cut.file = file;
        const replaced = segments.splice(kept - 1, segments.length - kept + 1, cut);
        for (const old of replaced) await this.#retire(old);
        this.#durableIndex = Math.min(this.#durableIndex, index - 1);
      });
    });
  }

  /** Rebuilds `segment`'s metadata from its file after a cut: the new active segment. */
  async #rescan(segment: Segment, file: DiskFile): Promise<Segment> {
    const outcome = await scanSegment({
      file,
      dir: this.dir,
      baseIndex: segment.baseIndex,
      isLast: true,
      previousGeneration: undefined,
      options: this.#options,
      onRecord: undefined,
    });
    if (outcome.kind === "damaged") {
      throw new CorruptionError(`${outcome.damage.problem} (found while cutting the log back)`, {
        file: segment.path,
        offset: outcome.damage.offset,
        index: outcome.damage.index,
      });
    }
    invariant(outcome.kind === "sound" && outcome.tail === undefined, "a cut segment scans whole");
    return outcome.segment;
  }

  /**
   * Runs `work`, a change that rewrites or removes records (a cut or a reset), so that reads see
   * the log before it or after it: reads in progress retry, and reads that start meanwhile wait.
   */
  async #rewrite(work: () => Promise<void>): Promise<void> {
    this.#epoch++;
    const done = work();
    this.#rewriting = done.then(
      () => undefined,
      () => undefined,
    );
    try {
      await done;
    } finally {
      this.#rewriting = undefined;
    }
  }

  /**
   * Deletes whole sealed segments whose last index is below `index`, oldest first, never the
   * active one, and resolves with the new `firstIndex` (the base of the oldest segment kept, at
   * most `index`). Each segment leaves the log only once the removal of its file is durable, so
   * `firstIndex` (and the `lowWaterMark` of a `CompactedError`) never shows a value that a crash
   * could take back; while its file is being removed, reads of it still work. Reads below the new
   * `firstIndex` then throw `CompactedError`; a read already in progress finishes from the handle
   * it holds. A crash part way leaves a shorter, valid chain.
   *
   * @throws `InvalidArgumentError` when `index` is not from 1 to `lastIndex + 1`.
   */
  truncateBefore(index: number): Promise<number> {
    return this.#mutate(async () => {
      if (!Number.isSafeInteger(index) || index < 1 || index > this.lastIndex + 1) {
        throw new InvalidArgumentError(
          `truncateBefore(${String(index)}) needs an index from 1 to lastIndex + 1 (${this.lastIndex + 1}).`,
        );
      }
      for (;;) {
        const oldest = this.#segments[0]!;
        if (this.#segments.length === 1 || !oldest.sealed || oldest.lastIndex >= index) break;
        // Holding a handle keeps reads of the segment working while its file is removed.
        await this.#acquire(oldest);
        try {
          await this.#disk.remove(oldest.path);
          this.#segments.shift();
          oldest.retired = true;
        } finally {
          this.#release(oldest);
        }
      }
      return this.firstIndex;
    });
  }

  /**
   * Discards every record and continues at `startIndex`, remembering `previousGeneration` as the
   * generation of the record before it: what a follower does after installing a snapshot. The new
   * empty segment is built under a temporary name and synced, the old segments are deleted newest
   * first, and only then is the new one renamed into place; after a crash the log holds either a
   * prefix of the old records or nothing (open then creates it from the options). Until it
   * resolves, `firstIndex`, `lastIndex` and `segments()` describe the old log, and reads wait for
   * it to end and then read the new one.
   */
  reset(startIndex: number, previousGeneration: number): Promise<void> {
    return this.#mutate(async () => {
      if (!Number.isSafeInteger(startIndex) || startIndex < 1) {
        throw new InvalidArgumentError(
          `reset: startIndex must be a safe integer >= 1, got ${String(startIndex)}.`,
        );
      }
      assertIndex(previousGeneration, "reset: previousGeneration");
      await this.#rewrite(async () => {
        const tempPath = joinDiskPath(this.dir, tempSegmentFileName(startIndex));
        const { segment, file } = await createEmptySegment(
          this.#disk,
          this.#options,
          startIndex,
          previousGeneration,
          tempPath,
        );
        await file.close();
        for (let at = this.#segments.length - 1; at >= 0; at--) {
          await this.#disk.remove(this.#segments[at]!.path);
        }
        await this.#disk.rename(tempPath, segment.path);
        segment.file = await this.#disk.open(segment.path);
        const replaced = this.#segments.splice(0, this.#segments.length, segment);
        for (const old of replaced) await this.#retire(old);
        this.#durableIndex = startIndex - 1;
      });
    });
  }

  /**
   * Waits for the mutations before it, then closes every file handle (without syncing: call
   * `SegmentedLog.sync` first to make recent appends durable). Reads in progress finish from
   * their handles. Later calls throw `ClosedError`. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closing) return this.#mutations.then(() => undefined);
    this.#closing = true;
    await this.#mutations;
    this.#closed = true;
    for (const segment of this.#segments) await this.#retire(segment);
  }

  /** Runs `work` after every mutation called before it; a failure other than bad input poisons the log. */
  #mutate<T>(work: () => Promise<T>): Promise<T> {
    if (this.#closing) return Promise.reject(new ClosedError(`segmented log ${this.dir}/`));
    const run = this.#mutations.then(async () => {
      if (this.#closed) throw new ClosedError(`segmented log ${this.dir}/`);
      if (this.#failure !== undefined) throw this.#failure;
      try {
        return await work();
      } catch (error) {
        if (!(error instanceof InvalidArgumentError))
          this.#failure ??= new LogFailedError(this.dir, error);
        throw error;
      }
    });
    this.#mutations = run.catch(() => undefined);
    return run;
  }
}
