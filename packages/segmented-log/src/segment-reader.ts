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
  const [startIndex, startOffset] = segment.sparse.floor(from) ?? [
    segment.baseIndex,
    segmentHeaderFrameBytes,
  ];
  const end = segment.size;
  const lastIndex = Math.min(segment.lastIndex, collector.lastIndex);
  let index = startIndex;
  let buffer: Uint8Array = new Uint8Array(0);
  let bufferStart = startOffset;
  let position = 0;

  const damaged = (problem: string): CorruptionError =>
    new CorruptionError(problem, { file: segment.path, offset: bufferStart + position, index });

  /** Makes at least `bytes` bytes from `position` on available in `buffer`. */
  const ensure = async (bytes: number): Promise<void> => {
    const kept = buffer.length - position;
    if (kept >= bytes) return;
    const readAt = bufferStart + buffer.length;
    const wanted = Math.min(Math.max(bytes - kept, chunkBytes), end - readAt);
    const read = wanted < bytes - kept ? new Uint8Array(0) : await file.read(readAt, wanted);
    if (read.length < bytes - kept) {
      throw damaged("the segment ends inside a record that should be whole");
    }
    if (kept > 0) {
      const joined = new Uint8Array(kept + read.length);
      joined.set(buffer.subarray(position));
      joined.set(read, kept);
      buffer = joined;
    } else {
      buffer = read;
    }
    bufferStart += position;
    position = 0;
  };

  while (index <= lastIndex) {
    await ensure(frameHeaderBytes);
    const frameBytes = frameHeaderBytes + readUint32(buffer, position);
    if (index < from) {
      // Hop over a record before the one wanted; the record read in the end is verified.
      if (position + frameBytes <= buffer.length) {
        position += frameBytes;
      } else {
        bufferStart += position + frameBytes;
        buffer = new Uint8Array(0);
        position = 0;
      }
      index++;
      continue;
    }
    await ensure(frameBytes);
    const result = readFrame(buffer, position, frameOptions);
    if (result.status !== "frame")
      throw damaged(`record ${index} does not verify (${result.status})`);
    const record = decodeRecord(buffer, result.end - result.payload.length, result.end);
    if (typeof record === "string") throw damaged(record);
    if (record.index !== index)
      throw damaged(`found record ${record.index} where ${index} belongs`);
    if (collector.records.length > 0 && collector.bytes + record.body.length > collector.bytesMax) {
      collector.full = true;
      return index;
    }
    collector.records.push(record);
    collector.bytes += record.body.length;
    position = result.end;
    index++;
  }
  return index;
}

/**
 * The file offset where record `index` of `segment` starts, found by reading and verifying every
 * record from the sparse index entry before it: the place to cut the segment. @internal
 */
export async function offsetOfRecord(
  file: DiskFile,
  segment: Segment,
  index: number,
  chunkBytes: number,
  frameOptions: FrameOptions,
): Promise<number> {
  const [startIndex, startOffset] = segment.sparse.floor(index) ?? [
    segment.baseIndex,
    segmentHeaderFrameBytes,
  ];
  const bytes = await file.read(startOffset, Math.min(segment.size - startOffset, chunkBytes));
  let buffer = bytes;
  let position = 0;
  for (let current = startIndex; current < index; current++) {
    let result = readFrame(buffer, position, frameOptions);
    if (result.status === "incomplete") {
      const more = await file.read(startOffset + buffer.length, result.bytesNeeded + chunkBytes);
      const joined = new Uint8Array(buffer.length + more.length);
      joined.set(buffer);
      joined.set(more, buffer.length);
      buffer = joined;
      result = readFrame(buffer, position, frameOptions);
    }
    const record =
      result.status === "frame"
        ? decodeRecord(buffer, result.end - result.payload.length, result.end)
        : `record ${current} does not verify (${result.status})`;
    if (typeof record === "string" || record.index !== current || result.status !== "frame") {
      throw new CorruptionError(
        typeof record === "string"
          ? record
          : `found record ${record.index} where ${current} belongs`,
        { file: segment.path, offset: startOffset + position, index: current },
      );
    }
    position = result.end;
  }
  return startOffset + position;
}
