import { DecodeError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { integerVersions } from "./version-scheme.ts";

describe("integerVersions", () => {
  it("accepts non-negative safe integers only", () => {
    for (const good of [0, 1, 2 ** 53 - 1]) {
      expect(() => integerVersions.assertValid(good, "v")).not.toThrow();
    }
    for (const bad of [-1, 0.5, 2 ** 53, Number.NaN, Infinity, "1", 1n, null, undefined]) {
      expect(() => integerVersions.assertValid(bad, "atVersion")).toThrow(
        /^atVersion must be an integer version from 0 to 2\^53 - 1, got /,
      );
    }
  });

  it("encodes in 8 bytes that sort like the versions and decode back", () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.maxSafeNat(), (a, b) => {
        const [bytesA, bytesB] = [integerVersions.encode(a), integerVersions.encode(b)];
        expect(bytesA.length).toBe(8);
        expect(Math.sign(Buffer.compare(bytesA, bytesB))).toBe(
          Math.sign(integerVersions.compare(a, b)),
        );
        expect(integerVersions.decode(bytesA)).toBe(a);
      }),
    );
    expect([...integerVersions.encode(2 ** 32 + 5)]).toEqual([0, 0, 0, 1, 0, 0, 0, 5]);
  });

  it("refuses bytes that hold no version", () => {
    expect(() => integerVersions.decode(new Uint8Array(7))).toThrow(DecodeError);
    expect(() => integerVersions.decode(Uint8Array.of(0, 0x20, 0, 0, 0, 0, 0, 0))).toThrow(
      /beyond 2\^53 - 1/,
    );
  });
});
