import { runSeeds, seedsFromEnv, Simulation } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import {
  compareLamportTimestamps,
  LamportClock,
  lamportTimestamp,
  type LamportTimestamp,
} from "../src/index.ts";
import { happenedBefore } from "./arbitraries.ts";
import { checkHappensBefore, runCluster } from "./cluster.ts";
import { addClockNode } from "./one-node.ts";

// The acceptance scenarios of PATTERNS.md, "20. Lamport Clock", one test each.

/** A server storing versioned values at Lamport timestamps. */
class Server {
  readonly clock: LamportClock;
  readonly versions = new Map<string, { value: string; at: LamportTimestamp }[]>();

  constructor(nodeId: string) {
    this.clock = new LamportClock({ nodeId });
  }

  /** Writes at receive(requestTimestamp), or at tick() without one, and returns the version. */
  write(key: string, value: string, requestTimestamp?: LamportTimestamp): LamportTimestamp {
    const at =
      requestTimestamp === undefined ? this.clock.tick() : this.clock.receive(requestTimestamp);
    this.versions.set(key, [...(this.versions.get(key) ?? []), { value, at }]);
    return at;
  }
}

describe("lamport clock: the book's scenarios", () => {
  it("causal-chain", () => {
    const blue = new Server("blue");
    const green = new Server("green");
    for (let i = 0; i < 100; i++) blue.write("noise", `n${i}`); // blue's counter runs far ahead
    green.write("other", "x");
    const client = new LamportClock({ nodeId: "alice" });

    const t1 = blue.write("name", "Alice", client.peek());
    client.observe(t1);
    const t2 = green.write("title", "Microservices", client.peek());
    client.observe(t2);

    expect(t1).toEqual(lamportTimestamp(101, "blue"));
    expect(t2).toEqual(lamportTimestamp(102, "green"));
    expect(compareLamportTimestamps(t2, t1)).toBeGreaterThan(0);
  });

  it("receive-lower", () => {
    const clock = new LamportClock({ nodeId: "green" });
    for (let i = 0; i < 20; i++) clock.tick();
    expect(clock.receive(lamportTimestamp(3, "blue"))).toEqual(lamportTimestamp(21, "green"));
  });

  it("partial-order", () => {
    const blue = new Server("blue");
    const green = new Server("green");
    const byAlice = blue.write("title", "Microservices"); // two clients, no causal link
    const byBob = green.write("title", "Distributed Systems");
    expect(byAlice.counter).toBe(byBob.counter);
    const order = [byBob, byAlice].sort(compareLamportTimestamps);
    expect(order).toEqual([byAlice, byBob]); // "blue" < "green": the same on every replica
    expect([byAlice, byBob].sort(compareLamportTimestamps)).toEqual(order);
  });

  it("happens-before-property", async () => {
    let pairs = 0;
    let concurrentButOrdered = 0;
    await runSeeds(
      seedsFromEnv({ defaultCount: 10 }),
      async (seed) => {
        const { events } = await runCluster({ seed, crashes: false, durationMs: 2000 });
        expect(events.length).toBeGreaterThan(500);
        const checked = checkHappensBefore(events);
        expect(checked.violation).toBeUndefined();
        pairs += checked.pairs;
        // The converse does not hold: a smaller timestamp does not mean "happened before".
        for (const a of events.slice(0, 50)) {
          for (const b of events) {
            const smaller = a.timestamp.counter < b.timestamp.counter;
            if (smaller && !happenedBefore(a.vector, b.vector)) concurrentButOrdered++;
          }
        }
      },
      { file: import.meta.url },
    );
    expect(pairs).toBeGreaterThan(10_000);
    expect(concurrentButOrdered).toBeGreaterThan(0);
  }, 120_000);

  it("restart-continues", async () => {
    const sim = new Simulation({ seed: 1 });
    const node = addClockNode(sim, "blue");
    const clock = await node.ready();
    const issued = Array.from({ length: 10 }, () => clock.tick());
    node.crash();
    const restarted = await node.restart();
    const next = restarted.tick();
    for (const before of issued) expect(compareLamportTimestamps(next, before)).toBeGreaterThan(0);
  });
});
