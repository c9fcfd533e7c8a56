import { InvalidArgumentError } from "@pods/core-interfaces";
import { crc32cRange } from "./crc32c.ts";

/**
 * The size of a frame header: the payload length (4 bytes) then the CRC32C (4 bytes), both
 * unsigned 32-bit big-endian.
 */
export const frameHeaderBytes = 8;

/** The default largest payload a frame may carry: 16 MiB. */
export const defaultFrameBytesMax = 16 * 1024 * 1024;

/**
 * The largest value `frameBytesMax` may take: 1 GiB. Larger messages belong in chunked transfers
 * (snapshots), not single frames.
 */
export const frameBytesMaxCeiling = 1024 * 1024 * 1024;

/** Options shared by the frame encoders and decoders. */
export interface FrameOptions {
  /**
   * The largest payload accepted, in bytes: an integer from 0 to {@link frameBytesMaxCeiling}.
   * Default {@link defaultFrameBytesMax} (16 MiB). Writers and readers of the same data must agree.
   */
  readonly frameBytesMax?: number;
}

/**
 * Checks and resolves `options.frameBytesMax`.
 *
 * @throws `InvalidArgumentError` unless it is an integer from 0 to the ceiling.
 */
export function resolveFrameBytesMax(options: FrameOptions): number {
  const frameBytesMax = options.frameBytesMax ?? defaultFrameBytesMax;
  if (
    !Number.isInteger(frameBytesMax) ||
    frameBytesMax < 0 ||
    frameBytesMax > frameBytesMaxCeiling
  ) {
    throw new InvalidArgumentError(
      `frameBytesMax must be an integer from 0 to ${frameBytesMaxCeiling} (1 GiB), got ` +
        `${String(frameBytesMax)}; the default is ${defaultFrameBytesMax} (16 MiB).`,
    );
  }
  return frameBytesMax;
}

/** The CRC32C a frame header stores: over the 4 length bytes, then the payload. */
export function frameChecksum(
  lengthBytes: Uint8Array,
  lengthOffset: number,
  payload: Uint8Array,
  payloadOffset: number,
  payloadBytes: number,
): number {
  const lengthCrc = crc32cRange(lengthBytes, lengthOffset, lengthOffset + 4, 0);
  return crc32cRange(payload, payloadOffset, payloadOffset + payloadBytes, lengthCrc);
}

function readUint32(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset]! << 24) |
      (bytes[offset + 1]! << 16) |
      (bytes[offset + 2]! << 8) |
      bytes[offset + 3]!) >>>
    0
  );
}

function writeUint32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value >>> 24;
  bytes[offset + 1] = value >>> 16;
  bytes[offset + 2] = value >>> 8;
  bytes[offset + 3] = value;
}

/** Reads the header at `offset`: the payload length and the stored CRC32C. */
export function readFrameHeader(
  bytes: Uint8Array,
  offset: number,
): { payloadBytes: number; checksum: number } {
  return { payloadBytes: readUint32(bytes, offset), checksum: readUint32(bytes, offset + 4) };
}

function checkPayload(payload: Uint8Array, frameBytesMax: number, what: string): void {
  if (!(payload instanceof Uint8Array)) {
    throw new InvalidArgumentError(`${what} must be a Uint8Array; encode the message first.`);
  }
  if (payload.length > frameBytesMax) {
    throw new InvalidArgumentError(
      `${what} is ${payload.length} bytes, more than frameBytesMax (${frameBytesMax} bytes); ` +
        "split it into smaller messages, or raise frameBytesMax on the writer and every reader.",
    );
  }
}

/** Writes one frame for `payload` at `offset` of `target`; returns the offset after it. */
function writeFrame(target: Uint8Array, offset: number, payload: Uint8Array): number {
  writeUint32(target, offset, payload.length);
  writeUint32(target, offset + 4, frameChecksum(target, offset, payload, 0, payload.length));
  target.set(payload, offset + frameHeaderBytes);
  return offset + frameHeaderBytes + payload.length;
}

/**
 * Frames `payload`: an 8-byte header (payload length, then the CRC32C of the length bytes and the
 * payload, both big-endian) followed by a copy of the payload.
 *
 * @param payload - the bytes to frame, at most `frameBytesMax` long.
 * @param options - the size limit.
 * @returns a new array of `frameHeaderBytes + payload.length` bytes.
 * @throws `InvalidArgumentError` when the payload is longer than `frameBytesMax`.
 */
export function encodeFrame(payload: Uint8Array, options: FrameOptions = {}): Uint8Array {
  checkPayload(payload, resolveFrameBytesMax(options), "The frame payload");
  const frame = new Uint8Array(frameHeaderBytes + payload.length);
  writeFrame(frame, 0, payload);
  return frame;
}

/**
 * Frames every payload, in order, into one array: the frames back to back, ready for one batched
 * write. Equal to concatenating {@link encodeFrame} of each, without the intermediate copies.
 *
 * @param payloads - the bytes to frame, each at most `frameBytesMax` long.
 * @param options - the size limit.
 * @throws `InvalidArgumentError` when a payload is longer than `frameBytesMax` (nothing is
 *   encoded).
 */
export function encodeFrames(
  payloads: readonly Uint8Array[],
  options: FrameOptions = {},
): Uint8Array {
  const frameBytesMax = resolveFrameBytesMax(options);
  let totalBytes = 0;
  payloads.forEach((payload, index) => {
    checkPayload(payload, frameBytesMax, `Payload ${index}`);
    totalBytes += frameHeaderBytes + payload.length;
  });
  const frames = new Uint8Array(totalBytes);
  let offset = 0;
  for (const payload of payloads) offset = writeFrame(frames, offset, payload);
  return frames;
}

/** {@link readFrame} found a whole, verified frame. */
export interface FrameRead {
  /** Discriminant. */
  readonly status: "frame";
  /** The payload: a view into the bytes that were read (not a copy). */
  readonly payload: Uint8Array;
  /** The offset just after this frame, where the next frame starts. */
  readonly end: number;
}

/** {@link readFrame} reached the end of the bytes inside a frame (or before its header). */
export interface FrameIncomplete {
  /** Discriminant. */
  readonly status: "incomplete";
  /**
   * How many more bytes are needed, at least: the whole rest of the frame once its header is
   * complete, otherwise what the header lacks.
   */
  readonly bytesNeeded: number;
}

/**
 * {@link readFrame} found 8 zero bytes where a header should start: preallocated or never-written
 * space (a real header is never all zeros, because the CRC32C of a zero length is not zero).
 */
export interface FrameZeros {
  /** Discriminant. */
  readonly status: "zeros";
}

/** Why {@link readFrame} rejected a frame. */
export type FrameCorruption = "checksum" | "too-large";

/** {@link readFrame} found a frame that fails verification. */
export interface FrameCorrupt {
  /** Discriminant. */
  readonly status: "corrupt";
  /**
   * `"checksum"`: the CRC32C does not match the length and payload; `"too-large"`: the header
   * claims more than `frameBytesMax` bytes.
   */
  readonly reason: FrameCorruption;
  /** The payload length the header claims, in bytes (itself possibly damaged). */
  readonly payloadBytes: number;
}

/** What {@link readFrame} found at an offset. */
export type ReadFrameResult = FrameRead | FrameIncomplete | FrameZeros | FrameCorrupt;

/**
 * Reads the frame starting at `offset` of `bytes` without throwing on bad data: the scanner for
 * log recovery. Never returns a payload whose checksum did not verify.
 *
 * A damaged length that points past the end of `bytes` reads as `incomplete` (the checksum cannot
 * be checked without the bytes it covers); a log that finds more data after such a point should
 * treat it as corrupt rather than torn.
 *
 * @param bytes - the data, e.g. a log segment read from disk.
 * @param offset - where the frame starts, from 0 to `bytes.length`.
 * @param options - the size limit.
 * @throws `InvalidArgumentError` only for bad arguments (offset out of range, bad options).
 */
export function readFrame(
  bytes: Uint8Array,
  offset: number,
  options: FrameOptions = {},
): ReadFrameResult {
  const frameBytesMax = resolveFrameBytesMax(options);
  if (!(bytes instanceof Uint8Array)) {
    throw new InvalidArgumentError("readFrame(bytes) needs a Uint8Array.");
  }
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > bytes.length) {
    throw new InvalidArgumentError(
      `readFrame's offset must be an integer from 0 to ${bytes.length} (the length of bytes), ` +
        `got ${offset}.`,
    );
  }
  const available = bytes.length - offset;
  if (available < frameHeaderBytes) {
    return { status: "incomplete", bytesNeeded: frameHeaderBytes - available };
  }
  const { payloadBytes, checksum } = readFrameHeader(bytes, offset);
  if (payloadBytes === 0 && checksum === 0) return { status: "zeros" };
  if (payloadBytes > frameBytesMax) return { status: "corrupt", reason: "too-large", payloadBytes };
  const end = offset + frameHeaderBytes + payloadBytes;
  if (end > bytes.length) return { status: "incomplete", bytesNeeded: end - bytes.length };
  const payloadOffset = offset + frameHeaderBytes;
  if (frameChecksum(bytes, offset, bytes, payloadOffset, payloadBytes) !== checksum) {
    return { status: "corrupt", reason: "checksum", payloadBytes };
  }
  return { status: "frame", payload: bytes.subarray(payloadOffset, end), end };
}
