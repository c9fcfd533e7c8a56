import { CorruptionError, type DiskFile } from "@pods/core-interfaces";
import { frameHeaderBytes, readFrame, type FrameOptions } from "@pods/codec";
import {
  decodeRecord,
  readUint32,
  segmentHeaderFrameBytes,
  type LogRecord,
} from "./record-format.ts";
import type { Segment } from "./segment.ts";

/** What one read collects, and its limits. @internal */
export interface Collector {
  /** The records collected so far, in index order. */
  readonly records: LogRecord[];
  /** Body bytes collected so far. */
  bytes: number;
  /** Stop before a record would take `bytes` past this (the first record is always taken). */
  readonly bytesMax: number;
  /** The last index wanted. */
  readonly lastIndex: number;
  /** Set once `bytesMax` stopped the read. */
  full: boolean;
}

/**
 * Walks the record frames of one segment from a known frame start, reading `chunkBytes` at a time
 * (more when a frame needs it): every frame is made whole before it is looked at, however the
 * chunks cut its header or payload, and no frame is read past the segment's end or the frame size
 * limit.
 */
class FrameCursor {
  readonly #file: DiskFile;
  readonly #segment: Segment;
  readonly #chunkBytes: number;
  readonly #frameOptions: FrameOptions;
  readonly #payloadBytesMax: number;
  /** The segment's size when the walk started: its records end there. */
  readonly #end: number;
  #buffer: Uint8Array = new Uint8Array(0);
  /** The file offset of `#buffer[0]`. */
  #bufferStart: number;
  /** The cursor's place in `#buffer`. */
  #position = 0;

  /**
   * @param offset - where a frame starts: the end of the segment header or a sparse index entry.
   */
  constructor(
    file: DiskFile,
    segment: Segment,
    offset: number,
    chunkBytes: number,
    frameOptions: FrameOptions,
  ) {
    this.#file = file;
    this.#segment = segment;
    this.#chunkBytes = chunkBytes;
    this.#frameOptions = frameOptions;
    this.#payloadBytesMax = frameOptions.frameBytesMax ?? Number.POSITIVE_INFINITY;
    this.#end = segment.size;
    this.#bufferStart = offset;
  }

  /** The file offset of the frame at the cursor. */
  get offset(): number {
    return this.#bufferStart + this.#position;
  }

  /** Hops over the frame at the cursor (record `index`) by its length, without verifying it. */
  async skip(index: number): Promise<void> {
    const frameBytes = await this.#frameBytes(index);
    if (this.#position + frameBytes <= this.#buffer.length) {
      this.#position += frameBytes;
    } else {
      this.#bufferStart = this.offset + frameBytes;
      this.#buffer = new Uint8Array(0);
      this.#position = 0;
    }
  }

  /**
   * Reads the frame at the cursor, which must hold record `index`, verifies its checksum and index,
   * and moves past it. The record's body is a view into the cursor's buffer.
   *
   * @throws `CorruptionError` when it does not verify or the segment ends inside it.
   */
  async next(index: number): Promise<LogRecord> {
    await this.#ensure(await this.#frameBytes(index), index);
    const result = readFrame(this.#buffer, this.#position, this.#frameOptions);
    if (result.status !== "frame")
      throw this.#damaged(`record ${index} does not verify (${result.status})`, index);
    const record = decodeRecord(this.#buffer, result.end - result.payload.length, result.end);
    if (typeof record === "string") throw this.#damaged(record, index);
    if (record.index !== index)
      throw this.#damaged(`found record ${record.index} where ${index} belongs`, index);
    this.#position = result.end;
    return record;
  }

  /** The length of the frame at the cursor (header included), read from its whole header. */
  async #frameBytes(index: number): Promise<number> {
    await this.#ensure(frameHeaderBytes, index);
    const payloadBytes = readUint32(this.#buffer, this.#position);
    if (payloadBytes > this.#payloadBytesMax) {
      throw this.#damaged(
        `record ${index} claims ${payloadBytes} bytes, more than the ${this.#payloadBytesMax} allowed`,
        index,
      );
    }
    return frameHeaderBytes + payloadBytes;
  }

  /** Makes the `bytes` bytes from the cursor on available in `#buffer`, reading what is missing. */
  async #ensure(bytes: number, index: number): Promise<void> {
    const kept = this.#buffer.length - this.#position;
    const missing = bytes - kept;
    if (missing <= 0) return;
    const readAt = this.#bufferStart + this.#buffer.length;
    const wanted = Math.min(Math.max(missing, this.#chunkBytes), this.#end - readAt);
    const read = wanted < missing ? new Uint8Array(0) : await this.#file.read(readAt, wanted);
    if (read.length < missing) {
      throw this.#damaged("the segment ends inside a record that should be whole", index);
    }
    if (kept > 0) {
      const joined = new Uint8Array(kept + read.length);
      joined.set(this.#buffer.subarray(this.#position));
      joined.set(read, kept);
      this.#buffer = joined;
    } else {
      this.#buffer = read;
    }
    this.#bufferStart += this.#position;
    this.#position = 0;
  }

  #damaged(problem: string, index: number): CorruptionError {
    return new CorruptionError(problem, { file: this.#segment.path, offset: this.offset, index });
  }
}

/** The sparse index entry at or before `index`: a record index and where its frame starts. */
function startOf(segment: Segment, index: number): [number, number] {
  return segment.sparse.floor(index) ?? [segment.baseIndex, segmentHeaderFrameBytes];
}

/**
 * Reads records `from` … (at most `collector.lastIndex` and the segment's last) of one segment
 * into `collector`: starts at the sparse index entry at or before `from`, hops over the frames
 * before it by their lengths, and verifies the checksum and index of every record it returns.
 * Returns the next index to read. @internal
 */
export async function readSegmentRecords(
  file: DiskFile,
  segment: Segment,
  from: number,
  collector: Collector,
  chunkBytes: number,
  frameOptions: FrameOptions,
): Promise<number> {
  const [startIndex, startOffset] = startOf(segment, from);
  const lastIndex = Math.min(segment.lastIndex, collector.lastIndex);
  const cursor = new FrameCursor(file, segment, startOffset, chunkBytes, frameOptions);
  // Hop over the records before the one wanted; the records returned are verified.
  for (let index = startIndex; index < from; index++) await cursor.skip(index);
  for (let index = from; index <= lastIndex; index++) {
    const record = await cursor.next(index);
    if (collector.records.length > 0 && collector.bytes + record.body.length > collector.bytesMax) {
      collector.full = true;
      return index;
    }
    collector.records.push(record);
    collector.bytes += record.body.length;
  }
  return lastIndex + 1;
}

/**
 * The file offset where record `index` of `segment` starts (the segment's end for
 * `lastIndex + 1`), found by reading and verifying every record from the sparse index entry before
 * it: the place to cut the segment. @internal
 */
export async function offsetOfRecord(
  file: DiskFile,
  segment: Segment,
  index: number,
  chunkBytes: number,
  frameOptions: FrameOptions,
): Promise<number> {
  const [startIndex, startOffset] = startOf(segment, index);
  const cursor = new FrameCursor(file, segment, startOffset, chunkBytes, frameOptions);
  for (let current = startIndex; current < index; current++) await cursor.next(current);
  return cursor.offset;
}
