import { DecodeError, InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbitraryTimestamp, compareBytes } from "../test/arbitraries.ts";
import {
  decodeHybridTimestamp,
  encodeHybridTimestamp,
  formatHybridTimestamp,
  hybridTimestampCodec,
  hybridTimestampToIso,
  packHybridTimestamp,
  parseHybridTimestamp,
  unpackHybridTimestamp,
} from "./hybrid-timestamp-encoding.ts";
import { compareHybridTimestamps, hybridTimestamp } from "./hybrid-timestamp.ts";

const sign = (n: number | bigint): number => (n > 0 ? 1 : n < 0 ? -1 : 0);

describe("the packed 64-bit form", () => {
  it("puts 48 bits of milliseconds above 16 bits of logical counter", () => {
    expect(packHybridTimestamp(hybridTimestamp(1, 2))).toBe(0x1_0002n);
    expect(packHybridTimestamp(hybridTimestamp(2 ** 48 - 1, 65_535))).toBe(2n ** 64n - 1n);
    expect(unpackHybridTimestamp(0x1_0002n, "athens")).toEqual(hybridTimestamp(1, 2, "athens"));
  });

  it("round-trips and orders like compare when node ids are ignored", () => {
    fc.assert(
      fc.property(arbitraryTimestamp, arbitraryTimestamp, (a, b) => {
        expect(unpackHybridTimestamp(packHybridTimestamp(a), a.nodeId)).toEqual(a);
        const withoutNodes = compareHybridTimestamps({ ...a, nodeId: "" }, { ...b, nodeId: "" });
        expect(sign(packHybridTimestamp(a) - packHybridTimestamp(b))).toBe(sign(withoutNodes));
      }),
    );
  });

  it("rejects values outside 64 bits", () => {
    for (const bad of [-1n, 2n ** 64n]) {
      expect(() => unpackHybridTimestamp(bad)).toThrow(InvalidArgumentError);
    }
  });
});

describe("the byte form", () => {
  it("is the packed value in 8 big-endian bytes, then the node id", () => {
    expect([...encodeHybridTimestamp(hybridTimestamp(0x0102_0304_0506, 0x0708))]).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);
    expect([...encodeHybridTimestamp(hybridTimestamp(1, 0, "ab"))]).toEqual([
      0, 0, 0, 0, 0, 1, 0, 0, 97, 98,
    ]);
  });

  it("round-trips and sorts as bytes exactly like compare", () => {
    fc.assert(
      fc.property(arbitraryTimestamp, arbitraryTimestamp, (a, b) => {
        const encoded = hybridTimestampCodec.encode(a);
        expect(hybridTimestampCodec.decode(encoded)).toEqual(a);
        expect(sign(compareBytes(encoded, encodeHybridTimestamp(b)))).toBe(
          sign(compareHybridTimestamps(a, b)),
        );
      }),
    );
  });

  it("decodes from a view into a larger buffer", () => {
    const encoded = encodeHybridTimestamp(hybridTimestamp(123_456, 7, "cyrene"));
    const padded = new Uint8Array(encoded.length + 6);
    padded.set(encoded, 3);
    expect(decodeHybridTimestamp(padded.subarray(3, 3 + encoded.length))).toEqual(
      hybridTimestamp(123_456, 7, "cyrene"),
    );
  });

  it("rejects short, long and badly named input with DecodeError", () => {
    const valid = encodeHybridTimestamp(hybridTimestamp(5, 5));
    for (const bad of [
      valid.subarray(0, 7),
      new Uint8Array(8 + 129).fill(97),
      Uint8Array.from([...valid, 32]),
      Uint8Array.from([...valid, 0xc3, 0xa9]),
    ]) {
      expect(() => decodeHybridTimestamp(bad)).toThrow(DecodeError);
    }
  });

  it("never throws anything but DecodeError on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        try {
          const decoded = decodeHybridTimestamp(bytes);
          expect(encodeHybridTimestamp(decoded)).toEqual(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
        }
      }),
    );
  });
});

describe("the text form", () => {
  it("is fixed-width digits, then @node", () => {
    expect(formatHybridTimestamp(hybridTimestamp(1_767_225_600_000, 3, "athens"))).toBe(
      "001767225600000.00003@athens",
    );
    expect(formatHybridTimestamp(hybridTimestamp(0, 0))).toBe("000000000000000.00000");
  });

  it("round-trips and sorts as strings exactly like compare", () => {
    fc.assert(
      fc.property(arbitraryTimestamp, arbitraryTimestamp, (a, b) => {
        const text = formatHybridTimestamp(a);
        expect(parseHybridTimestamp(text)).toEqual(a);
        const other = formatHybridTimestamp(b);
        expect(sign(text < other ? -1 : text > other ? 1 : 0)).toBe(
          sign(compareHybridTimestamps(a, b)),
        );
      }),
    );
  });

  it("rejects malformed text with InvalidArgumentError", () => {
    for (const bad of [
      "",
      "1767225600000.3",
      "001767225600000.00003@",
      "001767225600000.00003@a b",
      "001767225600000.70000",
      "281474976710656.00000",
      " 001767225600000.00003",
      "001767225600000-00003",
      "001767225600000.00003@athens\n",
    ]) {
      expect(() => parseHybridTimestamp(bad), bad).toThrow(InvalidArgumentError);
    }
  });

  it("renders for humans in ISO 8601", () => {
    expect(hybridTimestampToIso(hybridTimestamp(1_767_225_600_000, 3, "athens"))).toBe(
      "2026-01-01T00:00:00.000Z+3@athens",
    );
    expect(hybridTimestampToIso(hybridTimestamp(0))).toBe("1970-01-01T00:00:00.000Z+0");
  });
});
