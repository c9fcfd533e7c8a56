import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SavedResponses } from "./saved-responses.ts";

type Op =
  | { readonly kind: "add"; readonly sequence: number }
  | { readonly kind: "dropBelow"; readonly sequence: number }
  | { readonly kind: "dropLowest" };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("add" as const),
      sequence: fc.integer({ min: 1, max: 60 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("dropBelow" as const),
      sequence: fc.integer({ min: 1, max: 60 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("dropLowest" as const) }) },
);

describe("SavedResponses", () => {
  it("behaves as a map by sequence whose lowest entries are dropped, in any order of adds", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const saved = new SavedResponses();
        const model = new Map<number, Uint8Array>();
        for (const step of ops) {
          if (step.kind === "add") {
            if (model.has(step.sequence)) continue; // only new sequences are added
            const response = Uint8Array.of(step.sequence);
            saved.add(step.sequence, response);
            model.set(step.sequence, response);
          } else if (step.kind === "dropBelow") {
            saved.dropBelow(step.sequence);
            for (const sequence of [...model.keys()]) {
              if (sequence < step.sequence) model.delete(sequence);
            }
          } else {
            const lowest = model.size === 0 ? undefined : Math.min(...model.keys());
            expect(saved.dropLowest()).toBe(lowest);
            if (lowest !== undefined) model.delete(lowest);
          }
          const sequences = [...model.keys()].sort((a, b) => a - b);
          expect(saved.sequences()).toEqual(sequences);
          expect(saved.size).toBe(sequences.length);
          for (let sequence = 0; sequence <= 61; sequence++) {
            expect(saved.get(sequence)).toBe(model.get(sequence));
          }
        }
      }),
    );
  });
});
