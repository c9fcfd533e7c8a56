import { DecodeError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { byCodeUnits } from "../test/naive-model.ts";
import { pairFromInt, pairVersions } from "../test/pair-versions.ts";
import { decodeKeyVersion, encodeKey, encodeKeyVersion } from "./key-encoding.ts";
import { integerVersions } from "./version-scheme.ts";

/** Compares bytes as unsigned, lexicographically. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

// Keys full of the awkward cases: zero units, prefixes, units around the surrogates and the top.
const unit = fc.oneof(
  fc.constantFrom(
    "\0",
    "a",
    "\x7f",
    "\x80",
    "\u07ff",
    "\u0800",
    "\ud800",
    "\udfff",
    "\ue000",
    "\uffff",
  ),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
);
const key = fc.string({ unit, maxLength: 6 });

describe("key and version encoding", () => {
  it("sorts like (key by UTF-16 code units, then version)", () => {
    const entry = fc.tuple(
      key,
      fc.oneof(fc.nat(40), fc.constant(2 ** 53 - 1), fc.constant(2 ** 32)),
    );
    fc.assert(
      fc.property(entry, entry, ([keyA, versionA], [keyB, versionB]) => {
        const logical = byCodeUnits(keyA, keyB) || versionA - versionB;
        const bytes = compareBytes(
          encodeKeyVersion(keyA, versionA, integerVersions),
          encodeKeyVersion(keyB, versionB, integerVersions),
        );
        expect(Math.sign(bytes)).toBe(Math.sign(logical));
      }),
      { numRuns: 2000 },
    );
  });

  it("sorts object versions by their scheme", () => {
    fc.assert(
      fc.property(key, fc.nat(1000), fc.nat(1000), (k, a, b) => {
        const bytes = compareBytes(
          encodeKeyVersion(k, pairFromInt(a), pairVersions),
          encodeKeyVersion(k, pairFromInt(b), pairVersions),
        );
        expect(Math.sign(bytes)).toBe(Math.sign(a - b));
      }),
    );
  });

  it("round-trips, and a key's encoding prefixes all of its versions'", () => {
    fc.assert(
      fc.property(key, fc.maxSafeNat(), (k, version) => {
        const bytes = encodeKeyVersion(k, version, integerVersions);
        expect(decodeKeyVersion(bytes, integerVersions)).toEqual({ key: k, version });
        expect(bytes.subarray(0, bytes.length - 8)).toEqual(encodeKey(k));
      }),
      { numRuns: 500 },
    );
    const long = "é".repeat(10_000);
    expect(decodeKeyVersion(encodeKeyVersion(long, 1, integerVersions), integerVersions).key).toBe(
      long,
    );
  });

  it("writes the documented bytes", () => {
    expect([...encodeKeyVersion("a\0é", 258, integerVersions)]).toEqual([
      0x61, 0x00, 0xff, 0xc3, 0xa9, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 1, 2,
    ]);
  });

  it("refuses anything else with DecodeError only", () => {
    const bad: [number[], RegExp][] = [
      [[0x61], /no terminator/],
      [[0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 1], /neither escaped nor a terminator/],
      [[0xc3], /cut short/],
      [[0xc0, 0x80, 0x00, 0x01], /shortest form/],
      [[0xc1, 0xbf, 0x00, 0x01], /shortest form/],
      [[0x80, 0x00, 0x01], /shortest form/],
      [[0xf0, 0x90, 0x80, 0x80, 0x00, 0x01], /shortest form/],
      [[0x61, 0x00, 0x01, 1, 2], /an integer version takes 8 bytes, got 2/],
      [[0x00, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], /beyond 2\^53/],
    ];
    for (const [bytes, message] of bad) {
      expect(() => decodeKeyVersion(Uint8Array.from(bytes), integerVersions)).toThrow(message);
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (bytes) => {
        try {
          const { key: k, version } = decodeKeyVersion(bytes, integerVersions);
          expect(encodeKeyVersion(k, version, integerVersions)).toEqual(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
