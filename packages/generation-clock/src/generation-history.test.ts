import { InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GenerationHistory, type GenerationLog } from "./generation-history.ts";

/** A log held as the generations of indexes `firstIndex − 1 … lastIndex`. */
function arrayLog(firstIndex: number, generations: readonly number[]): GenerationLog {
  return {
    firstIndex,
    lastIndex: firstIndex - 2 + generations.length,
    generationAt(index) {
      const generation = generations[index - (firstIndex - 1)];
      if (generation === undefined) throw new InvalidArgumentError(`no index ${index}`);
      return generation;
    },
  };
}

/** Non-decreasing generations: the previous entry's, then one per entry. */
const logs = fc
  .tuple(
    fc.integer({ min: 1, max: 6 }),
    fc.integer({ min: 0, max: 3 }),
    fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 25 }),
  )
  .map(([firstIndex, start, steps]) => {
    const generations = [start];
    for (const step of steps) generations.push(generations[generations.length - 1]! + step);
    return { firstIndex, generations };
  });

describe("GenerationHistory", () => {
  // Indexes 1–8 in generations 1, 1, 1, 3, 3, 4, 4, 4 (index 0 is generation 0).
  const history = new GenerationHistory(arrayLog(1, [0, 1, 1, 1, 3, 3, 4, 4, 4]));

  it("lists generation → first index written in it", () => {
    expect(history.starts()).toEqual([
      { generation: 0, firstIndex: 0 },
      { generation: 1, firstIndex: 1 },
      { generation: 3, firstIndex: 4 },
      { generation: 4, firstIndex: 6 },
    ]);
    expect(history.firstIndexOf(3)).toBe(4);
    expect(history.lastIndexOf(3)).toBe(5);
    expect(history.firstIndexOf(2)).toBeUndefined();
    expect(history.lastIndexOf(5)).toBeUndefined();
  });

  it("finds the first conflicting entry, and nothing for matching or new entries", () => {
    expect(
      history.firstConflict([
        { index: 4, generation: 3 },
        { index: 5, generation: 3 },
      ]),
    ).toBeUndefined();
    expect(
      history.firstConflict([
        { index: 5, generation: 3 },
        { index: 6, generation: 5 },
        { index: 7, generation: 5 },
      ]),
    ).toBe(6);
    expect(history.firstConflict([{ index: 9, generation: 9 }])).toBeUndefined();
  });

  it("hints a refusal with a generation's first index, and the leader skips it in one step", () => {
    expect(history.conflictHint(7)).toEqual({ generation: 4, firstIndex: 6 });
    expect(history.conflictHint(12)).toEqual({ generation: undefined, firstIndex: 9 });
    expect(() => history.conflictHint(0)).toThrow(InvalidArgumentError);
    // A leader whose log is 1, 1, 1, 3, 3, 3, 5: it has generation 4? no → resume at 6.
    const leader = new GenerationHistory(arrayLog(1, [0, 1, 1, 1, 3, 3, 3, 5]));
    expect(leader.nextIndexAfter({ generation: 4, firstIndex: 6 })).toBe(6);
    // Follower hints generation 3 from index 4: the leader's generation 3 ends at 6 → resume at 7.
    expect(leader.nextIndexAfter({ generation: 3, firstIndex: 4 })).toBe(7);
    expect(leader.nextIndexAfter({ generation: undefined, firstIndex: 3 })).toBe(3);
  });

  it("property: every answer matches a scan of the log", () => {
    fc.assert(
      fc.property(
        logs,
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 0, max: 40 }),
        ({ firstIndex, generations }, g, probe) => {
          const log = arrayLog(firstIndex, generations);
          const h = new GenerationHistory(log);
          const indexes = Array.from(
            { length: log.lastIndex - firstIndex + 1 },
            (_, i) => firstIndex + i,
          );
          const holding = indexes.filter((i) => log.generationAt(i) === g);
          expect(h.firstIndexOf(g)).toBe(holding[0]);
          expect(h.lastIndexOf(g)).toBe(holding[holding.length - 1]);
          const starts = h.starts();
          for (let i = firstIndex - 1; i <= log.lastIndex; i++) {
            const run = starts.filter((s) => s.firstIndex <= i).pop()!;
            expect(run.generation).toBe(log.generationAt(i));
          }
          expect(new Set(starts.map((s) => s.generation)).size).toBe(starts.length);
          if (probe >= firstIndex) {
            const hint = h.conflictHint(probe);
            if (probe > log.lastIndex)
              expect(hint).toEqual({ generation: undefined, firstIndex: log.lastIndex + 1 });
            else {
              expect(hint.generation).toBe(log.generationAt(probe));
              expect(hint.firstIndex).toBe(
                indexes.find((i) => log.generationAt(i) === hint.generation),
              );
            }
          }
        },
      ),
    );
  });

  it("property: the first conflict is the first same-index entry with another generation", () => {
    fc.assert(
      fc.property(logs, logs, ({ firstIndex, generations }, other) => {
        const log = arrayLog(firstIndex, generations);
        const incoming = other.generations
          .slice(1)
          .map((generation, i) => ({ index: other.firstIndex + i, generation }));
        const expected = incoming.find(
          (e) =>
            e.index >= firstIndex &&
            e.index <= log.lastIndex &&
            log.generationAt(e.index) !== e.generation,
        );
        const beyond = incoming.findIndex((e) => e.index > log.lastIndex);
        const cut = beyond < 0 ? incoming : incoming.slice(0, beyond);
        expect(new GenerationHistory(log).firstConflict(incoming)).toBe(
          cut.includes(expected!) ? expected?.index : undefined,
        );
      }),
    );
  });
});
