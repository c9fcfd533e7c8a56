import { InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbitraryTimestamp } from "../test/arbitraries.ts";
import {
  assertLamportTimestamp,
  compareLamportTimestamps,
  lamportTimestamp,
  maxLamportTimestamp,
} from "./lamport-timestamp.ts";

describe("lamportTimestamp", () => {
  it("builds a validated timestamp, with no node by default", () => {
    expect(lamportTimestamp(7)).toEqual({ counter: 7, nodeId: "" });
    expect(lamportTimestamp(2 ** 53 - 1, "athens")).toEqual({
      counter: 2 ** 53 - 1,
      nodeId: "athens",
    });
  });

  it("rejects negative, fractional and unsafe counters, and bad node ids", () => {
    for (const [counter, nodeId] of [
      [-1, ""],
      [1.5, ""],
      [2 ** 53, ""],
      [Number.NaN, ""],
      [Number.POSITIVE_INFINITY, ""],
      [1, "a b"],
      [1, "-x"],
    ] as const) {
      expect(() => lamportTimestamp(counter, nodeId)).toThrow(InvalidArgumentError);
    }
    expect(() => assertLamportTimestamp(undefined)).toThrow(/must be an object/);
    expect(() => assertLamportTimestamp({ counter: "3", nodeId: "" }, "request")).toThrow(
      /request.counter must be a safe integer/,
    );
  });
});

describe("compareLamportTimestamps", () => {
  it("orders by counter, then node id", () => {
    const sorted = [
      lamportTimestamp(1, "sparta"),
      lamportTimestamp(2),
      lamportTimestamp(2, "athens"),
      lamportTimestamp(2, "byzantium"),
      lamportTimestamp(3, "athens"),
    ];
    expect([...sorted].reverse().sort(compareLamportTimestamps)).toEqual(sorted);
  });

  it("is a total order consistent with equality, and max picks the later", () => {
    fc.assert(
      fc.property(arbitraryTimestamp, arbitraryTimestamp, arbitraryTimestamp, (a, b, c) => {
        const ab = Math.sign(compareLamportTimestamps(a, b));
        expect(Math.sign(compareLamportTimestamps(b, a))).toBe(-ab || 0);
        expect(ab === 0).toBe(a.counter === b.counter && a.nodeId === b.nodeId);
        if (ab <= 0 && compareLamportTimestamps(b, c) <= 0) {
          expect(compareLamportTimestamps(a, c)).toBeLessThanOrEqual(0);
        }
        const max = maxLamportTimestamp(a, b);
        expect([a, b]).toContain(max);
        expect(compareLamportTimestamps(max, ab < 0 ? b : a)).toBe(0);
      }),
    );
  });
});
