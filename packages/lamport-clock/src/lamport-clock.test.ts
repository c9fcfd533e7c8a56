import { InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { happenedBefore, mergeVectors, type VectorClock } from "../test/arbitraries.ts";
import { LamportCounterExhaustedError } from "./errors.ts";
import { LamportClock } from "./lamport-clock.ts";
import { lamportTimestamp, type LamportTimestamp } from "./lamport-timestamp.ts";

describe("LamportClock", () => {
  it("starts at 0; the first tick returns 1 and every tick adds 1", () => {
    const clock = new LamportClock({ nodeId: "athens" });
    expect(clock.peek()).toEqual(lamportTimestamp(0, "athens"));
    expect(clock.tick()).toEqual(lamportTimestamp(1, "athens"));
    expect(clock.tick()).toEqual(lamportTimestamp(2, "athens"));
    expect(clock.peek()).toEqual(lamportTimestamp(2, "athens"));
  });

  it("receive moves one past the larger of its counter and the received one", () => {
    const clock = new LamportClock({ nodeId: "green" });
    expect(clock.receive(lamportTimestamp(10, "blue"))).toEqual(lamportTimestamp(11, "green"));
    expect(clock.receive(lamportTimestamp(3, "blue"))).toEqual(lamportTimestamp(12, "green"));
    expect(clock.receive(lamportTimestamp(12, "blue"))).toEqual(lamportTimestamp(13, "green"));
  });

  it("observe keeps the highest counter seen without counting an event", () => {
    const client = new LamportClock();
    expect(client.observe(lamportTimestamp(7, "blue"))).toEqual(lamportTimestamp(7));
    expect(client.observe(lamportTimestamp(5, "green"))).toEqual(lamportTimestamp(7));
    expect(client.peek()).toEqual(lamportTimestamp(7));
  });

  it("rejects malformed timestamps and leaves the counter unchanged", () => {
    const clock = new LamportClock();
    clock.tick();
    for (const bad of [
      { counter: -1, nodeId: "" },
      { counter: 1.5, nodeId: "" },
      { counter: 2 ** 53, nodeId: "" },
      { counter: 1, nodeId: "a b" },
    ]) {
      expect(() => clock.receive(bad)).toThrow(InvalidArgumentError);
      expect(() => clock.observe(bad)).toThrow(InvalidArgumentError);
    }
    expect(clock.peek().counter).toBe(1);
    expect(() => new LamportClock({ nodeId: " athens" })).toThrow(InvalidArgumentError);
  });

  it("throws a typed error instead of passing 2^53 - 1, leaving the clock unchanged", () => {
    const clock = new LamportClock();
    expect(clock.receive(lamportTimestamp(2 ** 53 - 2))).toEqual(lamportTimestamp(2 ** 53 - 1));
    expect(() => clock.tick()).toThrow(LamportCounterExhaustedError);
    expect(() => clock.receive(lamportTimestamp(2 ** 53 - 1))).toThrow(/2\^53 - 1/);
    expect(clock.peek().counter).toBe(2 ** 53 - 1);
    try {
      clock.tick();
    } catch (error) {
      expect((error as LamportCounterExhaustedError).code).toBe("LAMPORT_COUNTER_EXHAUSTED");
    }
  });

  it("gives every happens-before pair increasing timestamps, over random exchanges", () => {
    type Op =
      | { kind: "tick"; node: number }
      | { kind: "send"; from: number; to: number }
      | { kind: "deliver"; pick: number; keep: boolean };
    const nodes = 3;
    const node = fc.integer({ min: 0, max: nodes - 1 });
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant("tick" as const), node }),
      fc.record({ kind: fc.constant("send" as const), from: node, to: node }),
      fc.record({ kind: fc.constant("deliver" as const), pick: fc.nat(), keep: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const clocks = ["athens", "byzantium", "cyrene"].map(
          (id) => new LamportClock({ nodeId: id }),
        );
        const vectors: number[][] = clocks.map(() => new Array<number>(nodes).fill(0));
        const events: { vector: VectorClock; timestamp: LamportTimestamp }[] = [];
        const inFlight: { to: number; vector: VectorClock; timestamp: LamportTimestamp }[] = [];
        const record = (at: number, timestamp: LamportTimestamp, received?: VectorClock) => {
          const own = vectors[at] ?? [];
          const vector = received === undefined ? own : mergeVectors(own, received);
          vector[at] = (vector[at] ?? 0) + 1;
          vectors[at] = vector;
          events.push({ vector: [...vector], timestamp });
          return [...vector];
        };
        for (const next of ops) {
          if (next.kind === "tick") {
            record(next.node, clocks[next.node]!.tick());
          } else if (next.kind === "send") {
            const timestamp = clocks[next.from]!.tick();
            inFlight.push({ to: next.to, vector: record(next.from, timestamp), timestamp });
          } else if (inFlight.length > 0) {
            const index = next.pick % inFlight.length;
            const message = inFlight[index]!;
            if (!next.keep) inFlight.splice(index, 1); // kept messages are delivered again later
            record(message.to, clocks[message.to]!.receive(message.timestamp), message.vector);
          }
        }
        for (const a of events) {
          for (const b of events) {
            if (happenedBefore(a.vector, b.vector)) {
              expect(a.timestamp.counter).toBeLessThan(b.timestamp.counter);
            }
          }
        }
      }),
    );
  });
});
