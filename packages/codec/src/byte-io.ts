import { DecodeError } from "@pods/core-interfaces";

// The building blocks of compact binary forms (version vectors, session commands, log
// commands): single bytes, unsigned integers as LEB128 varints in their shortest form (at most
// 2^53 - 1, so at most 8 bytes, and exact as JavaScript numbers), float64 big-endian, and
// length-prefixed byte strings and ASCII text. The reader refuses anything a writer would not
// produce, with a DecodeError that names the field and the offset.

const varintBytesMax = 8;

/**
 * Where f64 values are converted to and from bytes. A writer or reader never asks a typed
 * array for its `buffer`: V8 keeps arrays of at most 64 bytes inside the JavaScript heap, and
 * asking for the buffer moves one out to memory allocated apart (a malloc, several times the
 * cost of the array itself).
 */
const f64Scratch = new DataView(new ArrayBuffer(8));
const f64Bytes = new Uint8Array(f64Scratch.buffer);

/**
 * Inputs of at most this many bytes are copied rather than viewed by {@link ByteReader.bytes}
 * and {@link ByteReader.rest}: a view needs the input's `buffer` (see above); a copy this small
 * costs less.
 */
const copiedInputBytesMax = 64;

const utf8Encoder = new TextEncoder();
const strictUtf8Decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Writers build their bytes in one buffer they share, so an encoding allocates once: the exact
 * copy {@link ByteWriter.finish} returns. One writer holds the buffer at a time; a new writer
 * takes it over, first moving the bytes of the writer that held it (one that has not finished
 * yet) to a buffer of that writer's own. A writer that needs more than the shared buffer holds
 * continues in a buffer of its own.
 */
const sharedBytesMax = 64 * 1024;
const shared = new Uint8Array(sharedBytesMax);
let sharedHolder: ByteWriter | undefined;

/**
 * Appends values to a growing buffer; {@link ByteWriter.finish} returns the bytes. Building an
 * encoding costs one allocation, the returned array: writers share their working buffer (one at
 * a time, and safely so when several are open at once).
 */
export class ByteWriter {
  #bytes: Uint8Array;
  #length = 0;

  /** @param capacityBytes - the bytes expected; the buffer grows as needed. Default 64. */
  constructor(capacityBytes = 64) {
    if (capacityBytes > sharedBytesMax) {
      this.#bytes = new Uint8Array(capacityBytes);
      return;
    }
    if (sharedHolder !== undefined) sharedHolder.#moveOut();
    this.#bytes = shared;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the module notes which writer holds the buffer
    sharedHolder = this;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#length;
  }

  /** Appends one byte (0–255). */
  u8(value: number): this {
    this.#reserve(1);
    this.#bytes[this.#length++] = value;
    return this;
  }

  /** Appends a safe integer ≥ 0 as a varint. */
  uint(value: number): this {
    this.#reserve(varintBytesMax);
    let rest = value;
    while (rest >= 0x80) {
      this.#bytes[this.#length++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.#bytes[this.#length++] = rest;
    return this;
  }

  /** Appends a float64, big-endian. */
  f64(value: number): this {
    this.#reserve(8);
    f64Scratch.setFloat64(0, value);
    this.#bytes.set(f64Bytes, this.#length);
    this.#length += 8;
    return this;
  }

  /** Appends `value` preceded by its length as a varint. */
  bytes(value: Uint8Array): this {
    this.uint(value.length);
    return this.raw(value);
  }

  /** Appends `value` as it is (a reader takes it with {@link ByteReader.rest}). */
  raw(value: Uint8Array): this {
    this.#reserve(value.length);
    this.#bytes.set(value, this.#length);
    this.#length += value.length;
    return this;
  }

  /**
   * Appends text as UTF-8 preceded by its length in bytes (a lone surrogate becomes U+FFFD, as
   * `TextEncoder` writes it). ASCII text is copied byte by byte, without a `TextEncoder` call.
   */
  utf8(text: string): this {
    for (let index = 0; index < text.length; index++) {
      if (text.charCodeAt(index) > 0x7f) return this.bytes(utf8Encoder.encode(text));
    }
    return this.ascii(text);
  }

  /** Appends ASCII text (a node id, say) preceded by its length, one byte per character. */
  ascii(text: string): this {
    this.uint(text.length);
    this.#reserve(text.length);
    for (let index = 0; index < text.length; index++) {
      this.#bytes[this.#length++] = text.charCodeAt(index);
    }
    return this;
  }

  /**
   * The bytes written, as a new array of their own. The writer may go on appending; a later
   * `finish` returns everything written so far.
   */
  finish(): Uint8Array {
    const written = this.#bytes.slice(0, this.#length);
    if (sharedHolder === this) {
      sharedHolder = undefined;
      // Appending more never changes `written`: the next byte outgrows it into a new buffer.
      this.#bytes = written;
    }
    return written;
  }

  /** Leaves the shared buffer to another writer, keeping this writer's bytes. */
  #moveOut(): void {
    const own = new Uint8Array(Math.max(64, this.#length * 2));
    own.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = own;
    sharedHolder = undefined;
  }

  #reserve(count: number): void {
    const needed = this.#length + count;
    if (needed <= this.#bytes.length) return;
    if (sharedHolder === this) sharedHolder = undefined;
    let size = Math.max(64, this.#bytes.length * 2);
    while (size < needed) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#bytes.length <= 64 ? this.#bytes : this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
  }
}

/** What a {@link ByteReader}'s errors say besides the problem. */
export interface ByteReaderContext {
  /** What the bytes hold, put before each problem: `"session command"`. */
  readonly what?: string;
  /** What to do about bad bytes, put after each problem: `"check the sender's version"`. */
  readonly advice?: string;
}

/** Limits of {@link ByteReader.uint}. */
export interface UintRange {
  /** The smallest value accepted. Default 0. */
  readonly min?: number;
  /** The largest value accepted. Default 2^53 - 1. */
  readonly max?: number;
}

/**
 * Reads what a {@link ByteWriter} wrote, field by field. Every malformed input — too short, a
 * varint not in its shortest form or out of range, a length beyond the input, trailing bytes —
 * is a `DecodeError` naming the field and carrying the offset.
 */
export class ByteReader {
  readonly #bytes: Uint8Array;
  readonly #context: ByteReaderContext;
  #offset = 0;

  /**
   * @param bytes - the encoded value.
   * @param context - what error messages say around the problem.
   */
  constructor(bytes: Uint8Array, context: ByteReaderContext = {}) {
    this.#bytes = bytes;
    this.#context = context;
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  /** Where the next field starts. */
  get offset(): number {
    return this.#offset;
  }

  /** Reads one byte. */
  u8(field: string): number {
    const value = this.#bytes[this.#offset];
    if (value === undefined) throw this.error(`${field} is missing: the input ends early`);
    this.#offset++;
    return value;
  }

  /** Reads a varint in its shortest form, within `range`. */
  uint(field: string, range?: UintRange): number {
    return this.#varint(field, "", range?.min ?? 0, range?.max ?? Number.MAX_SAFE_INTEGER);
  }

  /** {@link ByteReader.uint}; errors name `field` + `suffix`, joined only when one is thrown. */
  #varint(field: string, suffix: string, min: number, max: number): number {
    const start = this.#offset;
    let value = 0;
    let scale = 1;
    for (let index = 0; index < varintBytesMax; index++) {
      const byte = this.#bytes[this.#offset];
      if (byte === undefined) {
        throw this.error(`${field}${suffix} is missing: the input ends early`);
      }
      this.#offset++;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if ((byte === 0 && index > 0) || value > max || value < min) {
          throw this.#varintError(field + suffix, value, byte === 0 && index > 0, min, max, start);
        }
        return value;
      }
      scale *= 0x80;
    }
    throw this.error(`${field}${suffix} is a varint longer than ${varintBytesMax} bytes`, start);
  }

  #varintError(
    name: string,
    value: number,
    longForm: boolean,
    min: number,
    max: number,
    start: number,
  ): DecodeError {
    if (longForm) return this.error(`${name} is not in shortest form`, start);
    if (value > max) return this.error(`${name} is ${value}, above its maximum ${max}`, start);
    return this.error(`${name} is ${value}, below its minimum ${min}`, start);
  }

  /** Reads a byte length (a varint up to `max`) that the input still holds. */
  #length(field: string, max: number): number {
    const length = this.#varint(field, "'s length", 0, max);
    if (length > this.remaining) {
      throw this.error(`${field} claims ${length} bytes but only ${this.remaining} remain`);
    }
    return length;
  }

  /** Reads a count of items that take at least one byte each: at most `max` and the bytes left. */
  count(field: string, max: number): number {
    return this.uint(field, { max: Math.min(max, this.remaining) });
  }

  /** Reads a float64, big-endian (any value, NaN included: check what the field allows). */
  f64(field: string): number {
    if (this.remaining < 8) throw this.error(`${field} is missing: the input ends early`);
    for (let index = 0; index < 8; index++) f64Bytes[index] = this.#bytes[this.#offset + index]!;
    this.#offset += 8;
    return f64Scratch.getFloat64(0);
  }

  /**
   * Reads a length-prefixed byte string: a view into the input, or a copy when the input is at
   * most 64 bytes (cheaper in V8; either way, treat it as read-only).
   */
  bytes(field: string): Uint8Array {
    const length = this.#length(field, Number.MAX_SAFE_INTEGER);
    const value = this.#part(this.#offset, this.#offset + length);
    this.#offset += length;
    return value;
  }

  /** Reads length-prefixed ASCII text of at most `lengthMax` characters. */
  ascii(field: string, lengthMax: number): string {
    const length = this.#length(field, lengthMax);
    let text = "";
    for (let index = 0; index < length; index++) {
      const code = this.#bytes[this.#offset + index] as number;
      if (code > 0x7f) throw this.error(`${field} is not ASCII`, this.#offset + index);
      text += String.fromCharCode(code);
    }
    this.#offset += length;
    return text;
  }

  /**
   * Reads length-prefixed UTF-8 text of at most `bytesMax` bytes; text that is not valid UTF-8
   * is refused. ASCII, the common case, is read without a `TextDecoder` call.
   */
  utf8(field: string, bytesMax = Number.MAX_SAFE_INTEGER): string {
    const length = this.#length(field, bytesMax);
    const start = this.#offset;
    const bytes = this.#bytes;
    let text = "";
    for (let index = start; index < start + length; index++) {
      const code = bytes[index] as number;
      if (code > 0x7f) {
        try {
          text = strictUtf8Decoder.decode(bytes.subarray(start, start + length));
        } catch {
          throw this.error(`${field} is not valid UTF-8`, start);
        }
        break;
      }
      text += String.fromCharCode(code);
    }
    this.#offset = start + length;
    return text;
  }

  /** Takes every remaining byte, as {@link ByteReader.bytes} returns them (a view or a small copy). */
  rest(): Uint8Array {
    const value = this.#part(this.#offset, this.#bytes.length);
    this.#offset = this.#bytes.length;
    return value;
  }

  /** Throws unless every byte was read. */
  end(): void {
    if (this.remaining > 0) throw this.error(`${this.remaining} trailing byte(s)`);
  }

  #part(start: number, end: number): Uint8Array {
    const bytes = this.#bytes;
    return bytes.length <= copiedInputBytesMax
      ? bytes.slice(start, end)
      : bytes.subarray(start, end);
  }

  /** A `DecodeError` about these bytes at `offset` (default: where reading stands). */
  error(problem: string, offset = this.#offset): DecodeError {
    const { what, advice } = this.#context;
    const message =
      (what === undefined ? "" : `${what}: `) +
      problem +
      (advice === undefined ? "" : `. ${advice}`);
    return new DecodeError(message, { offset });
  }
}
