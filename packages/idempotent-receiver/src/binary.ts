import { DecodeError } from "@pods/core-interfaces";

// The compact binary encoding shared by commands, results and snapshots: unsigned integers as
// LEB128 varints (at most 2^53 - 1, so they stay exact JavaScript numbers), times as float64
// big-endian, byte strings as a varint length followed by the bytes.

const varintBytesMax = 8; // 8 × 7 = 56 bits ≥ 53

/** Appends values to a growing buffer. */
export class ByteWriter {
  #bytes: Uint8Array;
  #length = 0;

  /** @param capacityBytes - the initial buffer size; it doubles as needed. */
  constructor(capacityBytes = 32) {
    this.#bytes = new Uint8Array(capacityBytes);
  }

  /** Appends one byte (0–255). */
  u8(value: number): this {
    this.#reserve(1);
    this.#bytes[this.#length++] = value;
    return this;
  }

  /** Appends a non-negative safe integer as a varint. */
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
    new DataView(this.#bytes.buffer).setFloat64(this.#length, value);
    this.#length += 8;
    return this;
  }

  /** Appends `bytes` preceded by their length. */
  bytes(bytes: Uint8Array): this {
    this.uint(bytes.length);
    return this.raw(bytes);
  }

  /** Appends `bytes` as they are (a reader takes them with {@link ByteReader.rest}). */
  raw(bytes: Uint8Array): this {
    this.#reserve(bytes.length);
    this.#bytes.set(bytes, this.#length);
    this.#length += bytes.length;
    return this;
  }

  /** The bytes written so far, as a fresh array. */
  finish(): Uint8Array {
    return this.#bytes.slice(0, this.#length);
  }

  #reserve(count: number): void {
    if (this.#length + count <= this.#bytes.length) return;
    let size = Math.max(1, this.#bytes.length * 2);
    while (size < this.#length + count) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
  }
}

/** Reads values back from bytes, throwing {@link DecodeError} at the first malformed one. */
export class ByteReader {
  readonly #bytes: Uint8Array;
  readonly #what: string;
  #offset = 0;

  /**
   * @param bytes - the encoded value.
   * @param what - what the bytes hold, for error messages (e.g. `"session command"`).
   */
  constructor(bytes: Uint8Array, what: string) {
    this.#bytes = bytes;
    this.#what = what;
  }

  /** Reads one byte. */
  u8(field: string): number {
    const value = this.#bytes[this.#offset];
    if (value === undefined) throw this.error(`${field} is missing (the bytes end early)`);
    this.#offset++;
    return value;
  }

  /** Reads a varint that must be a safe integer in [min, Number.MAX_SAFE_INTEGER]. */
  uint(field: string, min = 0): number {
    let value = 0;
    let scale = 1;
    for (let count = 0; count < varintBytesMax; count++) {
      const byte = this.u8(field);
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (!Number.isSafeInteger(value)) throw this.error(`${field} exceeds 2^53 - 1`);
        if (value < min) throw this.error(`${field} is ${value}, below its minimum ${min}`);
        if (count > 0 && byte === 0) throw this.error(`${field} is not minimally encoded`);
        return value;
      }
      scale *= 0x80;
    }
    throw this.error(`${field} is a varint longer than ${varintBytesMax} bytes`);
  }

  /** Reads a float64 that must be finite and ≥ 0. */
  time(field: string): number {
    if (this.#offset + 8 > this.#bytes.length) {
      throw this.error(`${field} is missing (the bytes end early)`);
    }
    const bytes = this.#bytes;
    const value = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getFloat64(
      this.#offset,
    );
    this.#offset += 8;
    if (!Number.isFinite(value) || value < 0) {
      throw this.error(`${field} is ${value}, not a finite time >= 0`);
    }
    return value;
  }

  /** Reads a length-prefixed byte string (a view into the input). */
  bytes(field: string): Uint8Array {
    const length = this.uint(`${field} length`);
    if (length > this.#bytes.length - this.#offset) {
      throw this.error(`${field} claims ${length} bytes but only ${this.remaining} remain`);
    }
    const value = this.#bytes.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return value;
  }

  /** Takes every remaining byte (a view into the input). */
  rest(): Uint8Array {
    const value = this.#bytes.subarray(this.#offset);
    this.#offset = this.#bytes.length;
    return value;
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  /** Throws unless every byte was read. */
  end(): void {
    if (this.remaining > 0) throw this.error(`${this.remaining} trailing bytes`);
  }

  /** A {@link DecodeError} about these bytes at the current offset. */
  error(problem: string): DecodeError {
    return new DecodeError(
      `${this.#what}: ${problem}. It was not produced by this version of ` +
        "@pods/idempotent-receiver, or it was damaged; check the sender and its version.",
      { offset: this.#offset },
    );
  }
}
