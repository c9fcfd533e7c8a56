import { InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  assertHybridTimestamp,
  compareHybridTimestamps,
  hybridLogicalMax,
  hybridTimestamp,
  hybridWallMsMax,
  maxHybridTimestamp,
} from "./hybrid-timestamp.ts";
import { arbitraryTimestamp } from "../test/arbitraries.ts";

describe("hybridTimestamp", () => {
  it("builds a validated timestamp with logical 0 and no node by default", () => {
    expect(hybridTimestamp(1000)).toEqual({ wallMs: 1000, logical: 0, nodeId: "" });
    expect(hybridTimestamp(1000, 3, "athens")).toEqual({
      wallMs: 1000,
      logical: 3,
      nodeId: "athens",
    });
    expect(hybridTimestamp(hybridWallMsMax, hybridLogicalMax).wallMs).toBe(2 ** 48 - 1);
  });

  it("rejects parts out of range, fractions and bad node ids", () => {
    for (const [wallMs, logical, nodeId] of [
      [-1, 0, ""],
      [1.5, 0, ""],
      [2 ** 48, 0, ""],
      [Number.NaN, 0, ""],
      [0, -1, ""],
      [0, 65_536, ""],
      [0, 0.5, ""],
      [0, 0, " athens"],
      [0, 0, "a b"],
    ] as const) {
      expect(() => hybridTimestamp(wallMs, logical, nodeId)).toThrow(InvalidArgumentError);
    }
    expect(() => assertHybridTimestamp(null)).toThrow(/must be an object/);
    expect(() => assertHybridTimestamp({ wallMs: "1", logical: 0, nodeId: "" })).toThrow(
      /wallMs must be an integer/,
    );
    expect(() => assertHybridTimestamp({ wallMs: 1, logical: 0 }, "remote")).toThrow(
      /remote.nodeId/,
    );
  });
});

describe("compareHybridTimestamps", () => {
  it("orders by wall, then logical, then node id", () => {
    const sorted = [
      hybridTimestamp(1, 0, "sparta"),
      hybridTimestamp(1, 1, ""),
      hybridTimestamp(1, 1, "athens"),
      hybridTimestamp(1, 1, "byzantium"),
      hybridTimestamp(2, 0, "athens"),
    ];
    expect([...sorted].reverse().sort(compareHybridTimestamps)).toEqual(sorted);
  });

  it("is a total order consistent with equality", () => {
    fc.assert(
      fc.property(arbitraryTimestamp, arbitraryTimestamp, arbitraryTimestamp, (a, b, c) => {
        const ab = Math.sign(compareHybridTimestamps(a, b));
        expect(Math.sign(compareHybridTimestamps(b, a))).toBe(-ab || 0);
        expect(ab === 0).toBe(
          a.wallMs === b.wallMs && a.logical === b.logical && a.nodeId === b.nodeId,
        );
        if (ab <= 0 && compareHybridTimestamps(b, c) <= 0) {
          expect(compareHybridTimestamps(a, c)).toBeLessThanOrEqual(0);
        }
      }),
    );
  });

  it("max returns the later one", () => {
    fc.assert(
      fc.property(arbitraryTimestamp, arbitraryTimestamp, (a, b) => {
        const max = maxHybridTimestamp(a, b);
        expect(compareHybridTimestamps(max, a)).toBeGreaterThanOrEqual(0);
        expect(compareHybridTimestamps(max, b)).toBeGreaterThanOrEqual(0);
        expect([a, b]).toContain(max);
      }),
    );
  });
});
