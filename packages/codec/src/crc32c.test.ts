import { InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32c } from "./crc32c.ts";

/** The definition, one bit at a time: the slow reference the tables must agree with. */
function bitwiseCrc32c(bytes: Uint8Array, initial = 0): number {
  let crc = ~initial >>> 0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return ~crc >>> 0;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

describe("crc32c", () => {
  it("matches the published CRC-32C check values", () => {
    expect(crc32c(new TextEncoder().encode("123456789"))).toBe(0xe3069283);
    // RFC 3720 (iSCSI), appendix B.4.
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it("returns an unsigned 32-bit integer, also when the top bit is set", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const crc = crc32c(bytes);
        expect(crc >>> 0).toBe(crc);
      }),
    );
    expect(crc32c(new TextEncoder().encode("123456789"))).toBeGreaterThan(0x7fffffff);
  });

  it("agrees with the bit-at-a-time definition on any bytes and any starting value", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (bytes, initial) => {
          expect(crc32c(bytes, initial)).toBe(bitwiseCrc32c(bytes, initial));
        },
      ),
    );
  });

  it("is incremental: crc32c(b, crc32c(a)) equals crc32c(a followed by b)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ maxLength: 100 }), (a, b) => {
        expect(crc32c(b, crc32c(a))).toBe(crc32c(concat(a, b)));
      }),
    );
  });

  it("checksums a view, not the whole underlying buffer", () => {
    const bytes = new TextEncoder().encode("xx123456789yy");
    expect(crc32c(bytes.subarray(2, 11))).toBe(0xe3069283);
  });

  it("rejects a starting value that is not an unsigned 32-bit integer", () => {
    for (const initial of [-1, 2 ** 32, 1.5, Number.NaN]) {
      expect(() => crc32c(new Uint8Array(1), initial)).toThrow(InvalidArgumentError);
    }
    expect(() => crc32c("123" as unknown as Uint8Array)).toThrow(InvalidArgumentError);
  });
});
