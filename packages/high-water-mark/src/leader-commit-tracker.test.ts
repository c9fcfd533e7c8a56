import { QuorumSet, quorumIndex } from "@pods/majority-quorum";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LeaderCommitTracker } from "./leader-commit-tracker.ts";

const five = ["athens", "byzantium", "cyrene", "delphi", "ephesus"];

function tracker(options: {
  voters?: string[];
  learners?: string[];
  generations: number[]; // generation of index 1, 2, …
  generation: number;
  commitIndex?: number;
  quorumSet?: QuorumSet;
}) {
  const voters = options.voters ?? five;
  return new LeaderCommitTracker({
    selfId: voters[0]!,
    quorumSet:
      options.quorumSet ?? QuorumSet.majority(voters, { learners: options.learners ?? [] }),
    generation: options.generation,
    commitIndex: options.commitIndex ?? 0,
    lastIndex: options.generations.length,
    generationAt: (index) => (index === 0 ? 0 : options.generations[index - 1]!),
  });
}

describe("LeaderCommitTracker", () => {
  it("the formula: the highest index a majority holds", () => {
    const cases: [number[], number][] = [
      [[5, 3, 9], 5],
      [[10, 10, 7, 3], 7],
      [[1, 2, 3, 4, 5], 3],
    ];
    for (const [matches, expected] of cases) {
      const voters = five.slice(0, matches.length);
      const t = tracker({
        voters,
        generations: Array.from({ length: 10 }, () => 1),
        generation: 1,
      });
      t.selfDurable(matches[0]!);
      voters.slice(1).forEach((id, i) => t.acknowledged(id, matches[i + 1]!));
      expect(t.commitIndex).toBe(expected);
      expect(quorumIndex(matches)).toBe(expected);
    }
  });

  it("counts only entries of the current generation; earlier ones commit under them", () => {
    // The book's five-node election: the generation-1 entry at 1 is on athens, byzantium and
    // cyrene, but the generation-3 leader commits it only with its own no-op at 2.
    const t = tracker({ generations: [1, 3], generation: 3 });
    t.selfDurable(1);
    t.acknowledged("byzantium", 1);
    t.acknowledged("cyrene", 1);
    expect(t.commitIndex).toBe(0);
    expect(t.currentGenerationCommitted).toBe(false);
    t.selfDurable(2);
    t.acknowledged("byzantium", 2);
    expect(t.commitIndex).toBe(0);
    t.acknowledged("cyrene", 2);
    expect(t.commitIndex).toBe(2);
    expect(t.currentGenerationCommitted).toBe(true);
  });

  it("counts the leader only for what it has durably written", () => {
    const t = tracker({
      voters: ["athens", "byzantium", "cyrene"],
      generations: [1, 1],
      generation: 1,
    });
    t.acknowledged("byzantium", 2);
    expect(t.commitIndex).toBe(0); // athens appended 2 but has not synced it
    t.selfDurable(2);
    expect(t.commitIndex).toBe(2);
  });

  it("joint configurations need both halves; learners never count", () => {
    const quorumSet = QuorumSet.joint(
      QuorumSet.majority(["athens", "byzantium", "cyrene"], { learners: ["sparta"] }),
      QuorumSet.majority(["cyrene", "delphi", "ephesus"]),
    );
    const t = tracker({ voters: ["athens"], quorumSet, generations: [1, 1, 1], generation: 1 });
    t.selfDurable(3);
    t.acknowledged("byzantium", 3);
    t.acknowledged("sparta", 3);
    expect(t.commitIndex).toBe(0);
    t.acknowledged("delphi", 3);
    expect(t.commitIndex).toBe(0);
    t.acknowledged("cyrene", 2);
    expect(t.commitIndex).toBe(2);
    expect(t.progress("sparta")).toEqual({ matchIndex: 3, nextIndex: 4 });
    // Leaving the joint configuration: the new one alone holds 3 on cyrene? No: 2, so 2 stays.
    expect(t.reconfigure(QuorumSet.majority(["cyrene", "delphi", "ephesus"]))).toBe(2);
    expect(t.progress("byzantium")).toBeUndefined();
  });

  it("tracks nextIndex: probes after the last index, backs off on refusal, pipelines sends", () => {
    const t = tracker({
      voters: ["athens", "byzantium", "cyrene"],
      generations: [1, 1, 2, 2],
      generation: 2,
    });
    expect(t.progress("byzantium")).toEqual({ matchIndex: 0, nextIndex: 5 });
    t.refused("byzantium", 3);
    expect(t.progress("byzantium")).toEqual({ matchIndex: 0, nextIndex: 3 });
    t.sent("byzantium", 4);
    expect(t.progress("byzantium")!.nextIndex).toBe(5);
    t.acknowledged("byzantium", 4);
    t.refused("byzantium", 2); // never below matchIndex + 1
    expect(t.progress("byzantium")).toEqual({ matchIndex: 4, nextIndex: 5 });
    t.acknowledged("byzantium", 1); // a late acknowledgement changes nothing
    expect(t.progress("byzantium")!.matchIndex).toBe(4);
    t.appended(6);
    t.reconfigure(QuorumSet.majority(["athens", "byzantium", "cyrene", "delphi"]));
    expect(t.progress("delphi")).toEqual({ matchIndex: 0, nextIndex: 7 });
    expect(t.acknowledged("stranger", 9)).toBe(0);
  });

  it("property: the commit index is the highest quorum-held index of the current generation, never decreasing", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.record({ who: fc.integer({ min: 0, max: 4 }), index: fc.nat(12) })),
        (steps, events) => {
          const generations: number[] = [];
          steps.forEach((step, i) => generations.push((generations[i - 1] ?? 1) + step));
          const generation = generations[generations.length - 1]!;
          const t = tracker({ generations, generation });
          const match = new Map<string, number>();
          let previous = 0;
          for (const { who, index } of events) {
            const at = Math.min(index, generations.length);
            const id = five[who]!;
            if (who === 0) t.selfDurable(at);
            else t.acknowledged(id, at);
            match.set(id, Math.max(match.get(id) ?? 0, at));
            let expected = 0;
            for (let n = generations.length; n > 0; n--) {
              const holders = five.filter((v) => (match.get(v) ?? 0) >= n).length;
              if (holders >= 3 && generations[n - 1] === generation) {
                expected = n;
                break;
              }
            }
            expect(t.commitIndex).toBe(Math.max(previous, expected));
            previous = t.commitIndex;
          }
        },
      ),
    );
  });
});
