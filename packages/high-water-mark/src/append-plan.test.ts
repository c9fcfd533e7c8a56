import { InvalidArgumentError, InvariantError } from "@pods/core-interfaces";
import { GenerationHistory } from "@pods/generation-clock";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planAppend } from "./append-plan.ts";
import { HighWaterMark } from "./high-water-mark.ts";

/** A log as the generations of indexes 1…n (index 0 is generation 0). */
function logOf(generations: readonly number[]) {
  return {
    firstIndex: 1,
    lastIndex: generations.length,
    generationAt: (index: number) => (index === 0 ? 0 : generations[index - 1]!),
  };
}

const entries = (prev: number, generations: readonly number[]) =>
  generations.map((generation, i) => ({ index: prev + 1 + i, generation }));

describe("planAppend", () => {
  it("keeps matching entries: a duplicated request appends nothing", () => {
    const log = logOf([1, 1, 2, 2]);
    const plan = planAppend(
      new GenerationHistory(log),
      4,
      1,
      entries(1, [1, 2, 2]),
      HighWaterMark.inMemory(),
    );
    expect(plan).toEqual({ truncateFrom: undefined, appendFrom: 3, lastMatchingIndex: 4 });
  });

  it("appends only what is new, and never truncates entries merely above the mark", () => {
    const log = logOf([1, 1, 2, 2, 2, 2]);
    const plan = planAppend(
      new GenerationHistory(log),
      6,
      2,
      entries(2, [2, 2]),
      HighWaterMark.inMemory(1),
    );
    // A shorter (older, reordered) request: entries 5 and 6 stay although they are above the mark.
    expect(plan).toEqual({ truncateFrom: undefined, appendFrom: 2, lastMatchingIndex: 4 });
    const longer = planAppend(
      new GenerationHistory(log),
      6,
      4,
      entries(4, [2, 2, 2, 2]),
      HighWaterMark.inMemory(1),
    );
    expect(longer).toEqual({ truncateFrom: undefined, appendFrom: 2, lastMatchingIndex: 8 });
  });

  it("truncates at the first conflicting entry only", () => {
    const log = logOf([1, 1, 1, 1, 1]);
    const plan = planAppend(
      new GenerationHistory(log),
      5,
      2,
      entries(2, [1, 2, 2]),
      HighWaterMark.inMemory(2),
    );
    expect(plan).toEqual({ truncateFrom: 4, appendFrom: 1, lastMatchingIndex: 5 });
  });

  it("refuses to truncate at or below the mark", () => {
    const log = logOf([1, 1, 1, 1, 1]);
    expect(() =>
      planAppend(new GenerationHistory(log), 5, 2, entries(2, [2, 2]), HighWaterMark.inMemory(3)),
    ).toThrow(InvariantError);
  });

  it("a matching request that stops short of a stale tail keeps the mark below the tail", () => {
    // The follower holds 1–3 (committed, generation 1) and a stale 4–5 from a replaced leader; a
    // reordered empty request of the generation-2 leader (prev 3, mark 5) arrives.
    const log = logOf([1, 1, 1, 1, 1]);
    const mark = HighWaterMark.inMemory(3);
    const plan = planAppend(new GenerationHistory(log), 5, 3, [], mark);
    expect(plan).toEqual({ truncateFrom: undefined, appendFrom: 0, lastMatchingIndex: 3 });
    mark.followLeader(5, plan.lastMatchingIndex);
    expect(mark.mark).toBe(3); // 4 and 5 are not known to match: they must not be applied
  });

  it("rejects entries that are not consecutive", () => {
    const log = logOf([1]);
    expect(() =>
      planAppend(
        new GenerationHistory(log),
        1,
        1,
        [{ index: 3, generation: 1 }],
        HighWaterMark.inMemory(),
      ),
    ).toThrow(InvalidArgumentError);
  });

  it("property: following the plan makes the log agree with the leader on the request's range, losing no other matching entry", () => {
    const generationsOf = (steps: number[]) => {
      const out: number[] = [];
      steps.forEach((s, i) => out.push((out[i - 1] ?? 1) + s));
      return out;
    };
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1 }), { maxLength: 10 }),
        fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 1, maxLength: 12 }),
        fc.nat(12),
        fc.nat(12),
        (followerSteps, leaderSteps, prevSeed, lengthSeed) => {
          const follower = generationsOf(followerSteps);
          const leader = generationsOf(leaderSteps).map((g) => g + 0); // the leader's whole log
          // The follower's log matches the leader's up to some prefix (log matching).
          const common = Math.min(follower.length, leader.length, prevSeed);
          const followerLog = [
            ...leader.slice(0, common),
            ...follower.slice(common).map((g) => Math.max(g, leader[common - 1] ?? 1) + 5),
          ];
          const prev = Math.min(common, prevSeed);
          const sent = leader.slice(prev, prev + (lengthSeed % (leader.length - prev + 1)));
          const log = logOf(followerLog);
          const plan = planAppend(
            new GenerationHistory(log),
            followerLog.length,
            prev,
            entries(prev, sent),
            HighWaterMark.inMemory(),
          );
          const after =
            plan.truncateFrom === undefined
              ? [...followerLog]
              : followerLog.slice(0, plan.truncateFrom - 1);
          after.push(...sent.slice(plan.appendFrom));
          // The request's range now holds the leader's entries...
          expect(after.slice(prev, prev + sent.length)).toEqual(sent);
          expect(plan.lastMatchingIndex).toBe(prev + sent.length);
          // ...and nothing matching was truncated: without a conflict, nothing was cut.
          if (plan.truncateFrom === undefined)
            expect(after.slice(0, followerLog.length)).toEqual(followerLog);
          else
            expect(followerLog[plan.truncateFrom - 1]).not.toBe(sent[plan.truncateFrom - prev - 1]);
        },
      ),
    );
  });
});
