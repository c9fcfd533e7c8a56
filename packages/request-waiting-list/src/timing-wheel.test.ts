import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualTime } from "../test/manual-time.ts";
import { TimingWheel, type WheelBucket, type WheelItem } from "./timing-wheel.ts";

class Item implements WheelItem {
  wheelBucket: WheelBucket | undefined = undefined;
  wheelSlot = 0;
  expiredAtMs: number | undefined;
  constructor(
    readonly id: number,
    readonly deadlineMs: number,
  ) {}
}

function wheelOn(
  time: ManualTime,
  tickMs: number,
  onExpire: (item: Item) => void = () => undefined,
) {
  return new TimingWheel<Item>({
    clock: time.clock,
    scheduler: time.scheduler,
    tickMs,
    expire: (item) => {
      item.expiredAtMs = time.nowMs;
      onExpire(item);
    },
  });
}

describe("TimingWheel", () => {
  it("expires an item at the end of its deadline's tick, never before the deadline", () => {
    const time = new ManualTime();
    const wheel = wheelOn(time, 10);
    time.advanceTo(3);
    const item = new Item(1, 903);
    wheel.add(item, item.deadlineMs, time.nowMs);
    time.advanceTo(909.9);
    expect(item.expiredAtMs).toBeUndefined();
    time.advanceTo(2000);
    expect(item.expiredAtMs).toBe(910);
    expect(wheel.size).toBe(0);
    expect(wheel.expiryMs(903)).toBe(910);
    expect(wheel.expiryMs(900)).toBe(900);
  });

  it("reaches its tick in a few wake-ups when the clock runs slower than the scheduler", () => {
    const time = new ManualTime();
    let wakeUps = 0;
    const wheel = new TimingWheel<Item>({
      // A clock 0.1% slow against the scheduler: every wake-up comes a hair before the tick.
      clock: { monotonicMs: () => time.nowMs * 0.999, wallMs: () => time.nowMs },
      scheduler: {
        after: (delayMs, run) => {
          if (++wakeUps > 50)
            throw new Error(`${wakeUps} wake-ups: the wheel never reaches its tick`);
          return time.scheduler.after(delayMs, run);
        },
      },
      tickMs: 10,
      expire: (item) => {
        item.expiredAtMs = time.nowMs;
      },
    });
    const item = new Item(1, 1000);
    wheel.add(item, item.deadlineMs, 0);
    time.advanceTo(5000);
    expect(item.expiredAtMs).toBeDefined();
    expect(wakeUps).toBeLessThanOrEqual(3);
  });

  it("keeps a single wake-up scheduled, for the earliest bucket", () => {
    const time = new ManualTime();
    const wheel = wheelOn(time, 1);
    for (let i = 0; i < 100; i++) wheel.add(new Item(i, 500 + i), 500 + i, 0);
    expect(time.scheduled).toBe(1);
    expect(wheel.wakeTick).toBe(500);
    wheel.add(new Item(100, 50), 50, 0); // earlier: the wake-up moves
    expect(time.scheduled).toBe(1);
    expect(wheel.wakeTick).toBe(50);
    time.advanceTo(10_000);
    expect(time.scheduledMax).toBe(1);
    expect(wheel.stats.expired).toBe(101);
  });

  it("does no expiry work for items removed before their deadline", () => {
    const time = new ManualTime();
    const wheel = wheelOn(time, 1);
    const items = Array.from({ length: 1000 }, (_, i) => new Item(i, 100 + (i % 10)));
    for (const item of items) wheel.add(item, item.deadlineMs, 0);
    for (const item of items.slice(0, 990)) wheel.remove(item);
    expect(wheel.size).toBe(10);
    time.advanceTo(200);
    expect(wheel.stats).toMatchObject({ expired: 10 });
    expect(wheel.stats.bucketsVisited).toBe(10);
    expect(items.slice(990).every((item) => item.expiredAtMs === item.deadlineMs)).toBe(true);
  });

  it("skips empty buckets when choosing the next wake-up", () => {
    const time = new ManualTime();
    const wheel = wheelOn(time, 1);
    const early = Array.from({ length: 50 }, (_, i) => new Item(i, 10 + i));
    for (const item of early) wheel.add(item, item.deadlineMs, 0);
    const late = new Item(99, 5000);
    wheel.add(late, late.deadlineMs, 0);
    for (const item of early) wheel.remove(item);
    time.advanceTo(10); // the stale wake-up for tick 10 finds nothing, then aims at 5000
    expect(wheel.wakeTick).toBe(5000);
    expect(wheel.stats.passes).toBe(1);
    time.advanceTo(6000);
    expect(late.expiredAtMs).toBe(5000);
    expect(wheel.stats.passes).toBe(2);
  });

  it("lets an expire callback remove other items of the same bucket", () => {
    const time = new ManualTime();
    const items = [new Item(0, 5), new Item(1, 5), new Item(2, 5)];
    const wheel = wheelOn(time, 1, (item) => {
      for (const other of items) if (other !== item) wheel.remove(other);
    });
    for (const item of items) wheel.add(item, 5, 0);
    time.advanceTo(5);
    expect(items.filter((item) => item.expiredAtMs !== undefined)).toHaveLength(1);
    expect(wheel.size).toBe(0);
  });

  it("finishes a pass when an expire callback throws, then rethrows the first error", () => {
    const time = new ManualTime();
    const wheel = wheelOn(time, 1, (item) => {
      if (item.id === 0) throw new Error("callback failed");
    });
    const items = [new Item(0, 5), new Item(1, 5), new Item(2, 7)];
    for (const item of items) wheel.add(item, item.deadlineMs, 0);
    expect(() => time.advanceTo(5)).toThrow("callback failed");
    expect(items.map((item) => item.expiredAtMs)).toEqual([5, 5, undefined]);
    time.advanceTo(7);
    expect(items[2]?.expiredAtMs).toBe(7);
  });

  it("runs passes through runPass, and clear cancels everything", () => {
    const time = new ManualTime();
    const passes: (() => void)[] = [];
    const expired: number[] = [];
    const wheel = new TimingWheel<Item>({
      clock: time.clock,
      scheduler: time.scheduler,
      tickMs: 1,
      expire: (item) => expired.push(item.id),
      runPass: (pass) => passes.push(pass),
    });
    wheel.add(new Item(1, 5), 5, 0);
    time.advanceTo(5);
    expect(expired).toEqual([]);
    passes.shift()?.();
    expect(expired).toEqual([1]);
    const item = new Item(2, 9);
    wheel.add(item, 9, 5);
    wheel.clear();
    expect(time.scheduled).toBe(0);
    expect(item.wheelBucket).toBeUndefined();
    time.advanceTo(100);
    expect(expired).toEqual([1]);
  });

  it("expires exactly the items not removed, within one tick of their deadlines", () => {
    const step = fc.oneof(
      fc.record({
        op: fc.constant("add" as const),
        timeoutMs: fc.double({ min: 0.5, max: 300, noNaN: true }),
      }),
      fc.record({ op: fc.constant("remove" as const), pick: fc.nat() }),
      fc.record({
        op: fc.constant("advance" as const),
        ms: fc.double({ min: 0, max: 60, noNaN: true }),
      }),
    );
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 120 }),
        fc.constantFrom(1, 5, 10, 0.5),
        (steps, tickMs) => {
          const time = new ManualTime();
          const wheel = wheelOn(time, tickMs);
          const live: Item[] = [];
          const removed: Item[] = [];
          const all: Item[] = [];
          for (const s of steps) {
            if (s.op === "add") {
              const item = new Item(all.length, time.nowMs + s.timeoutMs);
              wheel.add(item, item.deadlineMs, time.nowMs);
              all.push(item);
              live.push(item);
            } else if (s.op === "remove") {
              const pending = live.filter((item) => item.expiredAtMs === undefined);
              const item = pending[s.pick % Math.max(1, pending.length)];
              if (item === undefined) continue;
              wheel.remove(item);
              live.splice(live.indexOf(item), 1);
              removed.push(item);
            } else {
              time.advanceTo(time.nowMs + s.ms);
            }
            expect(time.scheduled).toBeLessThanOrEqual(1);
          }
          time.advanceTo(time.nowMs + 400);
          for (const item of removed) expect(item.expiredAtMs).toBeUndefined();
          for (const item of live) {
            expect(item.expiredAtMs).toBeGreaterThanOrEqual(item.deadlineMs);
            // Within one tick; ≤ because deadline + tick may round down onto the tick's end.
            expect(item.expiredAtMs).toBeLessThanOrEqual(item.deadlineMs + tickMs);
          }
          expect(wheel.size).toBe(0);
          expect(wheel.stats.expired).toBe(live.length);
        },
      ),
    );
  });
});
