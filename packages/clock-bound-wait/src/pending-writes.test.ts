import { InvalidArgumentError, TimeoutError } from "@pods/core-interfaces";
import { hybridTimestamp } from "@pods/hybrid-clock";
import { describe, expect, it } from "vitest";
import { rejection, testbed } from "../test/testbed.ts";
import { PendingWritesFullError } from "./errors.ts";
import { PendingWrites } from "./pending-writes.ts";

const ts = (wallMs: number, logical = 0, nodeId = "athens") =>
  hybridTimestamp(wallMs, logical, nodeId);

async function world() {
  const { sim, nodes } = await testbed({ athens: {} });
  const scheduler = nodes.athens.env.scheduler;
  const settled = (pending: PendingWrites, upTo: number, key = "a", timeoutMs = 100) =>
    pending.whenSettled({ upTo: ts(upTo), keys: (k) => k === key, scheduler, timeoutMs });
  return { sim, settled };
}

describe("PendingWrites", () => {
  it("registers writes until they resolve, and resolving twice does nothing", () => {
    const pending = new PendingWrites();
    const first = pending.add("a", ts(10));
    const second = pending.add("b", ts(12));
    expect(pending.size).toBe(2);
    expect(pending.list()).toEqual([
      { key: "a", version: ts(10) },
      { key: "b", version: ts(12) },
    ]);
    first.resolve();
    first.resolve();
    expect(first.resolved).toBe(true);
    expect(second.resolved).toBe(false);
    expect(pending.list()).toEqual([{ key: "b", version: ts(12) }]);
  });

  it("settles at once when no matching write is pending at or below the timestamp", async () => {
    const { sim, settled } = await world();
    const pending = new PendingWrites();
    pending.add("a", ts(11));
    pending.add("b", ts(5));
    expect(await sim.runUntilSettled([settled(pending, 10)])).toEqual([0]);
    expect(pending.waiterCount).toBe(0);
  });

  it("waits for every matching write at or below the timestamp, and only for those", async () => {
    const { sim, settled } = await world();
    const pending = new PendingWrites();
    const low = pending.add("a", ts(3));
    const exact = pending.add("a", ts(10));
    const above = pending.add("a", ts(10, 1));
    let done = false;
    const waiting = settled(pending, 10).then((count) => {
      done = true;
      return count;
    });
    expect(pending.waiterCount).toBe(1);
    low.resolve();
    await sim.runFor(1);
    expect(done).toBe(false);
    pending.add("a", ts(4)); // registered after the read asked: not waited for
    exact.resolve();
    expect(await sim.runUntilSettled([waiting])).toEqual([2]);
    expect(above.resolved).toBe(false);
    expect(pending.waiterCount).toBe(0);
  });

  it("gives up after timeoutMs with a TimeoutError and forgets the waiter", async () => {
    const { sim, settled } = await world();
    const pending = new PendingWrites();
    const stuck = pending.add("a", ts(1));
    const error = await rejection(sim.runUntilSettled([settled(pending, 10, "a", 40)]));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ timeoutMs: 40 });
    expect(sim.now).toBe(40);
    expect(pending.waiterCount).toBe(0);
    stuck.resolve();
    expect(pending.size).toBe(0);
  });

  it("bounds pending writes and waiting reads", async () => {
    const { settled } = await world();
    const pending = new PendingWrites({ pendingMax: 2, waitersMax: 1 });
    pending.add("a", ts(1));
    pending.add("a", ts(2));
    expect(() => pending.add("a", ts(3))).toThrow(PendingWritesFullError);
    void settled(pending, 5).catch(() => undefined);
    const error = await rejection(settled(pending, 5));
    expect(error).toMatchObject({ code: "PENDING_WRITES_FULL", limit: "waitersMax", max: 1 });
    expect((error as Error).message).toMatch(
      /1 reads are waiting for pending writes \(waitersMax\)/,
    );
  });

  it("validates its arguments", () => {
    expect(() => new PendingWrites({ pendingMax: 0 })).toThrow(InvalidArgumentError);
    expect(() => new PendingWrites({ waitersMax: 1.5 })).toThrow(/waitersMax/);
    expect(() => new PendingWrites().add("a", { wallMs: -1, logical: 0, nodeId: "" })).toThrow(
      InvalidArgumentError,
    );
  });
});
