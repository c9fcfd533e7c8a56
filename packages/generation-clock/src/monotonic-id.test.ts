import { compareCounterVersions } from "@pods/majority-quorum";
import { InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  acceptsBallot,
  compareMonotonicIds,
  emptyMonotonicId,
  monotonicId,
  nextMonotonicId,
} from "./monotonic-id.ts";

const ids = fc.record({
  counter: fc.integer({ min: 0, max: 6 }),
  nodeId: fc.constantFrom("athens", "byzantium", "cyrene"),
});

describe("MonotonicId", () => {
  it("orders by counter, then node id; the empty id is below all", () => {
    expect(compareMonotonicIds(monotonicId(2, "athens"), monotonicId(2, "byzantium"))).toBeLessThan(
      0,
    );
    expect(
      compareMonotonicIds(monotonicId(3, "athens"), monotonicId(2, "byzantium")),
    ).toBeGreaterThan(0);
    expect(compareMonotonicIds(emptyMonotonicId, monotonicId(0, "athens"))).toBeLessThan(0);
    expect(emptyMonotonicId).toEqual({ counter: -1, nodeId: "" });
    expect(nextMonotonicId(monotonicId(4, "cyrene"), "athens")).toEqual({
      counter: 5,
      nodeId: "athens",
    });
    expect(nextMonotonicId(emptyMonotonicId, "athens")).toEqual({ counter: 0, nodeId: "athens" });
    expect(() => monotonicId(-1, "athens")).toThrow(InvalidArgumentError);
    expect(() => monotonicId(0, "")).toThrow(InvalidArgumentError);
  });

  it("ballots: an acceptor accepts at least its promise", () => {
    const promised = monotonicId(2, "byzantium");
    expect(acceptsBallot(promised, monotonicId(2, "athens"))).toBe(false);
    expect(acceptsBallot(promised, monotonicId(2, "byzantium"))).toBe(true);
    expect(acceptsBallot(promised, monotonicId(3, "athens"))).toBe(true);
  });

  it("property: the same order as majority-quorum's counter versions, so ids version a leaderless store", () => {
    fc.assert(
      fc.property(ids, ids, (a, b) => {
        expect(Math.sign(compareMonotonicIds(a, b))).toBe(Math.sign(compareCounterVersions(a, b)));
        expect(compareMonotonicIds(nextMonotonicId(a, b.nodeId), a)).toBeGreaterThan(0);
      }),
    );
  });
});
