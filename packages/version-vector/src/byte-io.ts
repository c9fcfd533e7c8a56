import { assertNodeId, DecodeError, nodeIdLengthMax, type NodeId } from "@pods/core-interfaces";

// Unsigned LEB128 varints and length-prefixed fields, the building blocks of the binary forms.
// A varint holds a safe integer (at most 2^53 - 1, so at most 8 bytes) in its shortest form.

const varintBytesMax = 8;

/** Appends varints, node ids and byte strings to a growing buffer. */
export class ByteWriter {
  #buffer = new Uint8Array(256);
  #length = 0;

  #reserve(bytes: number): void {
    if (this.#length + bytes <= this.#buffer.length) return;
    const grown = new Uint8Array(Math.max(this.#buffer.length * 2, this.#length + bytes));
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
  }

  /** Appends one byte. */
  byte(value: number): void {
    this.#reserve(1);
    this.#buffer[this.#length++] = value;
  }

  /** Appends a safe integer >= 0 as an unsigned LEB128 varint. */
  varint(value: number): void {
    this.#reserve(varintBytesMax);
    let rest = value;
    while (rest >= 0x80) {
      this.#buffer[this.#length++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.#buffer[this.#length++] = rest;
  }

  /** Appends a node id: its length as a varint, then its ASCII characters. */
  nodeId(node: NodeId): void {
    this.varint(node.length);
    this.#reserve(node.length);
    for (let index = 0; index < node.length; index++) {
      this.#buffer[this.#length++] = node.charCodeAt(index);
    }
  }

  /** Appends a byte string: its length as a varint, then the bytes. */
  bytes(value: Uint8Array): void {
    this.varint(value.length);
    this.#reserve(value.length);
    this.#buffer.set(value, this.#length);
    this.#length += value.length;
  }

  /** The bytes written, as a new array. */
  finish(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }
}

/** Reads what {@link ByteWriter} writes; every malformed input is a `DecodeError` with its offset. */
export class ByteReader {
  readonly #bytes: Uint8Array;
  #offset = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /** The error for a problem at the current offset. */
  error(problem: string): DecodeError {
    return new DecodeError(problem, { offset: this.#offset });
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  /** Reads one byte. */
  byte(what: string): number {
    const value = this.#bytes[this.#offset];
    if (value === undefined) throw this.error(`the input ends before ${what}`);
    this.#offset++;
    return value;
  }

  /** Reads a varint in its shortest form, at most `max`. */
  varint(what: string, max = Number.MAX_SAFE_INTEGER): number {
    const start = this.#offset;
    let value = 0;
    let scale = 1;
    for (let index = 0; index < varintBytesMax; index++) {
      const byte = this.byte(what);
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) {
        if (byte === 0 && index > 0) throw this.#errorAt(start, `${what} is not in shortest form`);
        if (value > max) throw this.#errorAt(start, `${what} ${value} exceeds ${max}`);
        return value;
      }
      scale *= 0x80;
    }
    throw this.#errorAt(start, `${what} is longer than ${varintBytesMax} bytes`);
  }

  /** Reads a count of items that take at least one byte each (so it cannot exceed the input). */
  count(what: string, max: number): number {
    return this.varint(what, Math.min(max, this.remaining));
  }

  /** Reads a node id written by {@link ByteWriter.nodeId} and checks it. */
  nodeId(what: string): NodeId {
    const start = this.#offset;
    const length = this.varint(what, nodeIdLengthMax);
    const end = this.#offset + length;
    if (end > this.#bytes.length) throw this.error(`the input ends inside ${what}`);
    let node = "";
    for (let index = this.#offset; index < end; index++) {
      node += String.fromCharCode(this.#bytes[index] as number);
    }
    this.#offset = end;
    try {
      assertNodeId(node, what);
    } catch (error) {
      throw this.#errorAt(start, (error as Error).message);
    }
    return node;
  }

  /** Reads a byte string written by {@link ByteWriter.bytes} (a view into the input). */
  bytes(what: string): Uint8Array {
    const length = this.varint(`${what} length`);
    if (length > this.remaining) throw this.error(`the input ends inside ${what}`);
    const value = this.#bytes.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return value;
  }

  /** Checks that the whole input was read. */
  end(): void {
    if (this.remaining > 0) throw this.error(`${this.remaining} trailing byte(s)`);
  }

  #errorAt(offset: number, problem: string): DecodeError {
    return new DecodeError(problem, { offset });
  }
}
