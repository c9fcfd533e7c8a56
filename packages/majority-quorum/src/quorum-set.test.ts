import { InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { QuorumSet, type QuorumKind } from "./quorum-set.ts";

const names = ["a", "b", "c", "d", "e", "f", "g"];

/** Every subset of `ids`. */
function subsets(ids: readonly string[]): string[][] {
  return Array.from({ length: 2 ** ids.length }, (_, mask) =>
    ids.filter((_, i) => mask & (1 << i)),
  );
}

describe("QuorumSet", () => {
  it("majority: ⌊n/2⌋ + 1 voters, learners never count", () => {
    const set = QuorumSet.majority(["c", "a", "b"], { learners: ["d"] });
    expect(set.voters).toEqual(["a", "b", "c"]);
    expect(set.learners).toEqual(["d"]);
    expect(set.hasQuorum(["a", "b"])).toBe(true);
    expect(set.hasQuorum(["a", "d"])).toBe(false);
    expect(set.isVoter("d")).toBe(false);
    expect(set.isLearner("d")).toBe(true);
    expect(set.toString()).toBe("majority of {a, b, c} + learners {d}");
  });

  it("tally: pending, reached, and impossible once more than n − q said no", () => {
    const set = QuorumSet.majority(["a", "b", "c", "d", "e"]);
    expect(set.tally(new Set(["a", "b"]), new Set(["c"]))).toBe("pending");
    expect(set.tally(new Set(["a", "b", "e"]), new Set(["c"]))).toBe("reached");
    expect(set.tally(new Set(["a"]), new Set(["c", "d"]))).toBe("pending");
    expect(set.tally(new Set(["a"]), new Set(["b", "c", "d"]))).toBe("impossible");
  });

  it("joint: a quorum of each configuration", () => {
    const set = QuorumSet.joint(
      QuorumSet.majority(["a", "b", "c"]),
      QuorumSet.majority(["c", "d", "e"]),
    );
    expect(set.isJoint).toBe(true);
    expect(set.voters).toEqual(["a", "b", "c", "d", "e"]);
    expect(set.hasQuorum(["a", "b", "c", "d"])).toBe(true);
    expect(set.hasQuorum(["a", "b", "d"])).toBe(false);
    expect(set.hasQuorum(["c", "d"])).toBe(false);
    expect(set.hasQuorum(["b", "c", "d"])).toBe(true);
    // Two refusals in the new configuration make it impossible, whatever the old one says.
    expect(set.tally(new Set(["a", "b"]), new Set(["d", "e"]))).toBe("impossible");
    expect(set.toString()).toBe("joint(majority of {a, b, c}, majority of {c, d, e})");
  });

  it("joint: learners of either half stay learners unless they vote in the other", () => {
    const set = QuorumSet.joint(
      QuorumSet.majority(["a", "b", "c"], { learners: ["d"] }),
      QuorumSet.majority(["a", "b", "d"], { learners: ["e"] }),
    );
    expect(set.learners).toEqual(["e"]);
    expect(set.isVoter("d")).toBe(true);
    expect(() => QuorumSet.joint(set, QuorumSet.majority(["a"]))).toThrow(InvalidArgumentError);
  });

  it("flexible: Q1 for elections, Q2 for replication, validated to intersect", () => {
    const set = QuorumSet.flexible(names.slice(0, 5), { electionQuorum: 4, replicationQuorum: 2 });
    expect(set.hasQuorum(["a", "b"], "replication")).toBe(true);
    expect(set.hasQuorum(["a", "b", "c"], "election")).toBe(false);
    expect(set.hasQuorum(["a", "b", "c", "d"], "election")).toBe(true);
    expect(set.toString()).toBe("Q1 4, Q2 2 of {a, b, c, d, e}");
    const bad = [
      { electionQuorum: 3, replicationQuorum: 2 }, // 3 + 2 = 5: a commit can miss an election
      { electionQuorum: 2, replicationQuorum: 4 }, // 2 · 2 = 4: two leaders in one generation
      { electionQuorum: 6, replicationQuorum: 1 },
      { electionQuorum: 4, replicationQuorum: 0 },
    ];
    for (const sizes of bad) {
      expect(() => QuorumSet.flexible(names.slice(0, 5), sizes)).toThrow(InvalidArgumentError);
    }
  });

  it("threshold: any k of n, without an intersection promise", () => {
    const set = QuorumSet.threshold(["a", "b", "c"], 1);
    expect(set.hasQuorum(["c"])).toBe(true);
    expect(set.toString()).toBe("1 of {a, b, c}");
    expect(() => QuorumSet.threshold(["a", "b", "c"], 4)).toThrow(InvalidArgumentError);
  });

  it("rejects bad configurations with clear errors", () => {
    expect(() => QuorumSet.majority([])).toThrow(/from 1 to/);
    expect(() => QuorumSet.majority(["a", "a"])).toThrow(/twice/);
    expect(() => QuorumSet.majority(["a", "bad id"])).toThrow(InvalidArgumentError);
    expect(() => QuorumSet.majority(["a", "b"], { learners: ["b"] })).toThrow(
      /both voter and learner/,
    );
  });

  it("property: every two quorums that can both decide share a voter", () => {
    const sets = fc.oneof(
      fc.integer({ min: 1, max: 6 }).map((n) => QuorumSet.majority(names.slice(0, n))),
      fc
        .tuple(fc.subarray(names, { minLength: 1 }), fc.subarray(names, { minLength: 1 }))
        .map(([old, next]) => QuorumSet.joint(QuorumSet.majority(old), QuorumSet.majority(next))),
      fc.integer({ min: 1, max: 7 }).chain((n) =>
        fc.integer({ min: Math.floor(n / 2) + 1, max: n }).chain((q1) =>
          fc.integer({ min: n - q1 + 1, max: n }).map((q2) =>
            QuorumSet.flexible(names.slice(0, n), {
              electionQuorum: q1,
              replicationQuorum: q2,
            }),
          ),
        ),
      ),
    );
    const pairs: [QuorumKind, QuorumKind][] = [
      ["election", "election"],
      ["election", "replication"],
    ];
    fc.assert(
      fc.property(sets, (set) => {
        const all = subsets(set.voters);
        for (const [k1, k2] of pairs) {
          const first = all.filter((s) => set.hasQuorum(s, k1));
          const second = all.filter((s) => set.hasQuorum(s, k2));
          for (const a of first) {
            for (const b of second) expect(a.some((id) => b.includes(id))).toBe(true);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it("property: tally is impossible exactly when the yes side plus the unanswered is no quorum", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.array(fc.constantFrom("yes", "no", "none"), { minLength: 7, maxLength: 7 }),
        (n, answers) => {
          const set = QuorumSet.majority(names.slice(0, n));
          const yes = new Set(set.voters.filter((_, i) => answers[i] === "yes"));
          const no = new Set(set.voters.filter((_, i) => answers[i] === "no"));
          const possible = set.voters.filter((id) => !no.has(id));
          const expected = set.hasQuorum(yes)
            ? "reached"
            : set.hasQuorum(possible)
              ? "pending"
              : "impossible";
          expect(set.tally(yes, no)).toBe(expected);
        },
      ),
    );
  });
});
