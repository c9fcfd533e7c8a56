import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventQueue } from "./event-queue.ts";

function drain(queue: EventQueue): void {
  for (let event = queue.pop(); event !== undefined; event = queue.pop()) event.run();
}

describe("EventQueue", () => {
  it("pops by due time, and in insertion order at equal times", () => {
    const queue = new EventQueue();
    const order: string[] = [];
    for (const [time, name] of [
      [5, "a"],
      [1, "b"],
      [5, "c"],
      [0, "d"],
      [1, "e"],
    ] as const) {
      queue.push(time, () => order.push(name));
    }
    expect(queue.peekTime()).toBe(0);
    drain(queue);
    expect(order).toEqual(["d", "b", "e", "a", "c"]);
    expect(queue.size).toBe(0);
    expect(queue.pop()).toBeUndefined();
  });

  it("skips cancelled events and counts only live ones", () => {
    const queue = new EventQueue();
    const order: number[] = [];
    const events = [3, 1, 2].map((time) => queue.push(time, () => order.push(time)));
    queue.cancel(events[1]!);
    queue.cancel(events[1]!);
    expect(queue.size).toBe(2);
    expect(queue.peekTime()).toBe(2);
    drain(queue);
    expect(order).toEqual([2, 3]);
  });

  it("matches a sorted reference under random pushes, pops and cancels (compaction included)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({
              kind: fc.constant("push" as const),
              time: fc.integer({ min: 0, max: 50 }),
            }),
            fc.record({ kind: fc.constant("pop" as const) }),
            fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat() }),
          ),
          { maxLength: 400 },
        ),
        (commands) => {
          const queue = new EventQueue();
          const live: { time: number; seq: number; event: ReturnType<EventQueue["push"]> }[] = [];
          let seq = 0;
          for (const command of commands) {
            if (command.kind === "push") {
              const mine = seq++;
              live.push({
                time: command.time,
                seq: mine,
                event: queue.push(command.time, () => mine),
              });
            } else if (command.kind === "cancel" && live.length > 0) {
              const [removed] = live.splice(command.pick % live.length, 1);
              queue.cancel(removed!.event);
            } else if (command.kind === "pop") {
              live.sort((a, b) => a.time - b.time || a.seq - b.seq);
              const expected = live.shift();
              expect(queue.pop()?.seq).toBe(expected?.event.seq);
            }
            expect(queue.size).toBe(live.length);
          }
        },
      ),
    );
  });

  it("compacts when many events are cancelled, keeping the order", () => {
    const queue = new EventQueue();
    const order: number[] = [];
    const events = Array.from({ length: 1000 }, (_, index) =>
      queue.push(1000 - index, () => order.push(1000 - index)),
    );
    events.forEach((event, index) => {
      if (index % 10 !== 0) queue.cancel(event);
    });
    expect(queue.size).toBe(100);
    drain(queue);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order).toHaveLength(100);
  });
});
