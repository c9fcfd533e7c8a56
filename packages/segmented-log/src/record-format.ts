import { crc32c, frameHeaderBytes } from "@pods/codec";

// The bytes inside each frame (the frame itself is the codec's: length, CRC32C, payload).
//
// Record payload:  index u64 | generation u64 | timestamp float64 (ms) | body
// Segment header:  magic 0xFF "PLG" | version u8 | 3 zero bytes | base index u64 | previous
//                  generation u64
// All big-endian. The header's first byte 0xFF makes it an impossible record (its "index" would be
// beyond 2^53), so a header is never mistaken for a record.

/** Bytes of a record's fixed header inside its frame payload: index, generation, timestamp. */
export const recordHeaderBytes = 24;

/** Bytes of the segment header frame at the start of every segment file. */
export const segmentHeaderFrameBytes = frameHeaderBytes + 24;

/** The on-disk format version written in segment headers. */
export const segmentFormatVersion = 1;

const magic = [0xff, 0x50, 0x4c, 0x47] as const;

/** A record to append: its index (the log's next), generation, wall timestamp and body. */
export interface RecordInput {
  /** The record's index: the log's `lastIndex + 1` for the first record of an append. */
  readonly index: number;
  /** The generation (term) the record was written in; 0 when unused. */
  readonly generation: number;
  /** Wall-clock time of the record in milliseconds since the epoch (any finite number). */
  readonly timestampMs: number;
  /** The body bytes, whole or in parts that are stored back to back. */
  readonly body: Uint8Array | readonly Uint8Array[];
}

/** A record read from the log. */
export interface LogRecord {
  /** The record's index. */
  readonly index: number;
  /** The generation it was written in. */
  readonly generation: number;
  /** Its wall-clock timestamp in milliseconds since the epoch. */
  readonly timestampMs: number;
  /**
   * The body: a view into a buffer the log read (never shared with the log's own state). It keeps
   * that buffer alive: copy it when you keep a small body for long.
   */
  readonly body: Uint8Array;
}

const float64 = new Float64Array(1);
const float64Bytes = new Uint8Array(float64.buffer);
const littleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

function writeUint32(target: Uint8Array, offset: number, value: number): void {
  target[offset] = value >>> 24;
  target[offset + 1] = value >>> 16;
  target[offset + 2] = value >>> 8;
  target[offset + 3] = value;
}

/** Reads an unsigned 32-bit big-endian integer. @internal */
export function readUint32(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset]! << 24) |
      (bytes[offset + 1]! << 16) |
      (bytes[offset + 2]! << 8) |
      bytes[offset + 3]!) >>>
    0
  );
}

function writeUint64(target: Uint8Array, offset: number, value: number): void {
  writeUint32(target, offset, Math.floor(value / 0x1_0000_0000));
  writeUint32(target, offset + 4, value >>> 0);
}

/** Reads an unsigned 64-bit big-endian integer; -1 when it is not a safe integer. @internal */
export function readUint64(bytes: Uint8Array, offset: number): number {
  const high = readUint32(bytes, offset);
  if (high > 0x1f_ffff) return -1;
  return high * 0x1_0000_0000 + readUint32(bytes, offset + 4);
}

function writeFloat64(target: Uint8Array, offset: number, value: number): void {
  float64[0] = value;
  for (let byte = 0; byte < 8; byte++) {
    target[offset + byte] = float64Bytes[littleEndian ? 7 - byte : byte]!;
  }
}

/** Reads a float64 big-endian. @internal */
export function readFloat64(bytes: Uint8Array, offset: number): number {
  for (let byte = 0; byte < 8; byte++) {
    float64Bytes[littleEndian ? 7 - byte : byte] = bytes[offset + byte]!;
  }
  return float64[0]!;
}

/** The body length of a record input. @internal */
export function bodyBytes(body: Uint8Array | readonly Uint8Array[]): number {
  if (body instanceof Uint8Array) return body.length;
  let total = 0;
  for (const part of body) total += part.length;
  return total;
}

/** The frame bytes a record of `bodyLength` body bytes takes on disk. @internal */
export function recordFrameBytes(bodyLength: number): number {
  return frameHeaderBytes + recordHeaderBytes + bodyLength;
}

/** Fills in the frame header (length, CRC32C) of the frame at `offset` with `payloadBytes`. */
function sealFrame(target: Uint8Array, offset: number, payloadBytes: number): void {
  writeUint32(target, offset, payloadBytes);
  const payloadStart = offset + frameHeaderBytes;
  const lengthCrc = crc32c(target.subarray(offset, offset + 4));
  const crc = crc32c(target.subarray(payloadStart, payloadStart + payloadBytes), lengthCrc);
  writeUint32(target, offset + 4, crc);
}

/**
 * Writes the frames of `records[from, to)` into `target` at `offset`, back to back; returns the
 * offset after them. `bodyLengths[k]` is the body length of `records[k]`. @internal
 */
export function encodeRecordFrames(
  records: readonly RecordInput[],
  bodyLengths: readonly number[],
  from: number,
  to: number,
  target: Uint8Array,
  offset: number,
): number {
  let position = offset;
  for (let k = from; k < to; k++) {
    const record = records[k]!;
    const payloadBytes = recordHeaderBytes + bodyLengths[k]!;
    const start = position + frameHeaderBytes;
    writeUint64(target, start, record.index);
    writeUint64(target, start + 8, record.generation);
    writeFloat64(target, start + 16, record.timestampMs);
    let bodyAt = start + recordHeaderBytes;
    if (record.body instanceof Uint8Array) {
      target.set(record.body, bodyAt);
    } else {
      for (const part of record.body) {
        target.set(part, bodyAt);
        bodyAt += part.length;
      }
    }
    sealFrame(target, position, payloadBytes);
    position += frameHeaderBytes + payloadBytes;
  }
  return position;
}

/** The decoded fixed fields of a segment header. @internal */
export interface SegmentHeader {
  readonly baseIndex: number;
  readonly previousGeneration: number;
}

/** Writes the segment header frame into `target` at `offset`. @internal */
export function encodeSegmentHeader(
  header: SegmentHeader,
  target = new Uint8Array(segmentHeaderFrameBytes),
  offset = 0,
): Uint8Array {
  const start = offset + frameHeaderBytes;
  target.set(magic, start);
  target[start + 4] = segmentFormatVersion;
  target.fill(0, start + 5, start + 8);
  writeUint64(target, start + 8, header.baseIndex);
  writeUint64(target, start + 16, header.previousGeneration);
  sealFrame(target, offset, 24);
  return target;
}

/** Decodes a verified segment header payload; a string says what is wrong with it. @internal */
export function decodeSegmentHeader(payload: Uint8Array): SegmentHeader | string {
  if (payload.length !== 24) return `a segment header has 24 bytes, this one ${payload.length}`;
  if (magic.some((byte, at) => payload[at] !== byte)) return "the segment header's magic is wrong";
  if (payload[4] !== segmentFormatVersion) {
    return `segment format version ${payload[4]} is not supported (this release reads version ${segmentFormatVersion})`;
  }
  const baseIndex = readUint64(payload, 8);
  const previousGeneration = readUint64(payload, 16);
  if (baseIndex < 1 || previousGeneration < 0)
    return "the segment header holds an impossible index";
  return { baseIndex, previousGeneration };
}

/**
 * Decodes a verified record payload at `bytes[start, end)`, or returns a string saying why it is
 * not a record. @internal
 */
export function decodeRecord(bytes: Uint8Array, start: number, end: number): LogRecord | string {
  if (end - start < recordHeaderBytes) {
    return `a record needs at least ${recordHeaderBytes} bytes, this one has ${end - start}`;
  }
  const index = readUint64(bytes, start);
  const generation = readUint64(bytes, start + 8);
  const timestampMs = readFloat64(bytes, start + 16);
  if (index < 1) return "the record's index is not a safe integer >= 1";
  if (generation < 0) return "the record's generation is not a safe integer";
  if (!Number.isFinite(timestampMs)) return "the record's timestamp is not a finite number";
  return { index, generation, timestampMs, body: bytes.subarray(start + recordHeaderBytes, end) };
}
