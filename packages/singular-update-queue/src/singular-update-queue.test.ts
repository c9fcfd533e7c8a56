import {
  ClosedError,
  InvalidArgumentError,
  InvariantError,
  type Clock,
} from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { QueueFullError } from "./queue-full-error.ts";
import { SingularUpdateQueue } from "./singular-update-queue.ts";

/** A promise the test settles by hand. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Lets every pending promise continuation run (the queue works on microtasks only). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** Records how each promise ended, without unhandled rejections. */
function track<T>(promise: Promise<T>): {
  outcome: "pending" | "ok" | "error";
  value?: T;
  error?: unknown;
} {
  const state: { outcome: "pending" | "ok" | "error"; value?: T; error?: unknown } = {
    outcome: "pending",
  };
  promise.then(
    (value) => Object.assign(state, { outcome: "ok", value }),
    (error: unknown) => Object.assign(state, { outcome: "error", error }),
  );
  return state;
}

describe("SingularUpdateQueue", () => {
  it("handles items one at a time, in submission order, awaiting async handlers to completion", async () => {
    const log: string[] = [];
    let inFlight = 0;
    const queue = new SingularUpdateQueue(async (n: number) => {
      inFlight++;
      expect(inFlight).toBe(1);
      log.push(`start ${n}`);
      for (let i = 0; i < n % 3; i++) await Promise.resolve();
      log.push(`end ${n}`);
      inFlight--;
      return n * 10;
    });
    const results = await Promise.all([1, 2, 3, 4].map((n) => queue.submit(n)));
    expect(results).toEqual([10, 20, 30, 40]);
    expect(log).toEqual([
      "start 1",
      "end 1",
      "start 2",
      "end 2",
      "start 3",
      "end 3",
      "start 4",
      "end 4",
    ]);
    expect(queue.metrics.processed).toBe(4);
    expect(queue.idle).toBe(true);
  });

  it("accepts synchronous handlers and handlers returning thenables", async () => {
    const sync = new SingularUpdateQueue((n: number) => n + 1);
    expect(await sync.submit(1)).toBe(2);
    const thenable = new SingularUpdateQueue(
      (n: number) =>
        ({
          then: (resolve: (value: number) => void) => resolve(n * 2),
        }) as unknown as PromiseLike<number>,
    );
    expect(await thenable.submit(4)).toBe(8);
  });

  it("never runs the handler inside submit", async () => {
    let handled = 0;
    const queue = new SingularUpdateQueue(() => handled++);
    const result = queue.submit(undefined);
    expect(handled).toBe(0);
    await result;
    expect(handled).toBe(1);
  });

  it("fails only the item whose handler throws or rejects", async () => {
    const queue = new SingularUpdateQueue(async (n: number) => {
      if (n === 2) throw new Error("two is bad");
      await Promise.resolve();
      if (n === 3) return Promise.reject(new Error("three is bad"));
      return n;
    });
    const outcomes = await Promise.allSettled([1, 2, 3, 4].map((n) => queue.submit(n)));
    expect(
      outcomes.map((o) => (o.status === "fulfilled" ? o.value : (o.reason as Error).message)),
    ).toEqual([1, "two is bad", "three is bad", 4]);
    expect(queue.metrics).toMatchObject({ processed: 4, failed: 2 });
  });

  it("with overflow reject, refuses submits beyond capacityMax (the item being handled counts)", async () => {
    const blocked = gate();
    const queue = new SingularUpdateQueue(() => blocked.promise, {
      capacityMax: 3,
      overflow: "reject",
    });
    const submits = [1, 2, 3, 4, 5].map((n) => track(queue.submit(n)));
    await settle();
    expect(submits.slice(3).map((s) => s.error)).toEqual([
      expect.any(QueueFullError),
      expect.any(QueueFullError),
    ]);
    const error = submits[3]?.error as QueueFullError;
    expect(error.outcome).toBe("definite");
    expect(error.limit).toBe(3);
    expect(error.message).toMatch(/full \(3 accepted items\)/);
    expect(queue.metrics).toMatchObject({ depth: 3, depthMax: 3, rejectedFull: 2 });
    blocked.open();
    await queue.drain();
    expect(submits.slice(0, 3).map((s) => s.outcome)).toEqual(["ok", "ok", "ok"]);
    expect(await queue.submit(6)).toBeUndefined();
  });

  it("with overflow wait, parks submitters in FIFO order and keeps depth within capacityMax", async () => {
    const gates = [gate(), gate(), gate(), gate(), gate()];
    const handled: number[] = [];
    const queue = new SingularUpdateQueue(
      async (n: number) => {
        handled.push(n);
        await gates[n]?.promise;
        return n;
      },
      { capacityMax: 2, waitingSubmitsMax: 2 },
    );
    const submits = [0, 1, 2, 3, 4].map((n) => track(queue.submit(n)));
    await settle();
    expect(queue.metrics).toMatchObject({ depth: 2, waitingSubmits: 2, rejectedFull: 1 });
    expect(submits[4]?.error).toBeInstanceOf(QueueFullError);
    expect((submits[4]?.error as Error).message).toMatch(/2 waiting submitters/);
    for (const n of [0, 1, 2, 3]) {
      gates[n]?.open();
      await settle();
      expect(queue.metrics.depth).toBeLessThanOrEqual(2);
    }
    expect(handled).toEqual([0, 1, 2, 3]);
    expect(submits.slice(0, 4).map((s) => s.value)).toEqual([0, 1, 2, 3]);
    expect(queue.metrics.depthMax).toBe(2);
  });

  it("keeps submission order when new submits arrive while others wait for space", async () => {
    const blocked = gate();
    const handled: number[] = [];
    const queue = new SingularUpdateQueue(
      async (n: number) => {
        handled.push(n);
        if (n === 0) await blocked.promise;
      },
      { capacityMax: 1 },
    );
    const first = [0, 1, 2].map((n) => queue.submit(n));
    await settle();
    blocked.open();
    const later = [3, 4].map((n) => queue.submit(n));
    await Promise.all([...first, ...later]);
    expect(handled).toEqual([0, 1, 2, 3, 4]);
  });

  it("drain resolves at once when idle, and otherwise when the items submitted before it settle", async () => {
    await new SingularUpdateQueue(() => 1).drain();
    const gates = [gate(), gate()];
    const queue = new SingularUpdateQueue(async (n: number) => gates[n]?.promise);
    const first = track(queue.submit(0));
    const drained = track(queue.drain());
    const second = track(queue.submit(1));
    gates[0]?.open();
    await settle();
    expect([first.outcome, drained.outcome, second.outcome]).toEqual(["ok", "ok", "pending"]);
    const all = track(queue.drain());
    await settle();
    expect(all.outcome).toBe("pending");
    gates[1]?.open();
    await settle();
    expect(all.outcome).toBe("ok");
  });

  it("drain waits for failing items too", async () => {
    const queue = new SingularUpdateQueue(async () => {
      await Promise.resolve();
      throw new Error("no");
    });
    const item = track(queue.submit(1));
    await queue.drain();
    expect(item.outcome).toBe("error");
  });

  it("close on an idle queue resolves at once; later submits reject with ClosedError", async () => {
    const queue = new SingularUpdateQueue((n: number) => n, { name: "queue of athens" });
    await queue.close();
    expect(queue.closed).toBe(true);
    const error = await queue.submit(1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClosedError);
    expect((error as Error).message).toMatch(/queue of athens is closed/);
    await expect(queue.close()).resolves.toBeUndefined();
  });

  it("close finishes accepted items and rejects submitters waiting for space", async () => {
    const blocked = gate();
    const handled: number[] = [];
    const queue = new SingularUpdateQueue(
      async (n: number) => {
        handled.push(n);
        await blocked.promise;
        return n;
      },
      { capacityMax: 2 },
    );
    const submits = [0, 1, 2, 3].map((n) => track(queue.submit(n)));
    await settle();
    const closed = track(queue.close());
    expect(queue.close()).toBe(queue.close());
    await settle();
    expect(submits.slice(2).map((s) => s.error)).toEqual([
      expect.any(ClosedError),
      expect.any(ClosedError),
    ]);
    expect(closed.outcome).toBe("pending");
    blocked.open();
    await settle();
    expect(closed.outcome).toBe("ok");
    expect(handled).toEqual([0, 1]);
    expect(submits.slice(0, 2).map((s) => s.value)).toEqual([0, 1]);
    expect(queue.metrics.cancelled).toBe(2);
  });

  it("close with cancelQueued rejects accepted items not started; the item in flight finishes", async () => {
    const blocked = gate();
    const queue = new SingularUpdateQueue(
      async (n: number) => {
        await blocked.promise;
        return n;
      },
      { capacityMax: 5 },
    );
    const submits = [0, 1, 2].map((n) => track(queue.submit(n)));
    await settle();
    const closed = track(queue.close({ cancelQueued: true }));
    await settle();
    expect(submits.map((s) => s.outcome)).toEqual(["pending", "error", "error"]);
    blocked.open();
    await settle();
    expect(submits[0]?.value).toBe(0);
    expect(closed.outcome).toBe("ok");
    expect(queue.idle).toBe(true);
  });

  it("a second close asking to cancel cancels what the first close let run", async () => {
    const blocked = gate();
    const queue = new SingularUpdateQueue(() => blocked.promise);
    const submits = [0, 1, 2].map((n) => track(queue.submit(n)));
    await settle();
    const first = queue.close();
    const second = queue.close({ cancelQueued: true });
    expect(second).toBe(first);
    blocked.open();
    await first;
    expect(submits.map((s) => s.outcome)).toEqual(["ok", "error", "error"]);
  });

  it("rejects a submit from inside the handler with InvariantError and carries on", async () => {
    let inner: Promise<unknown> | undefined;
    const queue: SingularUpdateQueue<number, number> = new SingularUpdateQueue((n: number) => {
      if (n === 1) inner = queue.submit(99);
      return n;
    });
    expect(await queue.submit(1)).toBe(1);
    await expect(inner).rejects.toBeInstanceOf(InvariantError);
    await expect(inner).rejects.toThrow(/deadlock/);
    expect(await queue.submit(2)).toBe(2);
  });

  it("measures wait and handling times on the injected clock", async () => {
    let nowMs = 0;
    const clock: Clock = { monotonicMs: () => nowMs, wallMs: () => nowMs };
    const gates = [gate(), gate()];
    const queue = new SingularUpdateQueue(async (n: number) => gates[n]?.promise, { clock });
    const items = [queue.submit(0), queue.submit(1)];
    await settle();
    nowMs = 30;
    gates[0]?.open();
    await settle();
    nowMs = 50;
    gates[1]?.open();
    await Promise.all(items);
    expect(queue.metrics).toMatchObject({
      waitMsTotal: 30,
      waitMsMax: 30,
      handlingMsTotal: 50,
      handlingMsMax: 30,
    });
  });

  it("validates its configuration", () => {
    const handler = (n: number) => n;
    for (const options of [
      { capacityMax: 0 },
      { capacityMax: 1.5 },
      { waitingSubmitsMax: -1 },
      { overflow: "drop" as "wait" },
    ]) {
      expect(() => new SingularUpdateQueue(handler, options)).toThrow(InvalidArgumentError);
    }
    expect(() => new SingularUpdateQueue(undefined as unknown as typeof handler)).toThrow(
      InvalidArgumentError,
    );
  });

  it("settles every item once, in order, within its bounds, whatever the handler does", async () => {
    const item = fc.record({
      fails: fc.boolean(),
      ticks: fc.integer({ min: 0, max: 3 }),
      pauseBefore: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(item, { maxLength: 40 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 6 }),
        fc.constantFrom("wait" as const, "reject" as const),
        async (items, capacityMax, waitingSubmitsMax, overflow) => {
          const handled: number[] = [];
          let inFlight = 0;
          const queue = new SingularUpdateQueue(
            async (n: number) => {
              handled.push(n);
              expect(++inFlight).toBe(1);
              for (let i = 0; i < (items[n]?.ticks ?? 0); i++) await Promise.resolve();
              inFlight--;
              if (items[n]?.fails === true) throw new Error(`item ${n}`);
              return n;
            },
            { capacityMax, waitingSubmitsMax, overflow },
          );
          const settled: number[] = [];
          const accepted: number[] = [];
          const promises: Promise<void>[] = [];
          for (const [n, spec] of items.entries()) {
            if (spec.pauseBefore) await Promise.resolve();
            promises.push(
              queue.submit(n).then(
                (value) => {
                  expect(value).toBe(n);
                  settled.push(n);
                  accepted.push(n);
                },
                (error: unknown) => {
                  settled.push(n);
                  if (error instanceof QueueFullError) return;
                  expect((error as Error).message).toBe(`item ${n}`);
                  accepted.push(n);
                },
              ),
            );
            expect(queue.metrics.depth).toBeLessThanOrEqual(capacityMax);
          }
          await queue.drain();
          await Promise.all(promises);
          expect([...settled].sort((a, b) => a - b)).toEqual(items.map((_, n) => n));
          expect(handled).toEqual(accepted.sort((a, b) => a - b));
          expect(queue.metrics.depthMax).toBeLessThanOrEqual(capacityMax);
          expect(queue.metrics.processed + queue.metrics.rejectedFull).toBe(items.length);
        },
      ),
    );
  });
});
