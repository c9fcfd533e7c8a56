import { InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ReplicaStore } from "./replica-store.ts";
import {
  compareCounterVersions,
  counterVersion,
  counterVersions,
  emptyCounterVersion,
  type CounterVersion,
} from "./versions.ts";

describe("counter versions", () => {
  it("order by counter, then node id; the empty version is below all", () => {
    expect(
      compareCounterVersions(counterVersion(2, "athens"), counterVersion(2, "byzantium")),
    ).toBeLessThan(0);
    expect(
      compareCounterVersions(counterVersion(3, "athens"), counterVersion(2, "byzantium")),
    ).toBeGreaterThan(0);
    expect(compareCounterVersions(counterVersion(0, "a"), counterVersion(0, "a"))).toBe(0);
    expect(compareCounterVersions(emptyCounterVersion, counterVersion(0, "a"))).toBeLessThan(0);
    expect(() => counterVersion(-1, "a")).toThrow(InvalidArgumentError);
    expect(() => counterVersion(1, "")).toThrow(InvalidArgumentError);
  });

  it("the quorum-read source goes past the highest read and never repeats itself", () => {
    const source = counterVersions("athens");
    expect(source.next(undefined)).toEqual({ counter: 0, nodeId: "athens" });
    expect(source.next(counterVersion(7, "cyrene"))).toEqual({ counter: 8, nodeId: "athens" });
    // Two writes that read the same highest version still get different versions.
    expect(source.next(counterVersion(7, "cyrene"))).toEqual({ counter: 9, nodeId: "athens" });
    expect(() => counterVersions("not valid")).toThrow(InvalidArgumentError);
  });

  it("property: compare is a total order consistent with equality", () => {
    const version = fc.record({
      counter: fc.integer({ min: 0, max: 5 }),
      nodeId: fc.constantFrom("athens", "byzantium", "cyrene"),
    });
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        expect(
          Math.sign(compareCounterVersions(a, b)) + Math.sign(compareCounterVersions(b, a)),
        ).toBe(0);
        expect(compareCounterVersions(a, b) === 0).toBe(
          a.counter === b.counter && a.nodeId === b.nodeId,
        );
        if (compareCounterVersions(a, b) <= 0 && compareCounterVersions(b, c) <= 0) {
          expect(compareCounterVersions(a, c)).toBeLessThanOrEqual(0);
        }
      }),
    );
  });
});

describe("ReplicaStore", () => {
  it("stores a write only if its version is newer", () => {
    const store = new ReplicaStore<string, CounterVersion>(compareCounterVersions);
    expect(store.put("k", "a", counterVersion(1, "athens"))).toBe(true);
    expect(store.put("k", "b", counterVersion(1, "athens"))).toBe(false); // same version
    expect(store.put("k", "c", counterVersion(0, "cyrene"))).toBe(false); // older
    expect(store.put("k", "d", counterVersion(1, "byzantium"))).toBe(true); // tie broken by id
    expect(store.get("k")).toEqual({ value: "d", version: { counter: 1, nodeId: "byzantium" } });
    expect(store.size).toBe(1);
    expect([...store.keys()]).toEqual(["k"]);
  });

  it("property: whatever the delivery order, a replica ends with the newest write", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 20 }),
        (counters) => {
          const store = new ReplicaStore<number, CounterVersion>(compareCounterVersions);
          for (const c of counters) store.put("k", c, counterVersion(c, "a"));
          expect(store.get("k")?.value).toBe(Math.max(...counters));
        },
      ),
    );
  });
});
