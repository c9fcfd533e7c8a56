import { InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32c } from "./crc32c.ts";
import {
  defaultFrameBytesMax,
  encodeFrame,
  encodeFrames,
  frameBytesMaxCeiling,
  frameHeaderBytes,
  readFrame,
  type ReadFrameResult,
} from "./frame.ts";

const payloadsArbitrary = fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 });

/** Reads frames from offset 0 until the first result that is not a frame. */
function scan(bytes: Uint8Array): {
  payloads: Uint8Array[];
  last: ReadFrameResult;
  offset: number;
} {
  const payloads: Uint8Array[] = [];
  let offset = 0;
  for (;;) {
    const last = readFrame(bytes, offset);
    if (last.status !== "frame") return { payloads, last, offset };
    payloads.push(last.payload);
    offset = last.end;
  }
}

describe("encodeFrame", () => {
  it("writes the big-endian length, then the CRC32C of the length bytes and the payload", () => {
    const payload = new TextEncoder().encode("hello");
    const frame = encodeFrame(payload);
    expect(frame.length).toBe(frameHeaderBytes + 5);
    expect([...frame.subarray(0, 4)]).toEqual([0, 0, 0, 5]);
    const checksum = crc32c(payload, crc32c(Uint8Array.of(0, 0, 0, 5)));
    expect(new DataView(frame.buffer).getUint32(4)).toBe(checksum);
    expect(frame.subarray(8)).toEqual(payload);
  });

  it("frames an empty payload with a header that is not all zeros", () => {
    const frame = encodeFrame(new Uint8Array(0));
    expect([...frame.subarray(0, 4)]).toEqual([0, 0, 0, 0]);
    expect(new DataView(frame.buffer).getUint32(4)).toBe(crc32c(new Uint8Array(4)));
    expect(crc32c(new Uint8Array(4))).not.toBe(0);
    expect(readFrame(frame, 0)).toEqual({ status: "frame", payload: new Uint8Array(0), end: 8 });
  });

  it("refuses a payload longer than frameBytesMax, and bad limits", () => {
    expect(() => encodeFrame(new Uint8Array(11), { frameBytesMax: 10 })).toThrow(
      /11 bytes, more than frameBytesMax \(10 bytes\)/,
    );
    expect(encodeFrame(new Uint8Array(10), { frameBytesMax: 10 }).length).toBe(18);
    expect(() => encodeFrame(new Uint8Array(defaultFrameBytesMax + 1))).toThrow(
      InvalidArgumentError,
    );
    for (const frameBytesMax of [-1, 1.5, frameBytesMaxCeiling + 1, Number.NaN]) {
      expect(() => encodeFrame(new Uint8Array(1), { frameBytesMax })).toThrow(InvalidArgumentError);
    }
    expect(() => encodeFrame([1, 2] as unknown as Uint8Array)).toThrow(InvalidArgumentError);
  });

  it("encodeFrames equals the concatenation of encodeFrame of each payload", () => {
    fc.assert(
      fc.property(payloadsArbitrary, (payloads) => {
        const joined = encodeFrames(payloads);
        const separate = payloads.map((payload) => encodeFrame(payload));
        expect(joined).toEqual(Uint8Array.from(separate.flatMap((frame) => [...frame])));
      }),
    );
  });

  it("encodeFrames encodes nothing when one payload is too large", () => {
    expect(() =>
      encodeFrames([new Uint8Array(1), new Uint8Array(5)], { frameBytesMax: 4 }),
    ).toThrow(/Payload 1 is 5 bytes/);
  });
});

describe("readFrame", () => {
  it("reads back every frame of a batch, then reports the clean end as incomplete", () => {
    fc.assert(
      fc.property(payloadsArbitrary, (payloads) => {
        const bytes = encodeFrames(payloads);
        const { payloads: read, last, offset } = scan(bytes);
        expect(read).toEqual(payloads);
        expect(offset).toBe(bytes.length);
        expect(last).toEqual({ status: "incomplete", bytesNeeded: 8 });
      }),
    );
  });

  it("returns the payload as a view into the input, without copying", () => {
    const bytes = encodeFrame(Uint8Array.of(1, 2, 3));
    const result = readFrame(bytes, 0);
    if (result.status !== "frame") throw new Error("expected a frame");
    expect(result.payload.buffer).toBe(bytes.buffer);
    expect(result.payload.byteOffset).toBe(8);
  });

  it("reports a truncated frame as incomplete, with the exact number of missing bytes", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.nat(),
        fc.uint8Array({ maxLength: 20 }),
        (payload, cutSeed, before) => {
          const frame = encodeFrame(payload);
          const cut = cutSeed % frame.length;
          const bytes = Uint8Array.from([...before, ...frame.subarray(0, cut)]);
          const bytesNeeded = cut < 8 ? 8 - cut : frame.length - cut;
          expect(readFrame(bytes, before.length)).toEqual({ status: "incomplete", bytesNeeded });
        },
      ),
    );
  });

  it("reports eight zero bytes (preallocated space) as zeros", () => {
    const bytes = new Uint8Array(64);
    bytes.set(encodeFrame(Uint8Array.of(9)), 0);
    const first = readFrame(bytes, 0);
    expect(first).toMatchObject({ status: "frame", end: 9 });
    expect(readFrame(bytes, 9)).toEqual({ status: "zeros" });
    expect(readFrame(bytes, 60)).toEqual({ status: "incomplete", bytesNeeded: 4 });
  });

  it("reports a length above frameBytesMax as too large, without reading the payload", () => {
    const frame = encodeFrame(new Uint8Array(100));
    expect(readFrame(frame.subarray(0, 8), 0, { frameBytesMax: 99 })).toEqual({
      status: "corrupt",
      reason: "too-large",
      payloadBytes: 100,
    });
  });

  it("never returns a payload after a single bit flip anywhere in the frame", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        (payload, byteSeed, bit) => {
          const frame = encodeFrame(payload);
          const index = byteSeed % frame.length;
          frame[index]! ^= 1 << bit;
          const result = readFrame(frame, 0, { frameBytesMax: 1024 });
          expect(result.status).not.toBe("frame");
          if (result.status === "corrupt" && index >= 4) expect(result.reason).toBe("checksum");
        },
      ),
    );
  });

  it("never throws on arbitrary bytes, and returns only payloads whose checksum verifies", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.nat(), (bytes, offsetSeed) => {
        const offset = offsetSeed % (bytes.length + 1);
        const result = readFrame(bytes, offset, { frameBytesMax: 256 });
        if (result.status === "frame") {
          const length = result.payload.length;
          const view = new DataView(bytes.buffer, bytes.byteOffset + offset);
          expect(view.getUint32(0)).toBe(length);
          expect(view.getUint32(4)).toBe(
            crc32c(result.payload, crc32c(bytes.subarray(offset, offset + 4))),
          );
          expect(result.end).toBe(offset + 8 + length);
        }
      }),
    );
  });

  it("finds valid frames at random positions among random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 50 }), payloadsArbitrary, (garbage, payloads) => {
        const frames = encodeFrames(payloads);
        const bytes = Uint8Array.from([...garbage, ...frames]);
        let offset = garbage.length;
        for (const payload of payloads) {
          const result = readFrame(bytes, offset);
          expect(result).toEqual({
            status: "frame",
            payload,
            end: offset + frameHeaderBytes + payload.length,
          });
          offset += frameHeaderBytes + payload.length;
        }
      }),
    );
  });

  it("stops a scan at a damaged frame, keeping the frames before it", () => {
    const bytes = encodeFrames([Uint8Array.of(1), Uint8Array.of(2, 2), Uint8Array.of(3)]);
    bytes[9 + 8 + 1]! ^= 0x10; // a payload byte of the second frame
    const { payloads, last, offset } = scan(bytes);
    expect(payloads).toEqual([Uint8Array.of(1)]);
    expect(last).toEqual({ status: "corrupt", reason: "checksum", payloadBytes: 2 });
    expect(offset).toBe(9);
  });

  it("rejects bad arguments with InvalidArgumentError", () => {
    const bytes = encodeFrame(Uint8Array.of(1));
    for (const offset of [-1, 10, 0.5]) {
      expect(() => readFrame(bytes, offset)).toThrow(InvalidArgumentError);
    }
    expect(() => readFrame(bytes, 0, { frameBytesMax: -5 })).toThrow(InvalidArgumentError);
  });
});
