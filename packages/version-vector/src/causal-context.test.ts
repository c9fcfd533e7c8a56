import { DecodeError, InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CausalContext } from "./causal-context.ts";
import type { Dot } from "./dot.ts";
import { VersionVector } from "./version-vector.ts";

const nodes = ["athens", "byzantium", "cyrene"] as const;

/** Contexts over a few nodes: a vector and some of the dots under it as exceptions. */
const contextArbitrary = fc
  .tuple(
    fc.array(fc.tuple(fc.constantFrom(...nodes), fc.nat({ max: 4 })), { maxLength: 3 }),
    fc.array(fc.tuple(fc.constantFrom(...nodes), fc.integer({ min: 1, max: 4 })), {
      maxLength: 4,
    }),
  )
  .map(([pairs, candidates]) => {
    const vector = VersionVector.from(new Map(pairs));
    const exceptions = candidates
      .map(([node, counter]) => ({ node, counter }))
      .filter((dot) => dot.counter <= vector.get(dot.node));
    return CausalContext.of(vector, exceptions);
  });

const allDots: Dot[] = nodes.flatMap((node) =>
  [1, 2, 3, 4, 5].map((counter) => ({ node, counter })),
);

describe("CausalContext", () => {
  it("covers what its vector covers, except its exceptions", () => {
    const context = CausalContext.of(VersionVector.from({ athens: 3, byzantium: 1 }), [
      { node: "athens", counter: 2 },
    ]);
    expect(context.covers({ node: "athens", counter: 1 })).toBe(true);
    expect(context.covers({ node: "athens", counter: 2 })).toBe(false);
    expect(context.covers({ node: "athens", counter: 3 })).toBe(true);
    expect(context.covers({ node: "athens", counter: 4 })).toBe(false);
    expect(context.covers({ node: "byzantium", counter: 1 })).toBe(true);
    expect(context.covers({ node: "cyrene", counter: 1 })).toBe(false);
    expect(context.toString()).toBe("{athens: 3, byzantium: 1} except athens:2");
  });

  it("sorts and merges duplicate exceptions, and refuses exceptions above the vector", () => {
    const vector = VersionVector.from({ athens: 3, byzantium: 2 });
    const context = CausalContext.of(vector, [
      { node: "byzantium", counter: 1 },
      { node: "athens", counter: 2 },
      { node: "athens", counter: 2 },
    ]);
    expect(context.exceptions).toEqual([
      { node: "athens", counter: 2 },
      { node: "byzantium", counter: 1 },
    ]);
    expect(() => CausalContext.of(vector, [{ node: "athens", counter: 4 }])).toThrow(
      InvalidArgumentError,
    );
    expect(() => CausalContext.of(vector, [{ node: "athens", counter: 0 }])).toThrow(
      InvalidArgumentError,
    );
  });

  it("merges to exactly what either context covers", () => {
    fc.assert(
      fc.property(contextArbitrary, contextArbitrary, (a, b) => {
        const merged = a.merge(b);
        for (const dot of allDots) {
          expect(merged.covers(dot)).toBe(a.covers(dot) || b.covers(dot));
        }
      }),
    );
  });

  it("merge is commutative, associative and idempotent", () => {
    fc.assert(
      fc.property(contextArbitrary, contextArbitrary, contextArbitrary, (a, b, c) => {
        expect(a.merge(b).equals(b.merge(a))).toBe(true);
        expect(
          a
            .merge(b)
            .merge(c)
            .equals(a.merge(b.merge(c))),
        ).toBe(true);
        expect(a.merge(a).equals(a)).toBe(true);
      }),
    );
  });

  it("round-trips through its JSON form and accepts only the canonical one", () => {
    fc.assert(
      fc.property(contextArbitrary, (context) => {
        const json = JSON.parse(JSON.stringify(context)) as unknown;
        expect(CausalContext.fromJSON(json).equals(context)).toBe(true);
      }),
    );
    const bad: unknown[] = [
      null,
      { vector: [] },
      { vector: [["athens", 2]], exceptions: [["athens", 3]] },
      { vector: [["athens", 2]], exceptions: [["athens", 0]] },
      {
        vector: [["athens", 2]],
        exceptions: [
          ["athens", 2],
          ["athens", 1],
        ],
      },
      { vector: [["athens", 2]], exceptions: [["athens"]] },
      { vector: [["athens", 2]], exceptions: [[2, "athens"]] },
    ];
    for (const json of bad) expect(() => CausalContext.fromJSON(json)).toThrow(DecodeError);
  });
});
