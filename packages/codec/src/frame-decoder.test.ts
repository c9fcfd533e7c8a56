import { CorruptionError, InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeFrame, encodeFrames, frameBytesMaxCeiling, readFrame } from "./frame.ts";
import { FrameDecoder } from "./frame-decoder.ts";
import { FrameChecksumError, FrameTooLargeError, FrameTruncatedError } from "./frame-errors.ts";

const payloadsArbitrary = fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 });

/** Splits `bytes` at the given cut points (any numbers; taken modulo the length, sorted). */
function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  return chunks;
}

function decodeAll(decoder: FrameDecoder, chunks: readonly Uint8Array[]): Uint8Array[] {
  return chunks.flatMap((chunk) => decoder.push(chunk));
}

/** Pushes chunks until one throws; returns what was decoded and the error. */
function decodeUntilError(
  decoder: FrameDecoder,
  chunks: readonly Uint8Array[],
): { payloads: Uint8Array[]; error: unknown } {
  const payloads: Uint8Array[] = [];
  try {
    for (const chunk of chunks) payloads.push(...decoder.push(chunk));
    decoder.finish();
    return { payloads, error: undefined };
  } catch (error) {
    return { payloads, error };
  }
}

describe("FrameDecoder", () => {
  it("reassembles frames split at any chunk boundaries, in order", () => {
    fc.assert(
      fc.property(payloadsArbitrary, fc.array(fc.nat(), { maxLength: 20 }), (payloads, cuts) => {
        const decoder = new FrameDecoder();
        expect(decodeAll(decoder, split(encodeFrames(payloads), cuts))).toEqual(payloads);
        expect(decoder.bufferedBytes).toBe(0);
        decoder.finish();
      }),
    );
  });

  it("decodes a stream delivered one byte at a time", () => {
    const payloads = [Uint8Array.of(1, 2, 3), new Uint8Array(0), new Uint8Array(1000).fill(7)];
    const stream = encodeFrames(payloads);
    const decoder = new FrameDecoder();
    const decoded: Uint8Array[] = [];
    for (let index = 0; index < stream.length; index++) {
      decoded.push(...decoder.push(stream.subarray(index, index + 1)));
    }
    expect(decoded).toEqual(payloads);
  });

  it("decodes a large frame arriving in 64 KiB chunks", () => {
    const payload = new Uint8Array(3 * 1024 * 1024 + 5);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
    const stream = encodeFrame(payload);
    const decoder = new FrameDecoder();
    const decoded: Uint8Array[] = [];
    for (let offset = 0; offset < stream.length; offset += 64 * 1024) {
      decoded.push(...decoder.push(stream.subarray(offset, offset + 64 * 1024)));
      if (decoded.length === 0) expect(decoder.bufferedBytes).toBe(offset + 64 * 1024);
    }
    expect(decoded).toHaveLength(1);
    expect(Buffer.compare(decoded[0]!, payload)).toBe(0); // toEqual is slow on megabytes
  });

  it("returns frames wholly inside a chunk as plain views of it, without copying", () => {
    const chunk = Buffer.from(encodeFrames([Uint8Array.of(1, 2), Uint8Array.of(3)]));
    const [first, second] = new FrameDecoder().push(chunk);
    expect(first).toEqual(Uint8Array.of(1, 2));
    expect(second).toEqual(Uint8Array.of(3));
    for (const payload of [first!, second!]) {
      expect(Object.getPrototypeOf(payload)).toBe(Uint8Array.prototype); // even from a Buffer
      expect(payload.buffer).toBe(chunk.buffer);
    }
    expect(first!.byteOffset).toBe(chunk.byteOffset + 8);
    expect(second!.byteOffset).toBe(chunk.byteOffset + 8 + 2 + 8);
  });

  it("copies frames that span chunks, so those payloads own their bytes", () => {
    // Frames of 11, 9 and 10 bytes; chunk 1 ends inside the first frame, chunk 2 finishes it,
    // holds all of the second and starts the third, which chunk 3 finishes.
    const stream = encodeFrames([Uint8Array.of(1, 2, 3), Uint8Array.of(4), Uint8Array.of(5, 6)]);
    const chunks = [stream.slice(0, 9), stream.slice(9, 23), stream.slice(23)];
    const decoder = new FrameDecoder();
    expect(decoder.push(chunks[0]!)).toEqual([]);
    const [spanning, inside] = decoder.push(chunks[1]!);
    const [last] = decoder.push(chunks[2]!);
    expect(inside!.buffer).toBe(chunks[1]!.buffer);
    for (const chunk of chunks) chunk.fill(0);
    expect(spanning).toEqual(Uint8Array.of(1, 2, 3));
    expect(last).toEqual(Uint8Array.of(5, 6));
    for (const payload of [spanning!, last!]) {
      expect(payload.byteLength).toBe(payload.buffer.byteLength);
    }
    expect(inside).toEqual(Uint8Array.of(0)); // the view sees the chunk's new contents
  });

  it("never writes to the chunks it is given", () => {
    fc.assert(
      fc.property(payloadsArbitrary, fc.array(fc.nat(), { maxLength: 20 }), (payloads, cuts) => {
        const chunks = split(encodeFrames(payloads), cuts);
        const copies = chunks.map((chunk) => chunk.slice());
        decodeAll(new FrameDecoder(), chunks);
        expect(chunks).toEqual(copies);
      }),
    );
  });

  it("decodes exactly what readFrame scans, however the stream is cut", () => {
    fc.assert(
      fc.property(payloadsArbitrary, fc.array(fc.nat(), { maxLength: 20 }), (payloads, cuts) => {
        const stream = encodeFrames(payloads);
        const scanned: Uint8Array[] = [];
        for (let offset = 0; offset < stream.length;) {
          const result = readFrame(stream, offset);
          if (result.status !== "frame") throw new Error(`unexpected ${result.status}`);
          scanned.push(result.payload);
          offset = result.end;
        }
        expect(decodeAll(new FrameDecoder(), split(stream, cuts))).toEqual(scanned);
      }),
    );
  });

  it("counts the bytes of the incomplete frame it holds", () => {
    const frame = encodeFrame(new Uint8Array(10));
    const decoder = new FrameDecoder();
    expect(decoder.push(frame.subarray(0, 3))).toEqual([]);
    expect(decoder.bufferedBytes).toBe(3);
    expect(decoder.push(frame.subarray(3, 12))).toEqual([]);
    expect(decoder.bufferedBytes).toBe(12);
    expect(decoder.push(frame.subarray(12))).toHaveLength(1);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it("rejects a too-large header as soon as its 8 bytes arrive", () => {
    const frame = encodeFrame(new Uint8Array(1000));
    const decoder = new FrameDecoder({ frameBytesMax: 999 });
    expect(decoder.push(frame.subarray(0, 7))).toEqual([]);
    let error: unknown;
    try {
      decoder.push(frame.subarray(7, 8));
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(FrameTooLargeError);
    expect(error).toBeInstanceOf(CorruptionError);
    expect(error).toMatchObject({
      code: "FRAME_TOO_LARGE",
      payloadBytes: 1000,
      frameBytesMax: 999,
      offset: 0,
    });
  });

  it("rejects a too-large header inside a chunk before reading past it, with its offset", () => {
    // A good frame, then a header claiming 1000 bytes of which only 5 follow in this chunk.
    const chunk = Uint8Array.from([
      ...encodeFrame(Uint8Array.of(1)),
      ...encodeFrame(new Uint8Array(1000)).subarray(0, 13),
    ]);
    const decoder = new FrameDecoder({ frameBytesMax: 999 });
    const { payloads, error } = decodeUntilError(decoder, [chunk]);
    expect(payloads).toEqual([]); // the chunk's earlier frames are not returned either
    expect(error).toMatchObject({ code: "FRAME_TOO_LARGE", payloadBytes: 1000, offset: 9 });
    expect(decoder.bufferedBytes).toBe(0);
    expect(() => decoder.push(new Uint8Array(0))).toThrow(FrameTooLargeError);
  });

  it("reports a damaged frame with the stream offset of its header, then stays poisoned", () => {
    const stream = encodeFrames([Uint8Array.of(1), Uint8Array.of(2, 2), Uint8Array.of(3)]);
    stream[9 + 8]! ^= 0x01; // first payload byte of the second frame (header at offset 9)
    const decoder = new FrameDecoder();
    expect(decoder.push(stream.subarray(0, 9))).toEqual([Uint8Array.of(1)]);
    let error: unknown;
    try {
      decoder.push(stream.subarray(9));
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(FrameChecksumError);
    expect(error).toMatchObject({ code: "FRAME_CHECKSUM", offset: 9 });
    expect((error as Error).message).toMatch(/CRC32C.*\(at offset 9\)$/);
    expect(decodeUntilError(decoder, [encodeFrame(Uint8Array.of(4))]).error).toBe(error);
    expect(decodeUntilError(decoder, []).error).toBe(error);
  });

  it("finish() reports a partial frame as truncated, with its offset and the bytes missing", () => {
    const stream = encodeFrames([Uint8Array.of(1), new Uint8Array(20)]);
    const decoder = new FrameDecoder();
    expect(decoder.push(stream.subarray(0, 9 + 8 + 5))).toHaveLength(1);
    expect(() => decoder.finish()).toThrow(FrameTruncatedError);
    expect(() => decoder.finish()).toThrow(
      expect.objectContaining({ offset: 9, bufferedBytes: 13, bytesNeeded: 15 }),
    );
    expect(() => decoder.push(new Uint8Array(15))).toThrow(FrameTruncatedError);

    const insideHeader = new FrameDecoder();
    insideHeader.push(stream.subarray(0, 3));
    expect(() => insideHeader.finish()).toThrow(
      expect.objectContaining({ code: "FRAME_TRUNCATED", bufferedBytes: 3, bytesNeeded: 5 }),
    );
  });

  it("reports a truncation at any point of a stream, and returns the frames before it", () => {
    fc.assert(
      fc.property(payloadsArbitrary, fc.nat(), (payloads, cutSeed) => {
        fc.pre(payloads.length > 0);
        const stream = encodeFrames(payloads);
        const cut = cutSeed % stream.length;
        const { payloads: decoded, error } = decodeUntilError(new FrameDecoder(), [
          stream.subarray(0, cut),
        ]);
        const frameEnds = payloads.map((_, i) =>
          payloads.slice(0, i + 1).reduce((sum, payload) => sum + 8 + payload.length, 0),
        );
        const complete = frameEnds.filter((end) => end <= cut).length;
        expect(decoded).toEqual(payloads.slice(0, complete));
        if (frameEnds.includes(cut) || cut === 0) expect(error).toBeUndefined();
        else expect(error).toBeInstanceOf(FrameTruncatedError);
      }),
    );
  });

  it("detects every single bit flip and never returns a damaged payload", () => {
    fc.assert(
      fc.property(
        payloadsArbitrary,
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (payloads, byteSeed, bit, cuts) => {
          fc.pre(payloads.length > 0);
          const stream = encodeFrames(payloads);
          const index = byteSeed % stream.length;
          stream[index]! ^= 1 << bit;
          const decoder = new FrameDecoder({ frameBytesMax: 4096 });
          const { payloads: decoded, error } = decodeUntilError(decoder, split(stream, cuts));
          expect(error).toSatisfy(
            (thrown) =>
              thrown instanceof FrameChecksumError ||
              thrown instanceof FrameTooLargeError ||
              thrown instanceof FrameTruncatedError,
          );
          // Frames wholly before the flipped byte are intact; nothing else is returned.
          expect(decoded).toEqual(payloads.slice(0, decoded.length));
          let end = 0;
          for (const payload of decoded) end += 8 + payload.length;
          expect(end).toBeLessThanOrEqual(index);
        },
      ),
    );
  });

  it("throws only its typed errors on arbitrary bytes", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 10 }),
        fc.integer({ min: 0, max: 512 }),
        (chunks, frameBytesMax) => {
          const { error } = decodeUntilError(new FrameDecoder({ frameBytesMax }), chunks);
          if (error !== undefined) {
            expect(error).toSatisfy(
              (thrown) =>
                thrown instanceof FrameChecksumError ||
                thrown instanceof FrameTooLargeError ||
                thrown instanceof FrameTruncatedError,
            );
          }
        },
      ),
    );
  });

  it("validates its options and chunks", () => {
    for (const frameBytesMax of [-1, 0.5, frameBytesMaxCeiling + 1]) {
      expect(() => new FrameDecoder({ frameBytesMax })).toThrow(InvalidArgumentError);
    }
    expect(() => new FrameDecoder().push("abc" as unknown as Uint8Array)).toThrow(
      InvalidArgumentError,
    );
    expect(new FrameDecoder().push(new Uint8Array(0))).toEqual([]);
  });
});
