import { InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { quorum, toleratedFailures, votersMax } from "./quorum-size.ts";

describe("quorum sizes", () => {
  it("match the table for n = 1…7", () => {
    const ns = [1, 2, 3, 4, 5, 6, 7];
    expect(ns.map(quorum)).toEqual([1, 2, 2, 3, 3, 4, 4]);
    expect(ns.map(toleratedFailures)).toEqual([0, 0, 1, 1, 2, 2, 3]);
  });

  it("two quorums of the same n always overlap, and f failures leave a quorum", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: votersMax }), (n) => {
        expect(2 * quorum(n)).toBeGreaterThan(n);
        expect(n - toleratedFailures(n)).toBe(quorum(n));
        // One more failure than tolerated leaves no quorum.
        expect(n - toleratedFailures(n) - 1).toBeLessThan(quorum(n));
      }),
    );
  });

  it("rejects sizes that are not integers from 1 to votersMax", () => {
    for (const n of [0, -1, 1.5, Number.NaN, votersMax + 1]) {
      expect(() => quorum(n)).toThrow(InvalidArgumentError);
    }
  });
});
