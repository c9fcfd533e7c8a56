import { delay, InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createTimerScheduler,
  TimerScheduler,
  timerDelayMsMax,
  type TimerHost,
} from "./timer-scheduler.ts";

interface FakeTimer {
  readonly fireAtMs: number;
  readonly callback: () => void;
  readonly unref: boolean;
}

/** Manual time and timers. Refuses delays Node would refuse, like a real host would misbehave. */
class FakeHost implements TimerHost {
  nowMs = 0;
  readonly timers = new Set<FakeTimer>();
  readonly delaysSet: number[] = [];

  now(): number {
    return this.nowMs;
  }

  setTimer(callback: () => void, delayMs: number, unref: boolean): unknown {
    if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > timerDelayMsMax) {
      throw new Error(`a Node timer cannot wait ${delayMs} ms`);
    }
    this.delaysSet.push(delayMs);
    const timer = { fireAtMs: this.nowMs + Math.max(1, delayMs), callback, unref };
    this.timers.add(timer);
    return timer;
  }

  clearTimer(timer: unknown): void {
    this.timers.delete(timer as FakeTimer);
  }

  /** Moves time forward to `toMs`, firing due timers in order. */
  advanceTo(toMs: number): void {
    for (;;) {
      const next = [...this.timers].sort((a, b) => a.fireAtMs - b.fireAtMs)[0];
      if (next === undefined || next.fireAtMs > toMs) break;
      this.timers.delete(next);
      this.nowMs = Math.max(this.nowMs, next.fireAtMs);
      next.callback();
    }
    this.nowMs = Math.max(this.nowMs, toMs);
  }

  /** Fires the pending timer now, as a host whose timers run early would. */
  fireEarly(): void {
    const [timer] = this.timers;
    if (timer === undefined) throw new Error("no timer to fire");
    this.timers.delete(timer);
    timer.callback();
  }
}

function setup(unref = false): { host: FakeHost; scheduler: TimerScheduler; ran: string[] } {
  const host = new FakeHost();
  return { host, scheduler: new TimerScheduler(host, unref), ran: [] };
}

describe("TimerScheduler", () => {
  it("runs tasks due at the same time in scheduling order, even with different delays", () => {
    const { host, scheduler, ran } = setup();
    host.nowMs = 0.3;
    scheduler.after(10, () => ran.push("a"));
    host.nowMs = 0.8;
    scheduler.after(9.5, () => ran.push("b"));
    scheduler.after(9.5, () => ran.push("c"));
    scheduler.after(2, () => ran.push("first"));
    host.advanceTo(100);
    expect(ran).toEqual(["first", "a", "b", "c"]);
  });

  it("never runs a task synchronously inside after, even with delay 0", () => {
    const { host, scheduler, ran } = setup();
    scheduler.after(0, () => ran.push("zero"));
    expect(ran).toEqual([]);
    host.advanceTo(1);
    expect(ran).toEqual(["zero"]);
  });

  it("runs a zero-delay task scheduled by a running task on a later timer turn", () => {
    const { host, scheduler, ran } = setup();
    const loop = (): void => {
      ran.push("tick");
      scheduler.after(0, loop);
    };
    scheduler.after(0, loop);
    host.advanceTo(1);
    expect(ran).toEqual(["tick"]);
    host.advanceTo(3);
    expect(ran).toEqual(["tick", "tick", "tick"]);
  });

  it("never runs a task before its due time when the host timer fires early", () => {
    const { host, scheduler, ran } = setup();
    scheduler.after(10, () => ran.push("task"));
    host.nowMs = 9.5;
    host.fireEarly();
    expect(ran).toEqual([]);
    expect(host.delaysSet).toEqual([10, 1]);
    host.advanceTo(10.5);
    expect(ran).toEqual(["task"]);
  });

  it("chains delays longer than a Node timer can wait", () => {
    const { host, scheduler, ran } = setup();
    const delayMs = 3 * timerDelayMsMax + 5;
    scheduler.after(delayMs, () => ran.push("late"));
    host.advanceTo(delayMs - 1);
    expect(ran).toEqual([]);
    host.advanceTo(delayMs);
    expect(ran).toEqual(["late"]);
    expect(host.delaysSet).toEqual([timerDelayMsMax, timerDelayMsMax, timerDelayMsMax, 5]);
  });

  it("re-arms for an earlier task scheduled behind a long one", () => {
    const { host, scheduler, ran } = setup();
    scheduler.after(10 * timerDelayMsMax, () => ran.push("long"));
    scheduler.after(5, () => ran.push("short"));
    host.advanceTo(5);
    expect(ran).toEqual(["short"]);
    expect(host.timers.size).toBe(1);
  });

  it("cancel is idempotent, a no-op after the task ran, and releases the timer when nothing waits", () => {
    const { host, scheduler, ran } = setup();
    const cancelA = scheduler.after(5, () => ran.push("a"));
    const cancelB = scheduler.after(5, () => ran.push("b"));
    cancelA();
    cancelA();
    host.advanceTo(5);
    expect(ran).toEqual(["b"]);
    cancelB();
    const cancelC = scheduler.after(1000, () => ran.push("c"));
    expect(host.timers.size).toBe(1);
    cancelC();
    expect(host.timers.size).toBe(0);
    host.advanceTo(5000);
    expect(ran).toEqual(["b"]);
  });

  it("lets a task cancel a later task due in the same turn", () => {
    const { host, scheduler, ran } = setup();
    let cancelSecond = (): void => undefined;
    scheduler.after(5, () => {
      ran.push("first");
      cancelSecond();
    });
    cancelSecond = scheduler.after(5, () => ran.push("second"));
    host.advanceTo(10);
    expect(ran).toEqual(["first"]);
  });

  it("keeps the remaining tasks scheduled when a task throws", () => {
    const { host, scheduler, ran } = setup();
    scheduler.after(1, () => {
      throw new Error("task bug");
    });
    scheduler.after(1, () => ran.push("after the throw"));
    expect(() => host.advanceTo(1)).toThrow("task bug");
    host.advanceTo(2);
    expect(ran).toEqual(["after the throw"]);
  });

  it("passes unref to the host timers", () => {
    for (const unref of [false, true]) {
      const { host, scheduler } = setup(unref);
      scheduler.after(1, () => undefined);
      expect([...host.timers].map((timer) => timer.unref)).toEqual([unref]);
    }
  });

  it("runs exactly the uncancelled tasks, each no earlier than due, by due time then order", () => {
    const step = fc.oneof(
      fc.record({
        after: fc.integer({ min: 0, max: 50 }),
        fraction: fc.constantFrom(0, 0.25, 0.5),
      }),
      fc.record({ cancel: fc.nat() }),
      fc.record({ advance: fc.integer({ min: 0, max: 30 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        const { host, scheduler } = setup();
        const tasks: { id: number; dueMs: number; cancel: () => void; cancelled: boolean }[] = [];
        const ran: { id: number; atMs: number }[] = [];
        for (const s of steps) {
          if ("after" in s) {
            const id = tasks.length;
            const delayMs = s.after + s.fraction;
            const cancel = scheduler.after(delayMs, () => ran.push({ id, atMs: host.nowMs }));
            tasks.push({ id, dueMs: host.nowMs + delayMs, cancel, cancelled: false });
          } else if ("cancel" in s && tasks.length > 0) {
            const task = tasks[s.cancel % tasks.length];
            if (task !== undefined && !ran.some((r) => r.id === task.id)) task.cancelled = true;
            task?.cancel();
          } else if ("advance" in s) {
            host.advanceTo(host.nowMs + s.advance);
          }
        }
        host.advanceTo(host.nowMs + 100);
        const expected = tasks
          .filter((task) => !task.cancelled)
          .sort((a, b) => a.dueMs - b.dueMs || a.id - b.id)
          .map((task) => task.id);
        expect(ran.map((r) => r.id)).toEqual(expected);
        for (const r of ran) expect(r.atMs).toBeGreaterThanOrEqual(tasks[r.id]?.dueMs ?? 0);
        expect(host.timers.size).toBe(0);
      }),
    );
  });
});

describe("createTimerScheduler on Node's timers", () => {
  it("runs tasks with equal delays in scheduling order, never synchronously", async () => {
    const scheduler = createTimerScheduler();
    const ran: number[] = [];
    for (let index = 0; index < 60; index++) scheduler.after(index % 3, () => ran.push(index));
    expect(ran).toEqual([]);
    await delay(scheduler, 5);
    expect([...ran].sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, index) => index));
    for (const delayMs of [0, 1, 2]) {
      const group = ran.filter((index) => index % 3 === delayMs);
      expect(group).toEqual([...group].sort((a, b) => a - b));
    }
  });

  it("does not run cancelled tasks", async () => {
    const scheduler = createTimerScheduler({ unref: true });
    const ran: string[] = [];
    const cancel = scheduler.after(0, () => ran.push("cancelled"));
    scheduler.after(0, () => ran.push("kept"));
    cancel();
    await delay(scheduler, 1);
    expect(ran).toEqual(["kept"]);
  });

  it("rejects bad delays, tasks and options", () => {
    const scheduler = createTimerScheduler();
    for (const delayMs of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => scheduler.after(delayMs, () => undefined)).toThrow(InvalidArgumentError);
    }
    expect(() => scheduler.after(1, "task" as unknown as () => void)).toThrow(InvalidArgumentError);
    expect(() => createTimerScheduler({ unref: "yes" as unknown as boolean })).toThrow(
      InvalidArgumentError,
    );
  });
});
