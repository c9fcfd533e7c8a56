import { DecodeError, InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { VersionVector, type VersionOrder } from "./version-vector.ts";

const nodes = ["athens", "byzantium", "cyrene", "delphi", "10", "9"] as const;

/** Vectors over a few nodes with small counters, so that equal and ordered pairs are common. */
const vectorArbitrary = fc
  .array(fc.tuple(fc.constantFrom(...nodes), fc.nat({ max: 3 })), { maxLength: 6 })
  .map((pairs) => VersionVector.from(new Map(pairs)));

/** Vectors that share their node list with `base` (as vectors derived from one another do). */
const derivedPairArbitrary = fc
  .tuple(vectorArbitrary, fc.array(fc.constantFrom(...nodes), { maxLength: 4 }))
  .map(([base, increments]) => {
    let derived = base;
    for (const node of increments) {
      if (base.get(node) > 0) derived = derived.increment(node);
    }
    return [base, derived] as const;
  });

const reversed: Record<VersionOrder, VersionOrder> = {
  before: "after",
  after: "before",
  equal: "equal",
  concurrent: "concurrent",
};

/** The definition, written naively: compare every counter of the union of nodes. */
function naiveCompare(a: VersionVector, b: VersionVector): VersionOrder {
  let aAhead = false;
  let bAhead = false;
  for (const node of nodes) {
    if (a.get(node) > b.get(node)) aAhead = true;
    if (b.get(node) > a.get(node)) bAhead = true;
  }
  if (aAhead) return bAhead ? "concurrent" : "after";
  return bAhead ? "before" : "equal";
}

describe("VersionVector", () => {
  it("treats missing entries as 0 and leaves zero counters out", () => {
    const vector = VersionVector.from({ athens: 2, byzantium: 0 });
    expect(vector.get("athens")).toBe(2);
    expect(vector.get("byzantium")).toBe(0);
    expect(vector.get("sparta")).toBe(0);
    expect(vector.size).toBe(1);
    expect(vector.equals(VersionVector.from([["athens", 2]]))).toBe(true);
  });

  it("keeps entries sorted by node id, so its JSON and text are canonical", () => {
    const a = VersionVector.from({ cyrene: 1, athens: 2, "10": 3, "9": 4 });
    const b = VersionVector.from([
      ["9", 4],
      ["athens", 2],
      ["10", 3],
      ["cyrene", 1],
    ]);
    expect(JSON.stringify(a)).toBe('[["10",3],["9",4],["athens",2],["cyrene",1]]');
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(a.toString()).toBe("{10: 3, 9: 4, athens: 2, cyrene: 1}");
  });

  it("increments a copy and leaves the original unchanged", () => {
    const one = VersionVector.empty.increment("athens");
    const two = one.increment("athens").increment("byzantium");
    expect(one.toString()).toBe("{athens: 1}");
    expect(two.toString()).toBe("{athens: 2, byzantium: 1}");
    expect(VersionVector.empty.size).toBe(0);
  });

  it("refuses bad node ids, bad counters, duplicates and counter overflow", () => {
    expect(() => VersionVector.from({ "": 1 })).toThrow(InvalidArgumentError);
    expect(() => VersionVector.from({ athens: -1 })).toThrow(InvalidArgumentError);
    expect(() => VersionVector.from({ athens: 1.5 })).toThrow(InvalidArgumentError);
    expect(() =>
      VersionVector.from([
        ["athens", 1],
        ["athens", 2],
      ]),
    ).toThrow(/listed twice/);
    expect(() => VersionVector.empty.increment("not valid")).toThrow(InvalidArgumentError);
    const top = VersionVector.from({ athens: Number.MAX_SAFE_INTEGER });
    expect(() => top.increment("athens")).toThrow(/retire this node id/);
  });

  it("compares: identical vectors are equal, and the empty vector is before any other", () => {
    const v = (entries: Record<string, number>) => VersionVector.from(entries);
    expect(v({ blue: 2, green: 1 }).compare(v({ blue: 2, green: 1 }))).toBe("equal");
    expect(VersionVector.empty.compare(v({ a: 1 }))).toBe("before");
    expect(v({ a: 1 }).compare(VersionVector.empty)).toBe("after");
    expect(VersionVector.empty.compare(VersionVector.empty)).toBe("equal");
    expect(v({ a: 1 }).descends(v({ a: 1 }))).toBe(true);
    expect(v({ a: 1 }).dominates(v({ a: 1 }))).toBe(false);
    expect(v({ a: 2 }).dominates(v({ a: 1 }))).toBe(true);
  });

  it("compares like the definition, for unrelated and for derived vectors", () => {
    fc.assert(
      fc.property(vectorArbitrary, vectorArbitrary, (a, b) => {
        expect(a.compare(b)).toBe(naiveCompare(a, b));
      }),
    );
    fc.assert(
      fc.property(derivedPairArbitrary, ([a, b]) => {
        expect(a.compare(b)).toBe(naiveCompare(a, b));
        expect(b.compare(a)).toBe(naiveCompare(b, a));
      }),
    );
  });

  describe("compare is a partial order", () => {
    it("is reflexive: every vector is equal to itself and to a copy", () => {
      fc.assert(
        fc.property(vectorArbitrary, (a) => {
          expect(a.compare(a)).toBe("equal");
          expect(a.compare(VersionVector.fromJSON(a.toJSON()))).toBe("equal");
        }),
      );
    });

    it("is antisymmetric: a descends b and b descends a only when they are equal", () => {
      fc.assert(
        fc.property(vectorArbitrary, vectorArbitrary, (a, b) => {
          expect(b.compare(a)).toBe(reversed[a.compare(b)]);
          if (a.descends(b) && b.descends(a)) expect(JSON.stringify(a)).toBe(JSON.stringify(b));
        }),
      );
    });

    it("is transitive: a descends b descends c implies a descends c", () => {
      fc.assert(
        fc.property(vectorArbitrary, vectorArbitrary, vectorArbitrary, (a, b, c) => {
          const ab = a.merge(b);
          const abc = ab.merge(c);
          expect(abc.descends(ab) && ab.descends(a)).toBe(true);
          expect(abc.descends(a)).toBe(true);
          if (a.descends(b) && b.descends(c)) expect(a.descends(c)).toBe(true);
          if (a.dominates(b) && b.dominates(c)) expect(a.dominates(c)).toBe(true);
        }),
      );
    });
  });

  describe("merge", () => {
    it("is commutative, associative and idempotent", () => {
      fc.assert(
        fc.property(vectorArbitrary, vectorArbitrary, vectorArbitrary, (a, b, c) => {
          expect(a.merge(b).equals(b.merge(a))).toBe(true);
          expect(
            a
              .merge(b)
              .merge(c)
              .equals(a.merge(b.merge(c))),
          ).toBe(true);
          expect(a.merge(a).equals(a)).toBe(true);
          expect(a.merge(b).merge(b).equals(a.merge(b))).toBe(true);
        }),
      );
    });

    it("is the least upper bound: it descends both, and anything that descends both descends it", () => {
      fc.assert(
        fc.property(vectorArbitrary, vectorArbitrary, vectorArbitrary, (a, b, c) => {
          const merged = a.merge(b);
          expect(merged.descends(a) && merged.descends(b)).toBe(true);
          for (const node of nodes) {
            expect(merged.get(node)).toBe(Math.max(a.get(node), b.get(node)));
          }
          if (c.descends(a) && c.descends(b)) expect(c.descends(merged)).toBe(true);
        }),
      );
    });

    it("returns an input unchanged when it already descends the other", () => {
      fc.assert(
        fc.property(derivedPairArbitrary, ([base, derived]) => {
          expect(derived.merge(base)).toBe(derived);
          expect(base.merge(derived)).toBe(derived);
        }),
      );
    });
  });

  describe("JSON form", () => {
    it("round-trips", () => {
      fc.assert(
        fc.property(vectorArbitrary, (a) => {
          const json = JSON.parse(JSON.stringify(a)) as unknown;
          expect(VersionVector.fromJSON(json).equals(a)).toBe(true);
        }),
      );
    });

    it("accepts only the canonical form", () => {
      const bad: unknown[] = [
        {},
        [["athens"]],
        [["athens", 0]],
        [["athens", 1.5]],
        [["athens", -1]],
        [["athens", Number.MAX_SAFE_INTEGER + 1]],
        [[1, 1]],
        [["not valid", 1]],
        [
          ["byzantium", 1],
          ["athens", 1],
        ],
        [
          ["athens", 1],
          ["athens", 2],
        ],
      ];
      for (const json of bad) expect(() => VersionVector.fromJSON(json)).toThrow(DecodeError);
      expect(() => VersionVector.fromJSON([["a", 1]], 0)).toThrow(/exceeds entriesMax/);
    });
  });
});
