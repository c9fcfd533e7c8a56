import { InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { StaleGenerationError } from "./errors.ts";
import { GenerationFence, judgeGeneration } from "./fencing.ts";

describe("generation rules and fencing", () => {
  it("judges lower, equal and higher generations", () => {
    expect(judgeGeneration(2, 1)).toBe("stale");
    expect(judgeGeneration(2, 2)).toBe("current");
    expect(judgeGeneration(2, 3)).toBe("newer");
    expect(() => judgeGeneration(2, -1)).toThrow(InvalidArgumentError);
  });

  it("a fence refuses lower generations with a definite StaleGenerationError", () => {
    const fence = new GenerationFence(4);
    const error = (() => {
      try {
        fence.check(3, "write to lock-7");
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(StaleGenerationError);
    expect(error).toMatchObject({ generation: 3, currentGeneration: 4, outcome: "definite" });
    expect((error as Error).message).toMatch(/^write to lock-7 carries generation 3/);
    expect(fence.highest).toBe(4);
  });

  it("property: whatever order writes arrive in, the fence only rises and admits exactly the non-stale ones", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 })), (generations) => {
        const fence = new GenerationFence();
        let highest = 0;
        for (const generation of generations) {
          const admitted = (() => {
            try {
              fence.check(generation);
              return true;
            } catch (error) {
              expect(error).toBeInstanceOf(StaleGenerationError);
              return false;
            }
          })();
          expect(admitted).toBe(generation >= highest);
          highest = Math.max(highest, generation);
          expect(fence.highest).toBe(highest);
        }
      }),
    );
  });
});
