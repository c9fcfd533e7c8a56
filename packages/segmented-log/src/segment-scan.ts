import { CorruptionError, type DiskFile } from "@pods/core-interfaces";
import { crc32c, frameHeaderBytes, readFrame, type FrameOptions } from "@pods/codec";
import type { ResolvedOptions } from "./options.ts";
import {
  decodeRecord,
  decodeSegmentHeader,
  readUint32,
  readUint64,
  recordHeaderBytes,
  type LogRecord,
} from "./record-format.ts";
import { Segment } from "./segment.ts";

/** Damage found in a segment: where, the index expected there, and what is wrong. @internal */
export interface Damage {
  readonly offset: number;
  readonly index: number;
  readonly problem: string;
}

/** The outcome of scanning one segment file at open. @internal */
export type ScanOutcome =
  /** A sound segment; `tail` is data after its last record that open cuts (last segment only). */
  | { readonly kind: "sound"; readonly segment: Segment; readonly tail: Tail | undefined }
  /** The last segment has no valid header and nothing valid after it: a roll cut short by a crash. */
  | { readonly kind: "unfinished" }
  /** Damage that is not a torn tail; `segment` holds the records before it. */
  | { readonly kind: "damaged"; readonly segment: Segment | undefined; readonly damage: Damage };

/** Bytes after the last record of the last segment: a torn write, or zero-filled free space. @internal */
export interface Tail {
  readonly offset: number;
  readonly bytes: number;
  readonly zeroFilled: boolean;
}

/** What a scan needs. @internal */
export interface ScanInput {
  readonly file: DiskFile;
  readonly dir: string;
  readonly baseIndex: number;
  readonly isLast: boolean;
  /** The generation of the previous segment's last record, which the header must repeat. */
  readonly previousGeneration: number | undefined;
  readonly options: ResolvedOptions;
  readonly onRecord: ((record: LogRecord) => void) | undefined;
}

/** A record with a valid checksum found by {@link findRecord}. @internal */
export interface FoundRecord {
  readonly offset: number;
  readonly end: number;
  readonly record: LogRecord;
}

/**
 * Searches `bytes` from offset `from` on for a frame with a valid checksum that holds a record
 * with an index above `indexAbove`: the test that tells corruption (something valid follows) from
 * a torn tail (nothing does). @internal
 */
export function findRecord(
  bytes: Uint8Array,
  from: number,
  indexAbove: number,
  frameBytesMax: number,
): FoundRecord | undefined {
  const lastStart = bytes.length - frameHeaderBytes - recordHeaderBytes;
  for (let position = from; position <= lastStart; position++) {
    const payloadBytes = readUint32(bytes, position);
    if (payloadBytes < recordHeaderBytes || payloadBytes > frameBytesMax) continue;
    const end = position + frameHeaderBytes + payloadBytes;
    if (end > bytes.length) continue;
    const index = readUint64(bytes, position + frameHeaderBytes);
    if (index <= indexAbove) continue;
    const lengthCrc = crc32c(bytes.subarray(position, position + 4));
    const crc = crc32c(bytes.subarray(position + frameHeaderBytes, end), lengthCrc);
    if (crc !== readUint32(bytes, position + 4)) continue;
    const record = decodeRecord(bytes, position + frameHeaderBytes, end);
    if (typeof record !== "string") return { offset: position, end, record };
  }
  return undefined;
}

/**
 * Every record with a valid checksum in `bytes` from `from` on whose index is above `indexAbove`
 * and above the one before: what a repair reports as lost. Bodies are copies. @internal
 */
export function salvageRecords(
  bytes: Uint8Array,
  from: number,
  indexAbove: number,
  frameBytesMax: number,
): LogRecord[] {
  const found: LogRecord[] = [];
  let position = from;
  let lastIndex = indexAbove;
  for (;;) {
    const next = findRecord(bytes, position, lastIndex, frameBytesMax);
    if (next === undefined) return found;
    found.push({ ...next.record, body: next.record.body.slice() });
    lastIndex = next.record.index;
    position = next.end;
  }
}

function isAllZero(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte !== 0) return false;
  return true;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

/**
 * Reads a segment file from start to end, verifying every frame's checksum, the header, and that
 * record indexes run on from the base without a gap; calls `onRecord` for each record in order and
 * builds the segment's sparse index. At the first bad frame it decides between a torn tail (nothing
 * valid follows: cut in the last segment), zero-filled free space, and damage. @internal
 */
export async function scanSegment(input: ScanInput): Promise<ScanOutcome> {
  const { file, isLast, options, baseIndex } = input;
  const frameBytesMax = recordHeaderBytes + options.recordBytesMax;
  const frameOptions: FrameOptions = { frameBytesMax };
  const size = await file.size();
  let buffer: Uint8Array = new Uint8Array(0);
  let bufferStart = 0;
  let position = 0;
  let segment: Segment | undefined;

  const rest = async (offset: number): Promise<Uint8Array> =>
    offset >= size ? new Uint8Array(0) : file.read(offset, size - offset);

  /** The outcome at a frame that does not verify, at `offset` where record `expected` belongs. */
  const atBadFrame = async (
    offset: number,
    expected: number,
    what: string,
  ): Promise<ScanOutcome> => {
    const after = await rest(offset);
    const follower = findRecord(after, 1, expected - 1, frameBytesMax);
    if (follower !== undefined) {
      const problem =
        `${what}, yet record ${follower.record.index} with a valid checksum follows at offset ` +
        `${offset + follower.offset}: this is corruption, not a torn tail`;
      return { kind: "damaged", segment, damage: { offset, index: expected, problem } };
    }
    if (segment === undefined) {
      return isLast
        ? { kind: "unfinished" }
        : {
            kind: "damaged",
            segment,
            damage: { offset, index: expected, problem: `${what} in the segment header` },
          };
    }
    const zeroFilled = isAllZero(after);
    if (!isLast && !zeroFilled) {
      const problem = `${what}: a sealed segment ends in a torn record (sealed segments are synced whole)`;
      return { kind: "damaged", segment, damage: { offset, index: expected, problem } };
    }
    const tail = after.length === 0 ? undefined : { offset, bytes: after.length, zeroFilled };
    return { kind: "sound", segment, tail };
  };

  for (;;) {
    const result = readFrame(buffer, position, frameOptions);
    const offset = bufferStart + position;
    if (result.status === "incomplete" && bufferStart + buffer.length < size) {
      const readStart = bufferStart + buffer.length;
      const wanted = Math.min(
        size - readStart,
        Math.max(options.readChunkBytes, result.bytesNeeded),
      );
      const more = await file.read(readStart, wanted);
      if (more.length === 0)
        return atBadFrame(offset, expectedIndex(segment, baseIndex), "the file shrank");
      buffer = concat(buffer.subarray(position), more);
      bufferStart = offset;
      position = 0;
      continue;
    }
    const expected = expectedIndex(segment, baseIndex);
    if (result.status !== "frame") {
      if (result.status === "incomplete" && offset === size) {
        if (segment !== undefined) return { kind: "sound", segment, tail: undefined };
        return isLast ? { kind: "unfinished" } : damaged(segment, 0, expected, "the file is empty");
      }
      const what =
        result.status === "zeros"
          ? "zero-filled space"
          : result.status === "incomplete"
            ? "a record cut short"
            : result.reason === "checksum"
              ? "checksum mismatch"
              : `a frame claiming ${result.payloadBytes} bytes, more than the ${frameBytesMax} allowed`;
      return atBadFrame(offset, expected, what);
    }
    const payloadStart = result.end - result.payload.length;
    if (segment === undefined) {
      const header = decodeSegmentHeader(result.payload);
      if (typeof header === "string") return damaged(segment, offset, expected, header);
      if (header.baseIndex !== baseIndex) {
        return damaged(
          segment,
          offset,
          expected,
          `the segment header names base index ${header.baseIndex}, the file name ${baseIndex}`,
        );
      }
      if (
        input.previousGeneration !== undefined &&
        header.previousGeneration !== input.previousGeneration
      ) {
        return damaged(
          segment,
          offset,
          expected,
          `the segment header says the record before it has generation ${header.previousGeneration}, ` +
            `but the previous segment ends with generation ${input.previousGeneration}`,
        );
      }
      segment = new Segment(
        input.dir,
        baseIndex,
        header.previousGeneration,
        options.indexIntervalBytes,
      );
      segment.size = result.end + bufferStart;
    } else {
      const record = decodeRecord(buffer, payloadStart, result.end);
      if (typeof record === "string") return damaged(segment, offset, expected, record);
      if (record.index !== expected) {
        const problem = `the record at offset ${offset} has index ${record.index}, expected ${expected}`;
        return damaged(segment, offset, expected, problem);
      }
      segment.noteRecord(
        record.index,
        record.generation,
        record.timestampMs,
        offset,
        result.end - position,
      );
      if (input.onRecord !== undefined) deliver(input, segment, record, offset);
    }
    position = result.end;
  }
}

function expectedIndex(segment: Segment | undefined, baseIndex: number): number {
  return segment === undefined ? baseIndex : segment.lastIndex + 1;
}

function damaged(
  segment: Segment | undefined,
  offset: number,
  index: number,
  problem: string,
): ScanOutcome {
  return { kind: "damaged", segment, damage: { offset, index, problem } };
}

function deliver(input: ScanInput, segment: Segment, record: LogRecord, offset: number): void {
  try {
    input.onRecord!(record);
  } catch (error) {
    if (error instanceof CorruptionError && error.file === undefined) {
      throw new CorruptionError(
        error.message,
        { file: segment.path, offset, index: record.index },
        { cause: error },
      );
    }
    throw error;
  }
}
