import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RingBuffer } from "./ring-buffer.ts";

describe("RingBuffer", () => {
  it("behaves like an array used as a double-ended queue", () => {
    const operation = fc.oneof(
      fc.record({ op: fc.constant("push" as const), value: fc.integer() }),
      fc.record({ op: fc.constantFrom("shift" as const, "pop" as const, "peek" as const) }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(operation, { maxLength: 200 }),
        (initial, ops) => {
          const ring = new RingBuffer<number>(initial);
          const model: number[] = [];
          for (const step of ops) {
            switch (step.op) {
              case "push":
                ring.push(step.value);
                model.push(step.value);
                break;
              case "shift":
                expect(ring.shift()).toBe(model.shift());
                break;
              case "pop":
                expect(ring.pop()).toBe(model.pop());
                break;
              case "peek":
                expect(ring.peek()).toBe(model[0]);
                break;
            }
            expect(ring.length).toBe(model.length);
          }
        },
      ),
    );
  });

  it("keeps order across growth while wrapped around", () => {
    const ring = new RingBuffer<number>(4);
    for (let i = 0; i < 3; i++) ring.push(i);
    ring.shift();
    ring.shift();
    for (let i = 3; i < 12; i++) ring.push(i);
    const out: number[] = [];
    for (let item = ring.shift(); item !== undefined; item = ring.shift()) out.push(item);
    expect(out).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });
});
