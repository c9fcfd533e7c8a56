import { InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { committedIndex, quorumIndex } from "./committed-index.ts";
import { QuorumSet } from "./quorum-set.ts";

const names = ["a", "b", "c", "d", "e", "f", "g"];

/** The definition: the highest index i such that the voters holding ≥ i form a quorum. */
function bruteForce(match: ReadonlyMap<string, number>, set: QuorumSet): number {
  const candidates = [0, ...match.values()].sort((x, y) => y - x);
  for (const i of candidates) {
    if (set.hasQuorum(set.voters.filter((id) => (match.get(id) ?? 0) >= i))) return i;
  }
  return 0;
}

describe("quorumIndex and committedIndex", () => {
  it("the formula: sort ascending, take position n − quorum(n)", () => {
    expect(quorumIndex([5, 3, 9])).toBe(5);
    expect(quorumIndex([10, 10, 7, 3])).toBe(7);
    expect(quorumIndex([1, 2, 3, 4, 5])).toBe(3);
    expect(quorumIndex([1, 2, 3, 4, 5], 2)).toBe(4);
    expect(quorumIndex([7])).toBe(7);
  });

  it("missing voters hold nothing; learners and strangers do not count", () => {
    const set = QuorumSet.majority(["a", "b", "c"], { learners: ["d"] });
    const match = new Map([
      ["a", 9],
      ["d", 9],
      ["x", 9],
    ]);
    expect(committedIndex(match, set)).toBe(0);
    match.set("b", 4);
    expect(committedIndex(match, set)).toBe(4);
  });

  it("joint configurations take the lower of the two", () => {
    const set = QuorumSet.joint(
      QuorumSet.majority(["a", "b", "c"]),
      QuorumSet.majority(["c", "d", "e"]),
    );
    const match = new Map([
      ["a", 10],
      ["b", 10],
      ["c", 4],
      ["d", 6],
      ["e", 2],
    ]);
    expect(committedIndex(match, set)).toBe(4);
  });

  it("flexible sets count the replication quorum", () => {
    const set = QuorumSet.flexible(names.slice(0, 5), { electionQuorum: 4, replicationQuorum: 2 });
    const match = new Map([
      ["a", 8],
      ["b", 6],
      ["c", 1],
    ]);
    expect(committedIndex(match, set)).toBe(6);
  });

  it("rejects bad indexes", () => {
    expect(() => quorumIndex([])).toThrow(InvalidArgumentError);
    expect(() => quorumIndex([1, -1])).toThrow(InvalidArgumentError);
    expect(() => quorumIndex([1, 2], 3)).toThrow(InvalidArgumentError);
    expect(() => committedIndex(new Map([["a", 1.5]]), QuorumSet.majority(["a"]))).toThrow(
      InvalidArgumentError,
    );
  });

  it("property: equals the definition, for simple and joint configurations", () => {
    const configuration = fc.oneof(
      fc.subarray(names, { minLength: 1 }).map((voters) => QuorumSet.majority(voters)),
      fc
        .tuple(fc.subarray(names, { minLength: 1 }), fc.subarray(names, { minLength: 1 }))
        .map(([old, next]) => QuorumSet.joint(QuorumSet.majority(old), QuorumSet.majority(next))),
    );
    fc.assert(
      fc.property(
        configuration,
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 7, maxLength: 7 }),
        (set, indexes) => {
          const match = new Map(names.map((id, i) => [id, indexes[i]!]));
          expect(committedIndex(match, set)).toBe(bruteForce(match, set));
        },
      ),
    );
  });
});
