import { InvalidArgumentError } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import { CausalContext } from "./causal-context.ts";
import { lastWriterWins, mergeValues, resolveSiblings } from "./resolvers.ts";
import { putSibling, readContext, type Sibling } from "./siblings.ts";

const rules = { mode: "dotted", siblingsMax: 10, contextEntriesMax: 10 } as const;

/** Concurrent blind writes of `values` through `athens`, at the given wall times. */
function siblingsOf(writes: readonly [string[], number][]): readonly Sibling<string[]>[] {
  let siblings: readonly Sibling<string[]>[] = [];
  for (const [value, wallMs] of writes) {
    siblings = putSibling(
      siblings,
      { value, context: CausalContext.empty, replica: "athens", wallMs },
      rules,
    ).siblings;
  }
  return siblings;
}

describe("resolveSiblings", () => {
  it("returns nothing for a missing key and the only value without calling the resolver", () => {
    const resolver = () => {
      throw new Error("not called");
    };
    expect(resolveSiblings({ siblings: [], context: CausalContext.empty }, resolver)).toBe(
      undefined,
    );
    const one = siblingsOf([[["milk"], 1]]);
    const resolved = resolveSiblings({ siblings: one, context: readContext(one) }, resolver);
    expect(resolved?.value).toEqual(["milk"]);
    expect(resolved?.siblingCount).toBe(1);
  });

  it("merges values with an application function, in dot order", () => {
    const siblings = siblingsOf([
      [["milk"], 1],
      [["eggs", "milk"], 2],
    ]);
    const union = mergeValues<string[]>((a, b) => [...new Set([...a, ...b])].sort());
    const resolved = resolveSiblings({ siblings, context: readContext(siblings) }, union);
    expect(resolved?.value).toEqual(["eggs", "milk"]);
    expect(resolved?.context.covers({ node: "athens", counter: 2 })).toBe(true);
    expect(() => union([])).toThrow(InvalidArgumentError);
  });

  it("last-writer-wins keeps the latest timestamp, breaks ties by dot, and reports what it drops", () => {
    const siblings = siblingsOf([
      [["a"], 30],
      [["b"], 10],
      [["c"], 30],
    ]);
    const dropped: string[][] = [];
    const lww = lastWriterWins<string[]>({
      onDiscard: (discarded, kept) => {
        dropped.push(discarded.map((sibling) => sibling.value[0] as string));
        expect(kept.value).toEqual(["c"]);
      },
    });
    expect(lww(siblings)).toEqual(["c"]);
    expect(dropped).toEqual([["a", "b"]]);
    const byValue = lastWriterWins<string[]>({ timestampOf: (s) => (s.value[0] === "b" ? 99 : 0) });
    expect(byValue(siblings)).toEqual(["b"]);
    expect(() => lww([])).toThrow(InvalidArgumentError);
  });
});
