import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BinaryHeap } from "./binary-heap.ts";

describe("BinaryHeap", () => {
  it("pops in ascending order whatever the pushes, pops and filters", () => {
    const operation = fc.oneof(
      fc.record({ op: fc.constant("push" as const), value: fc.integer({ min: -50, max: 50 }) }),
      fc.record({ op: fc.constant("pop" as const) }),
      fc.record({ op: fc.constant("dropOdd" as const) }),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 300 }), (operations) => {
        const heap = new BinaryHeap<number>((a, b) => a < b);
        let model: number[] = [];
        for (const step of operations) {
          if (step.op === "push") {
            heap.push(step.value);
            model.push(step.value);
            model.sort((a, b) => a - b);
          } else if (step.op === "pop") {
            expect(heap.pop()).toBe(model.shift());
          } else {
            heap.filter((value) => value % 2 === 0);
            model = model.filter((value) => value % 2 === 0);
          }
          expect(heap.size).toBe(model.length);
          expect(heap.peek()).toBe(model[0]);
        }
      }),
    );
  });

  it("empties with clear", () => {
    const heap = new BinaryHeap<number>((a, b) => a < b);
    heap.push(3);
    heap.clear();
    expect(heap.size).toBe(0);
    expect(heap.pop()).toBeUndefined();
  });
});
