import { InvalidArgumentError } from "@pods/core-interfaces";
import {
  frameChecksum,
  frameHeaderBytes,
  readFrameHeader,
  resolveFrameBytesMax,
  type FrameOptions,
} from "./frame.ts";
import { FrameChecksumError, FrameTooLargeError, FrameTruncatedError } from "./frame-errors.ts";

/**
 * How much payload space a frame gets before its bytes arrive. Further space doubles as bytes
 * arrive, so a header claiming a huge payload costs memory only once the payload really comes.
 */
const initialPayloadCapacityBytes = 64 * 1024;

/** The payload buffer between frames (empty, so never written). */
const noPayload = new Uint8Array(0);

/**
 * Reassembles frames from a byte stream (a TCP connection) that arrives in arbitrary chunks: a
 * frame may be split across any number of chunks, and one chunk may hold many frames.
 *
 * Zero-copy where it can be: the payload of a frame that lies wholly inside one chunk is returned
 * as a view of that chunk (a plain `Uint8Array` over the chunk's `ArrayBuffer`), checksummed in
 * place. Only a frame that spans chunks is copied, each byte once, into a payload of its own. The
 * decoder never writes to a chunk and keeps no reference to one after {@link FrameDecoder.push}
 * returns, but the payloads it returned may: a caller that reuses or overwrites its chunk buffers
 * must copy the payloads (or the chunk) first. Node's socket `'data'` chunks (TCP and TLS) are
 * fresh buffers for every read, never reused, so they are safe to alias. A payload kept for long
 * keeps its whole chunk alive; `slice()` what you store (decoding with `createMsgpackCodec` copies
 * already).
 *
 * A header claiming more than `frameBytesMax` is rejected as soon as its 8 bytes are in, before
 * any payload is buffered. After an error the decoder is poisoned: the stream cannot be
 * resynchronised (there is no marker to find the next frame), so every later `push` or `finish`
 * throws the same error. Drop the connection and open a new one.
 *
 * @example
 * ```ts
 * const decoder = new FrameDecoder();
 * socket.on("data", (chunk) => {
 *   for (const payload of decoder.push(chunk)) handle(codec.decode(payload));
 * });
 * socket.on("end", () => decoder.finish());
 * ```
 */
export class FrameDecoder {
  readonly #frameBytesMax: number;
  /** The header being received (valid up to #headerFilled). */
  readonly #header = new Uint8Array(frameHeaderBytes);
  #headerFilled = 0;
  /** The payload length the complete header claims, or -1 while the header is incomplete. */
  #payloadBytes = -1;
  #checksum = 0;
  /** The payload of a frame that spans chunks; grows geometrically up to #payloadBytes. */
  #payload = noPayload;
  #payloadFilled = 0;
  /** The stream offset of the current frame's header. */
  #frameOffset = 0;
  #error: Error | undefined;

  /**
   * @param options - the size limit (`frameBytesMax`, default 16 MiB).
   * @throws `InvalidArgumentError` when `frameBytesMax` is not an integer from 0 to
   *   {@link frameBytesMaxCeiling}.
   */
  constructor(options: FrameOptions = {}) {
    this.#frameBytesMax = resolveFrameBytesMax(options);
  }

  /** Bytes of the incomplete frame held so far (header included); 0 between frames. */
  get bufferedBytes(): number {
    return this.#headerFilled + this.#payloadFilled;
  }

  /**
   * Consumes the next chunk of the stream.
   *
   * @param chunk - the next bytes, of any length (empty is fine). Never written to.
   * @returns the payloads of the frames this chunk completes, in stream order: views of `chunk`
   *   for frames wholly inside it, new arrays for frames that began in an earlier chunk.
   * @throws {@link FrameTooLargeError} when a header claims more than `frameBytesMax` bytes.
   * @throws {@link FrameChecksumError} when a frame fails its CRC32C check. Payloads completed
   *   earlier in the same chunk are not returned: the stream is broken, drop the connection.
   * @throws `InvalidArgumentError` when `chunk` is not a Uint8Array.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.#error !== undefined) throw this.#error;
    if (!(chunk instanceof Uint8Array)) {
      throw new InvalidArgumentError(
        "FrameDecoder.push(chunk) needs a Uint8Array of stream bytes.",
      );
    }
    const payloads: Uint8Array[] = [];
    let position = 0;
    while (position < chunk.length) {
      if (this.bufferedBytes === 0) {
        position = this.#viewWholeFrames(chunk, position, payloads);
        if (position === chunk.length) break;
      }
      position = this.#copyPartialFrame(chunk, position, payloads);
    }
    return payloads;
  }

  /**
   * Between frames: returns the frames that lie wholly inside `chunk` from `position` as views of
   * it; stops at the first frame that runs past its end. Returns where it stopped.
   */
  #viewWholeFrames(chunk: Uint8Array, position: number, payloads: Uint8Array[]): number {
    while (chunk.length - position >= frameHeaderBytes) {
      const { payloadBytes, checksum } = readFrameHeader(chunk, position);
      this.#checkSize(payloadBytes);
      const payloadStart = position + frameHeaderBytes;
      const end = payloadStart + payloadBytes;
      if (end > chunk.length) break;
      if (frameChecksum(chunk, position, chunk, payloadStart, payloadBytes) !== checksum) {
        this.#fail(new FrameChecksumError({ offset: this.#frameOffset }));
      }
      payloads.push(new Uint8Array(chunk.buffer, chunk.byteOffset + payloadStart, payloadBytes));
      this.#frameOffset += frameHeaderBytes + payloadBytes;
      position = end;
    }
    return position;
  }

  /**
   * Copies bytes of `chunk` from `position` into the frame that spans chunks, up to its end or
   * the chunk's; returns the position after them.
   */
  #copyPartialFrame(chunk: Uint8Array, position: number, payloads: Uint8Array[]): number {
    if (this.#payloadBytes < 0) {
      const taken = Math.min(frameHeaderBytes - this.#headerFilled, chunk.length - position);
      this.#header.set(chunk.subarray(position, position + taken), this.#headerFilled);
      this.#headerFilled += taken;
      position += taken;
      if (this.#headerFilled < frameHeaderBytes) return position;
      this.#startPayload(chunk.length - position);
    }
    const taken = Math.min(this.#payloadBytes - this.#payloadFilled, chunk.length - position);
    this.#reserve(this.#payloadFilled + taken);
    this.#payload.set(chunk.subarray(position, position + taken), this.#payloadFilled);
    this.#payloadFilled += taken;
    position += taken;
    if (this.#payloadFilled === this.#payloadBytes) payloads.push(this.#finishFrame());
    return position;
  }

  /**
   * Declares the end of the stream.
   *
   * @throws {@link FrameTruncatedError} when a partial frame is buffered (the stream ended inside
   *   it), or the error that poisoned the decoder earlier.
   */
  finish(): void {
    if (this.#error !== undefined) throw this.#error;
    if (this.bufferedBytes === 0) return;
    const bytesNeeded =
      this.#payloadBytes < 0
        ? frameHeaderBytes - this.#headerFilled
        : this.#payloadBytes - this.#payloadFilled;
    this.#fail(
      new FrameTruncatedError(this.bufferedBytes, bytesNeeded, { offset: this.#frameOffset }),
    );
  }

  /** Fails when a header claims more than `frameBytesMax` bytes. */
  #checkSize(payloadBytes: number): void {
    if (payloadBytes > this.#frameBytesMax) {
      this.#fail(
        new FrameTooLargeError(payloadBytes, this.#frameBytesMax, { offset: this.#frameOffset }),
      );
    }
  }

  /** The header is complete: check the claimed length and make room for the payload. */
  #startPayload(bytesAvailable: number): void {
    const { payloadBytes, checksum } = readFrameHeader(this.#header, 0);
    this.#checkSize(payloadBytes);
    this.#payloadBytes = payloadBytes;
    this.#checksum = checksum;
    this.#payloadFilled = 0;
    this.#payload = new Uint8Array(
      Math.min(payloadBytes, Math.max(bytesAvailable, initialPayloadCapacityBytes)),
    );
  }

  /** Grows the payload buffer (doubling, capped at the claimed length) to hold `bytes`. */
  #reserve(bytes: number): void {
    if (bytes <= this.#payload.length) return;
    const grown = new Uint8Array(
      Math.min(this.#payloadBytes, Math.max(bytes, this.#payload.length * 2)),
    );
    grown.set(this.#payload.subarray(0, this.#payloadFilled));
    this.#payload = grown;
  }

  /** The payload is complete: verify it and reset for the next header. */
  #finishFrame(): Uint8Array {
    const payload = this.#payload;
    if (frameChecksum(this.#header, 0, payload, 0, this.#payloadBytes) !== this.#checksum) {
      this.#fail(new FrameChecksumError({ offset: this.#frameOffset }));
    }
    this.#frameOffset += frameHeaderBytes + this.#payloadBytes;
    this.#headerFilled = 0;
    this.#payloadBytes = -1;
    this.#payloadFilled = 0;
    this.#payload = noPayload;
    return payload;
  }

  #fail(error: Error): never {
    this.#error = error;
    throw error;
  }
}
