import { InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pruneVersionVector } from "./prune.ts";
import { VersionVector } from "./version-vector.ts";

const vector = VersionVector.from({ athens: 4, byzantium: 1, cyrene: 7, delphi: 2 });
const ages: Record<string, number> = { athens: 300, byzantium: 100, cyrene: 200 };

describe("pruneVersionVector", () => {
  it("removes the oldest writers first; unknown ages count as oldest", () => {
    const pruned = pruneVersionVector(vector, {
      entriesMax: 2,
      lastWriteMs: (node) => ages[node],
    });
    // delphi (age unknown) goes first, then byzantium (100).
    expect(pruned.toString()).toBe("{athens: 4, cyrene: 7}");
  });

  it("breaks ties by the smaller counter, then the node id, and never removes a kept node", () => {
    expect(pruneVersionVector(vector, { entriesMax: 3 }).toString()).toBe(
      "{athens: 4, cyrene: 7, delphi: 2}",
    );
    expect(pruneVersionVector(vector, { entriesMax: 1, keep: ["byzantium"] }).toString()).toBe(
      "{byzantium: 1}",
    );
  });

  it("returns the vector itself when it is within the limit, and checks the limit", () => {
    expect(pruneVersionVector(vector, { entriesMax: 4 })).toBe(vector);
    expect(() => pruneVersionVector(vector, { entriesMax: 0 })).toThrow(InvalidArgumentError);
  });

  it("only forgets: a pruned vector never descends anything its original did not", () => {
    const entries = fc.array(
      fc.tuple(fc.constantFrom("a", "b", "c", "d", "e"), fc.nat({ max: 3 })),
      { maxLength: 5 },
    );
    fc.assert(
      fc.property(entries, entries, fc.integer({ min: 1, max: 5 }), (x, y, entriesMax) => {
        const original = VersionVector.from(new Map(x));
        const other = VersionVector.from(new Map(y));
        const pruned = pruneVersionVector(original, { entriesMax });
        expect(pruned.size).toBeLessThanOrEqual(entriesMax);
        expect(original.descends(pruned)).toBe(true);
        if (pruned.descends(other)) expect(original.descends(other)).toBe(true);
      }),
    );
  });
});
