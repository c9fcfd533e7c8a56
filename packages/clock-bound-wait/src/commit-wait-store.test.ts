import { InvalidArgumentError } from "@pods/core-interfaces";
import { HybridClock, hybridTimestamp } from "@pods/hybrid-clock";
import { describe, expect, it } from "vitest";
import { hybridClock, hybridStore, rejection, testbed } from "../test/testbed.ts";
import { ClockBound } from "./clock-bound.ts";
import { CommitWaitStore } from "./commit-wait-store.ts";
import { ClockUnsafeError } from "./errors.ts";
import { PendingWrites } from "./pending-writes.ts";
import { waitMarginMs } from "./wait-until-past.ts";

async function world(errorBoundMs: number | (() => number) = 5) {
  const { sim, nodes } = await testbed({ athens: {}, byzantium: { offsetMs: -3 } });
  const store = hybridStore();
  const pending = new PendingWrites();
  const make = (id: "athens" | "byzantium") => {
    const { env } = nodes[id];
    const bound = new ClockBound({ clock: env.clock, errorBoundMs, errorBoundMsMax: 50 });
    const clock = hybridClock(env.clock, id);
    return new CommitWaitStore({ store, pending, clock, bound, scheduler: env.scheduler });
  };
  return { sim, nodes, store, pending, athens: make("athens"), byzantium: make("byzantium") };
}

describe("CommitWaitStore", () => {
  it("stamps a write at latest, keeps it pending and invisible during the wait, then acknowledges it", async () => {
    const { sim, store, pending, athens } = await world();
    const write = athens.put("title", "After Dawn");
    await sim.runFor(5);
    expect(store.get("title")).toBeUndefined();
    expect(pending.list()).toEqual([{ key: "title", version: hybridTimestamp(1005, 1, "athens") }]);
    const [committed] = await sim.runUntilSettled([write]);
    expect(committed.version).toEqual(hybridTimestamp(1005, 1, "athens"));
    expect(committed.waitedMs).toBeCloseTo(10 + waitMarginMs, 9);
    expect(store.get("title")?.value).toBe("After Dawn");
    expect(pending.size).toBe(0);
    expect(athens.bound.isBefore(committed.version.wallMs)).toBe(true);
  });

  it("reads at latest after waiting until it is past, and sees every acknowledged write", async () => {
    const { sim, athens, byzantium } = await world();
    await sim.runUntilSettled([athens.put("title", "After Dawn")]);
    // Byzantium's clock is 3 ms behind, yet its read (at its latest) is above the write.
    const [read] = await sim.runUntilSettled([byzantium.get("title")]);
    expect(read.result?.value).toBe("After Dawn");
    expect(read.readTs).toEqual(hybridTimestamp(1013, 0));
    expect(read.waitedMs).toBeCloseTo(11, 9);
    expect(byzantium.waitStats).toMatchObject({ reads: 1, commits: 0 });
    expect(byzantium.waitStats.readWaitMsMax).toBe(read.waitedMs);
    expect(athens.waitStats).toMatchObject({ commits: 1, reads: 0 });
    expect(athens.waitStats.commitWaitMsTotal).toBeCloseTo(10 + waitMarginMs, 9);
  });

  it("deletes with commit wait and reads ranges with read wait", async () => {
    const { sim, athens, byzantium } = await world();
    await sim.runUntilSettled([
      athens.put("a", "1"),
      athens.put("b", "2"),
      byzantium.put("c", "3"),
    ]);
    await sim.runUntilSettled([byzantium.delete("b")]);
    const [all, page] = await sim.runUntilSettled([
      athens.range("a", undefined),
      athens.range("a", "c", { limit: 1 }),
    ]);
    expect(all.result.map((entry) => `${entry.key}=${entry.value}`)).toEqual(["a=1", "c=3"]);
    expect(page.result.map((entry) => entry.key)).toEqual(["a"]);
  });

  it("does not wait for pending writes of other keys", async () => {
    const { sim, pending, athens } = await world();
    pending.add("other", hybridTimestamp(1001, 0, "cyrene"));
    const [read] = await sim.runUntilSettled([athens.get("title")]);
    expect(read.waitedMs).toBeCloseTo(10 + waitMarginMs, 9);
    expect(pending.size).toBe(1);
  });

  it("writes nothing when the clock becomes unusable during the wait", async () => {
    let reported = 5;
    const { sim, store, pending, athens } = await world(() => reported);
    sim.at(4, "bound grows", () => (reported = 60));
    const write = athens.put("title", "After Dawn").catch((error: unknown) => error);
    const [error] = await sim.runUntilSettled([write]);
    expect(error).toBeInstanceOf(ClockUnsafeError);
    expect(error).toMatchObject({ reason: "error-bound", outcome: "definite" });
    expect(store.get("title")).toBeUndefined();
    expect(pending.size).toBe(0);
  });

  it("refuses to serve while its fence says the clock is unsafe", async () => {
    const { nodes } = await testbed({ athens: {} });
    const { env } = nodes.athens;
    const pending = new PendingWrites();
    const fenced = new CommitWaitStore({
      store: hybridStore(),
      pending,
      clock: hybridClock(env.clock, "athens"),
      bound: new ClockBound({ clock: env.clock, errorBoundMs: 1 }),
      scheduler: env.scheduler,
      fence: {
        check: () => {
          throw new ClockUnsafeError("peer-offsets", 450, 400);
        },
      },
    });
    expect(await rejection(fenced.put("k", "v"))).toMatchObject({ reason: "peer-offsets" });
    expect(await rejection(fenced.get("k"))).toMatchObject({ reason: "peer-offsets" });
    expect(pending.size).toBe(0);
  });

  it("checks keys before registering anything", async () => {
    const { athens, pending } = await world();
    expect(await rejection(athens.put("x".repeat(5000), "v"))).toBeInstanceOf(InvalidArgumentError);
    expect(await rejection(athens.get(7 as unknown as string))).toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(await rejection(athens.range("a", "b", { limit: 0 }))).toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(pending.size).toBe(0);
  });

  it("validates its options", async () => {
    const { nodes } = await testbed({ athens: {} });
    const { env } = nodes.athens;
    const base = {
      store: hybridStore(),
      clock: hybridClock(env.clock, "athens"),
      bound: new ClockBound({ clock: env.clock, errorBoundMs: 1, errorBoundMsMax: 100 }),
      scheduler: env.scheduler,
    };
    expect(
      () => new CommitWaitStore({ ...base, clock: new HybridClock({ clock: env.clock }) }),
    ).toThrow(/nodeId/);
    expect(
      () => new CommitWaitStore({ ...base, clock: hybridClock(env.clock, "athens", 101) }),
    ).toThrow(/maxOffsetMs \(101\) must be at least bound.errorBoundMsMax \+ 2 \(102\)/);
    expect(() => new CommitWaitStore({ ...base, waitMsMax: 201 })).toThrow(/202/);
    expect(() => new CommitWaitStore({ ...base, pendingWaitMsMax: -1 })).toThrow(
      /pendingWaitMsMax/,
    );
    expect(() => new CommitWaitStore({ ...base, scheduler: undefined as never })).toThrow(
      /scheduler/,
    );
    expect(new CommitWaitStore({ ...base, waitMsMax: 202 }).waitMsMax).toBe(202);
  });
});
