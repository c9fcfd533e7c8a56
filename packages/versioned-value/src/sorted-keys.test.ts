import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { byCodeUnits } from "../test/naive-model.ts";
import { chunkItemsMax, SortedKeys } from "./sorted-keys.ts";

function keysFrom(index: SortedKeys, start: string, count = Infinity): string[] {
  const keys: string[] = [];
  index.forEachFrom(start, (key) => {
    keys.push(key);
    return keys.length < count;
  });
  return keys;
}

describe("SortedKeys", () => {
  it("keeps keys in UTF-16 code unit order through adds and deletes", () => {
    // Few distinct characters and many operations, so chunks split, empty and merge.
    const key = fc.string({
      unit: fc.constantFrom("a", "b", "\0", "\uffff", "\ud83d"),
      maxLength: 7,
    });
    const operation = fc.tuple(fc.boolean(), key);
    fc.assert(
      fc.property(
        fc.array(operation, { minLength: 1500, maxLength: 3000 }),
        key,
        (operations, start) => {
          const index = new SortedKeys();
          const model = new Set<string>();
          for (const [add, k] of operations) {
            if (add && !model.has(k)) {
              index.add(k);
              model.add(k);
            } else if (!add && model.has(k)) {
              index.delete(k);
              model.delete(k);
            }
          }
          const sorted = [...model].sort(byCodeUnits);
          expect(index.size).toBe(model.size);
          expect(keysFrom(index, "")).toEqual(sorted);
          expect(keysFrom(index, start)).toEqual(sorted.filter((k) => k >= start));
          expect(keysFrom(index, start, 3)).toEqual(sorted.filter((k) => k >= start).slice(0, 3));
        },
      ),
      { numRuns: 30 },
    );
  });

  it("splits, drains and merges chunks of many keys", () => {
    const index = new SortedKeys();
    const count = chunkItemsMax * 20;
    const name = (n: number) => `k${String(n).padStart(6, "0")}`;
    // Descending adds insert at the front of the first chunk; then every third key is removed.
    for (let n = count - 1; n >= 0; n--) index.add(name(n));
    for (let n = 0; n < count; n += 3) index.delete(name(n));
    const expected = Array.from({ length: count }, (_, n) => n)
      .filter((n) => n % 3 !== 0)
      .map(name);
    expect(keysFrom(index, "")).toEqual(expected);
    for (const n of expected.keys()) if (n % 2 === 0) index.delete(expected[n]!);
    expect(keysFrom(index, "")).toEqual(expected.filter((_, n) => n % 2 === 1));
    expect(keysFrom(index, name(count / 2), 2)).toEqual(
      expected.filter((_, n) => n % 2 === 1 && expected[n]! >= name(count / 2)).slice(0, 2),
    );
  });

  it("treats adding a key twice or deleting a missing key as a bug", () => {
    const index = new SortedKeys();
    index.add("a");
    expect(() => index.add("a")).toThrow(/indexed twice/);
    expect(() => index.delete("b")).toThrow(/not indexed/);
  });
});
