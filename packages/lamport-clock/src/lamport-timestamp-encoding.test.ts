import { DecodeError, InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbitraryTimestamp, compareBytes } from "../test/arbitraries.ts";
import {
  decodeLamportTimestamp,
  encodeLamportTimestamp,
  formatLamportTimestamp,
  lamportTimestampCodec,
  parseLamportTimestamp,
} from "./lamport-timestamp-encoding.ts";
import { compareLamportTimestamps, lamportTimestamp } from "./lamport-timestamp.ts";

const sign = (n: number): number => Math.sign(n);

describe("the byte form", () => {
  it("is the counter in 8 big-endian bytes, then the node id", () => {
    expect([...encodeLamportTimestamp(lamportTimestamp(0x0102_0304_0506))]).toEqual([
      0, 0, 1, 2, 3, 4, 5, 6,
    ]);
    expect([...encodeLamportTimestamp(lamportTimestamp(1, "ab"))]).toEqual([
      0, 0, 0, 0, 0, 0, 0, 1, 97, 98,
    ]);
  });

  it("round-trips and sorts as bytes exactly like compare", () => {
    fc.assert(
      fc.property(arbitraryTimestamp, arbitraryTimestamp, (a, b) => {
        const encoded = lamportTimestampCodec.encode(a);
        expect(lamportTimestampCodec.decode(encoded)).toEqual(a);
        expect(sign(compareBytes(encoded, encodeLamportTimestamp(b)))).toBe(
          sign(compareLamportTimestamps(a, b)),
        );
      }),
    );
  });

  it("rejects short, long, unsafe and badly named input with DecodeError", () => {
    for (const bad of [
      new Uint8Array(7),
      new Uint8Array(8 + 129).fill(97),
      Uint8Array.from([0, 0x20, 0, 0, 0, 0, 0, 0]),
      Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 1, 32]),
    ]) {
      expect(() => decodeLamportTimestamp(bad)).toThrow(DecodeError);
    }
  });

  it("never throws anything but DecodeError on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        try {
          expect(encodeLamportTimestamp(decodeLamportTimestamp(bytes))).toEqual(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
        }
      }),
    );
  });
});

describe("the text form", () => {
  it("is 16 zero-padded digits, then @node", () => {
    expect(formatLamportTimestamp(lamportTimestamp(42, "athens"))).toBe("0000000000000042@athens");
    expect(formatLamportTimestamp(lamportTimestamp(2 ** 53 - 1))).toBe("9007199254740991");
  });

  it("round-trips and sorts as strings exactly like compare", () => {
    fc.assert(
      fc.property(arbitraryTimestamp, arbitraryTimestamp, (a, b) => {
        const text = formatLamportTimestamp(a);
        const other = formatLamportTimestamp(b);
        expect(parseLamportTimestamp(text)).toEqual(a);
        expect(sign(text < other ? -1 : text > other ? 1 : 0)).toBe(
          sign(compareLamportTimestamps(a, b)),
        );
      }),
    );
  });

  it("rejects malformed text with InvalidArgumentError", () => {
    for (const bad of [
      "",
      "42",
      "0000000000000042@",
      "0000000000000042@a b",
      "9007199254740992",
      "-000000000000042",
      "0000000000000042 ",
    ]) {
      expect(() => parseLamportTimestamp(bad), bad).toThrow(InvalidArgumentError);
    }
  });
});
