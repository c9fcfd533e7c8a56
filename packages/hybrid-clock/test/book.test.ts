import { ClockOffsetError } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import type { HybridClockOffsetError } from "../src/index.ts";
import {
  compareHybridTimestamps,
  HybridClock,
  hybridTimestamp,
  type HybridTimestamp,
} from "../src/index.ts";
import { ManualClock } from "./arbitraries.ts";

// The acceptance scenarios of PATTERNS.md, "21. Hybrid Clock", one test each.

const ts = (wallMs: number, logical: number, nodeId = ""): HybridTimestamp =>
  hybridTimestamp(wallMs, logical, nodeId);

function caught(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

describe("hybrid clock: the book's scenarios", () => {
  it("logical-ticks", () => {
    const clock = new HybridClock({ clock: new ManualClock(1000) });
    expect(clock.now()).toEqual(ts(1000, 1));
    expect(clock.now()).toEqual(ts(1000, 2));
  });

  it("remote-from-future", () => {
    const clock = new HybridClock({ clock: new ManualClock(1000), maxOffsetMs: 1000 });
    expect(clock.update(ts(1500, 5))).toEqual(ts(1500, 6));
  });

  it("remote-from-past", () => {
    const wall = new ManualClock(1000);
    const clock = new HybridClock({ clock: wall });
    expect(clock.now()).toEqual(ts(1000, 1));
    expect(clock.update(ts(500, 0))).toEqual(ts(1000, 2));
    wall.advance(500);
    expect(clock.now()).toEqual(ts(1500, 0));
  });

  it("wall-goes-back", () => {
    const wall = new ManualClock(100_000);
    const clock = new HybridClock({ clock: wall });
    let previous = clock.now();
    expect(previous).toEqual(ts(100_000, 1));
    wall.advance(-5000);
    for (let step = 0; step < 5000; step++) {
      const next = clock.now();
      expect(compareHybridTimestamps(next, previous)).toBeGreaterThan(0);
      expect(next.wallMs).toBe(100_000);
      previous = next;
      wall.advance(1);
    }
    expect(wall.wall).toBe(100_000);
    expect(clock.now()).toEqual(ts(100_000, 5002));
    wall.advance(1);
    expect(clock.now()).toEqual(ts(100_001, 0));
  });

  it("offset-rejected", () => {
    const clock = new HybridClock({
      clock: new ManualClock(10_000),
      maxOffsetMs: 500,
      nodeId: "athens",
    });
    const local = clock.now();
    const error = caught(() => clock.update(ts(12_000, 0, "byzantium")));
    expect(error).toBeInstanceOf(ClockOffsetError);
    expect(error).toMatchObject({
      remote: ts(12_000, 0, "byzantium"),
      local,
      offsetMs: 2000,
      maxOffsetMs: 500,
    });
    expect((error as HybridClockOffsetError).message).toMatch(
      /2000 ms ahead.*maxOffsetMs of 500 ms/,
    );
    expect(clock.peek()).toEqual(local);
    expect(clock.update(ts(10_400, 0, "byzantium"))).toEqual(ts(10_400, 1, "athens"));
  });

  it("cross-server-order", () => {
    // server2's wall clock is 200 ms behind server1's.
    const server1 = new HybridClock({ clock: new ManualClock(50_000), nodeId: "blue" });
    const server2 = new HybridClock({ clock: new ManualClock(49_800), nodeId: "green" });
    const client = new HybridClock({ clock: new ManualClock(49_900), nodeId: "client" });
    const store = new Map<string, HybridTimestamp>();

    const write = (server: HybridClock, key: string): HybridTimestamp => {
      const writtenAt = server.update(client.now()); // the request carries the client's clock
      store.set(key, writtenAt);
      client.update(writtenAt); // the response carries the write's timestamp
      return writtenAt;
    };

    const first = write(server1, "name");
    const second = write(server2, "title");
    expect(first).toEqual(ts(50_000, 1, "blue"));
    expect(compareHybridTimestamps(second, first)).toBeGreaterThan(0);
    expect(second.wallMs).toBe(50_000); // ahead of server2's own wall clock
    expect(store.get("title")).toEqual(second);
  });
});
