import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IndexOrder } from "./index-order.ts";

interface Item {
  readonly key: number;
  live: boolean;
}

describe("IndexOrder", () => {
  it("yields live items in ascending index order, whatever the order of pushes and settlements", () => {
    const step = fc.oneof(
      fc.record({ op: fc.constant("push" as const), key: fc.integer({ min: 0, max: 3000 }) }),
      fc.record({ op: fc.constant("pushNext" as const), count: fc.integer({ min: 1, max: 700 }) }),
      fc.record({ op: fc.constant("settle" as const), pick: fc.nat() }),
      fc.record({ op: fc.constant("pop" as const), count: fc.integer({ min: 1, max: 700 }) }),
      fc.record({ op: fc.constant("compact" as const) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const order = new IndexOrder<Item>(
          (item) => item.live,
          (a, b) => a.key < b.key,
        );
        const live = new Map<number, Item>();
        let next = 0;
        const push = (key: number) => {
          if (live.has(key)) return;
          const item = { key, live: true };
          live.set(key, item);
          order.push(item);
        };
        for (const s of steps) {
          switch (s.op) {
            case "push":
              push(s.key);
              break;
            case "pushNext":
              for (let i = 0; i < s.count; i++) push(next++);
              break;
            case "settle": {
              const keys = [...live.keys()];
              const key = keys[s.pick % Math.max(1, keys.length)];
              if (key === undefined) break;
              (live.get(key) as Item).live = false;
              live.delete(key);
              break;
            }
            case "pop":
              for (let i = 0; i < s.count; i++) {
                const lowest = [...live.keys()].sort((a, b) => a - b)[0];
                const item = order.peek();
                expect(item?.key).toBe(lowest);
                if (item === undefined) break;
                order.pop();
                item.live = false;
                live.delete(item.key);
              }
              break;
            case "compact":
              order.compact();
              expect(order.size).toBe(live.size);
              break;
          }
          expect(order.size).toBeGreaterThanOrEqual(live.size);
        }
      }),
    );
  });

  it("empties with clear", () => {
    const order = new IndexOrder<Item>(
      (item) => item.live,
      (a, b) => a.key < b.key,
    );
    order.push({ key: 2, live: true });
    order.push({ key: 1, live: true });
    order.clear();
    expect(order.size).toBe(0);
    expect(order.peek()).toBeUndefined();
  });
});
