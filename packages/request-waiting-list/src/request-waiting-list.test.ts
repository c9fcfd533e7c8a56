import {
  ClosedError,
  InvalidArgumentError,
  InvariantError,
  TimeoutError,
  UnreachableError,
} from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualTime } from "../test/manual-time.ts";
import { LeadershipLostError, WaitingListFullError } from "./errors.ts";
import {
  RequestWaitingList,
  type RequestCallback,
  type RequestWaitingListOptions,
} from "./request-waiting-list.ts";

/** A callback that records every call, so a test can prove each entry settled exactly once. */
class Recorder<Result> {
  readonly calls: { key: string; outcome: "ok" | "error"; value: unknown; atMs: number }[] = [];
  constructor(readonly time: ManualTime) {}
  for(key: string | number): RequestCallback<Result> {
    return {
      onComplete: (value) =>
        this.calls.push({ key: String(key), outcome: "ok", value, atMs: this.time.nowMs }),
      onFailure: (error) =>
        this.calls.push({
          key: String(key),
          outcome: "error",
          value: error,
          atMs: this.time.nowMs,
        }),
    };
  }
}

function setup<K extends string | number = string, R = string>(
  options: Partial<RequestWaitingListOptions> = {},
) {
  const time = new ManualTime();
  const list = new RequestWaitingList<K, R>({
    clock: time.clock,
    scheduler: time.scheduler,
    ...options,
  });
  return { time, list, recorder: new Recorder<R>(time) };
}

describe("RequestWaitingList", () => {
  it("completes an entry with its first reply, once, and ignores later replies", () => {
    const { list, recorder } = setup();
    list.add("a", recorder.for("a"));
    expect(list.has("a")).toBe(true);
    expect(list.handleResponse("a", "answer", "athens")).toBe(true);
    expect(list.handleResponse("a", "again", "athens")).toBe(false);
    expect(list.handleResponse("nobody", "x")).toBe(false);
    expect(list.handleError("a", new Error("late"))).toBe(false);
    expect(recorder.calls).toEqual([{ key: "a", outcome: "ok", value: "answer", atMs: 0 }]);
    expect(list.metrics).toMatchObject({ pending: 0, completed: 1, ignoredResponses: 3 });
    expect(list.has("a")).toBe(false);
  });

  it("fails an entry with the error routed to it", () => {
    const { list, recorder } = setup();
    list.add("a", recorder.for("a"));
    const error = new Error("refused");
    expect(list.handleError("a", error, "byzantium")).toBe(true);
    expect(recorder.calls).toEqual([{ key: "a", outcome: "error", value: error, atMs: 0 }]);
    expect(list.metrics).toMatchObject({ pending: 0, failed: 1 });
  });

  it("lets a collector decide when the entry is done", () => {
    const { list, recorder } = setup<string, number>();
    let sum = 0;
    list.add("sum", recorder.for("sum"), {
      collector: {
        onResponse: (n) => ((sum += n) >= 10 ? { kind: "complete", result: sum } : undefined),
        onError: () => undefined,
      },
    });
    list.handleResponse("sum", 4);
    list.handleError("sum", new Error("ignored by the collector"));
    list.handleResponse("sum", 7);
    expect(recorder.calls.map((c) => c.value)).toEqual([11]);
  });

  it("expires an entry with an indefinite TimeoutError once now - created >= timeout", () => {
    const { time, list, recorder } = setup({ timeoutMs: 900, name: "proposal" });
    const stackTraceLimit = Error.stackTraceLimit;
    time.advanceTo(137);
    list.add("p", recorder.for("p"));
    expect(list.expiresAtMs("p")).toBe(1037);
    time.advanceTo(137 + 899.9);
    expect(recorder.calls).toEqual([]);
    time.advanceTo(137 + 900);
    const [call] = recorder.calls;
    expect(call?.atMs).toBe(1037);
    expect(call?.value).toBeInstanceOf(TimeoutError);
    expect((call?.value as TimeoutError).outcome).toBe("indefinite");
    expect((call?.value as TimeoutError).message).toMatch(/^proposal p timed out after 900 ms/);
    expect((call?.value as TimeoutError).timeoutMs).toBe(900);
    expect(Error.stackTraceLimit).toBe(stackTraceLimit);
    expect(list.size).toBe(0);
    expect(list.handleResponse("p", "too late")).toBe(false);
    expect(list.metrics).toMatchObject({ expired: 1, ignoredResponses: 1, completed: 0 });
  });

  it("takes a per-entry timeout, and expires at most tickMs late", () => {
    const { time, list, recorder } = setup({ timeoutMs: 1000, tickMs: 10 });
    time.advanceTo(3);
    list.add("short", recorder.for("short"), { timeoutMs: 100 });
    list.add("long", recorder.for("long"));
    expect(list.expiresAtMs("short")).toBe(110);
    time.advanceTo(2000);
    expect(recorder.calls.map((c) => [c.key, c.atMs])).toEqual([
      ["short", 110],
      ["long", 1010],
    ]);
  });

  it("refuses a duplicate key with InvariantError and leaves the first entry alone", () => {
    const { list, recorder } = setup();
    list.add("a", recorder.for("a"));
    expect(() => list.add("a", recorder.for("a"))).toThrow(InvariantError);
    list.handleResponse("a", "first");
    expect(recorder.calls).toHaveLength(1);
    list.add("a", recorder.for("a")); // settled keys may be reused
    expect(list.size).toBe(1);
  });

  it("refuses entries beyond pendingMax", () => {
    const { list, recorder } = setup({ pendingMax: 2 });
    list.add("a", recorder.for("a"));
    list.add("b", recorder.for("b"));
    let error: unknown;
    try {
      list.add("c", recorder.for("c"));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(WaitingListFullError);
    expect((error as WaitingListFullError).outcome).toBe("definite");
    list.handleResponse("a", "x");
    list.add("c", recorder.for("c"));
    expect(list.size).toBe(2);
  });

  it("validates keys, timeouts and configuration", () => {
    const { list, recorder } = setup<string | number>();
    expect(() => list.add(Number.NaN, recorder.for("nan"))).toThrow(InvalidArgumentError);
    expect(() => list.add("a", recorder.for("a"), { timeoutMs: 0 })).toThrow(InvalidArgumentError);
    const indexed = setup<number>({ keyedBy: "index" }).list;
    for (const key of [-1, 1.5, 2 ** 53]) {
      expect(() => indexed.add(key, recorder.for(key))).toThrow(InvalidArgumentError);
    }
    const time = new ManualTime();
    const ports = { clock: time.clock, scheduler: time.scheduler };
    for (const options of [
      { timeoutMs: -1 },
      { timeoutMs: Number.POSITIVE_INFINITY },
      { tickMs: 0 },
      { pendingMax: 0 },
      { pendingMax: 1.5 },
      { keyedBy: "hash" as "id" },
    ]) {
      expect(() => new RequestWaitingList({ ...ports, ...options })).toThrow(InvalidArgumentError);
    }
    expect(
      () => new RequestWaitingList({ clock: time.clock } as RequestWaitingListOptions),
    ).toThrow(InvalidArgumentError);
    expect(() => list.completeUpTo(1, () => "x")).toThrow(/keyedBy: "index"/);
  });

  it("completes the prefix up to an index in ascending order; later indexes wait", () => {
    const { list, recorder } = setup<number>({ keyedBy: "index" });
    for (const index of [7, 4, 3, 5]) list.add(index, recorder.for(index));
    expect(list.lowestPendingKey).toBe(3);
    expect(list.completeUpTo(5, (index) => `applied ${index}`)).toBe(3);
    expect(recorder.calls.map((c) => c.value)).toEqual(["applied 3", "applied 4", "applied 5"]);
    expect(list.has(7)).toBe(true);
    expect(list.lowestPendingKey).toBe(7);
    expect(list.completeUpTo(6, () => "x")).toBe(0);
  });

  it("skips entries that settled otherwise, and leaves the rest pending if resultOf throws", () => {
    const { list, recorder } = setup<number>({ keyedBy: "index" });
    for (const index of [1, 2, 3, 4]) list.add(index, recorder.for(index));
    list.handleError(2, new Error("overwritten"));
    expect(() =>
      list.completeUpTo(4, (index) => {
        if (index === 3) throw new Error("no result");
        return `r${index}`;
      }),
    ).toThrow("no result");
    expect(recorder.calls.map((c) => c.key)).toEqual(["2", "1"]);
    expect(list.lowestPendingKey).toBe(3);
    expect(list.completeUpTo(4, (index) => `r${index}`)).toBe(2);
    expect(list.size).toBe(0);
  });

  it("keeps prefix completion right while settled entries are compacted out of the index heap", () => {
    const { list, recorder } = setup<number, number>({ keyedBy: "index", pendingMax: 10_000 });
    for (let index = 0; index < 6000; index++) list.add(index, recorder.for(index));
    for (let index = 0; index < 6000; index++) if (index % 5 !== 0) list.handleError(index, "gone");
    expect(list.size).toBe(1200);
    expect(list.lowestPendingKey).toBe(0);
    const before = recorder.calls.length;
    expect(list.completeUpTo(2999, (index) => index)).toBe(600);
    const completed = recorder.calls.slice(before).map((c) => c.value);
    expect(completed).toEqual(Array.from({ length: 600 }, (_, i) => i * 5));
    expect(list.lowestPendingKey).toBe(3000);
  });

  it("fails everything with failAll: ascending by index, by insertion otherwise", () => {
    const indexed = setup<number>({ keyedBy: "index" });
    for (const index of [9, 2, 5]) indexed.list.add(index, indexed.recorder.for(index));
    const lost = new LeadershipLostError("byzantium");
    expect(indexed.list.failAll(lost)).toBe(3);
    expect(indexed.recorder.calls.map((c) => [c.key, c.value])).toEqual([
      ["2", lost],
      ["5", lost],
      ["9", lost],
    ]);
    expect(lost.outcome).toBe("indefinite");
    expect(lost.message).toMatch(/retry idempotently against node "byzantium"/);

    const byId = setup();
    for (const key of ["z", "a", "m"]) byId.list.add(key, byId.recorder.for(key));
    byId.list.failAll(new Error("x"));
    expect(byId.recorder.calls.map((c) => c.key)).toEqual(["z", "a", "m"]);
    expect(byId.time.scheduled).toBe(1); // the stale wake-up stays; it finds nothing
    byId.time.advanceTo(60_000);
    expect(byId.list.metrics.expired).toBe(0);
  });

  it("settles each entry once even when callbacks settle other entries during failAll", () => {
    const { list } = setup();
    const settled: string[] = [];
    list.add("a", {
      onComplete: () => undefined,
      onFailure: () => {
        settled.push("a");
        list.handleResponse("b", "answered by a's callback");
      },
    });
    list.add("b", {
      onComplete: () => settled.push("b ok"),
      onFailure: () => settled.push("b failed"),
    });
    expect(list.failAll(new Error("x"))).toBe(1);
    expect(settled).toEqual(["a", "b ok"]);
  });

  it("close fails pending entries with ClosedError, cancels the wake-up and refuses adds", () => {
    const { time, list, recorder } = setup();
    list.add("a", recorder.for("a"));
    list.close();
    list.close();
    expect(list.closed).toBe(true);
    expect(recorder.calls.map((c) => c.value)).toEqual([expect.any(ClosedError)]);
    expect(time.scheduled).toBe(0);
    expect(() => list.add("b", recorder.for("b"))).toThrow(ClosedError);
    expect(list.handleResponse("a", "late")).toBe(false);
  });

  it("trySend settles the entry at once when the send throws", () => {
    const { list, recorder } = setup();
    list.add("a", recorder.for("a"));
    const unreachable = new UnreachableError("cyrene", "link refused");
    expect(
      list.trySend("a", "cyrene", () => {
        throw unreachable;
      }),
    ).toBe(false);
    expect(recorder.calls.map((c) => c.value)).toEqual([unreachable]);
    list.add("b", recorder.for("b"));
    expect(list.trySend("b", "cyrene", () => undefined)).toBe(true);
    expect(list.has("b")).toBe(true);
  });

  it("wait returns a promise that settles like the callback, and rejects when add fails", async () => {
    const { time, list } = setup({ timeoutMs: 50 });
    const answered = list.wait("a");
    const expired = list.wait("b");
    const duplicate = list.wait("a");
    list.handleResponse("a", "yes");
    time.advanceTo(50);
    await expect(answered).resolves.toBe("yes");
    await expect(expired).rejects.toBeInstanceOf(TimeoutError);
    await expect(duplicate).rejects.toBeInstanceOf(InvariantError);
  });

  it("runs expiry passes through runExpiry", () => {
    const passes: (() => void)[] = [];
    const { time, list, recorder } = setup({
      timeoutMs: 10,
      runExpiry: (pass) => passes.push(pass),
    });
    list.add("a", recorder.for("a"));
    time.advanceTo(10);
    expect(recorder.calls).toEqual([]);
    expect(passes).toHaveLength(1);
    passes[0]?.();
    expect(recorder.calls.map((c) => c.key)).toEqual(["a"]);
  });

  it("settles every entry exactly once whatever happens, completing index prefixes in order", () => {
    const step = fc.oneof(
      fc.record({ op: fc.constant("add" as const), timeoutMs: fc.integer({ min: 1, max: 200 }) }),
      fc.record({ op: fc.constant("respond" as const), pick: fc.nat() }),
      fc.record({ op: fc.constant("error" as const), pick: fc.nat() }),
      fc.record({ op: fc.constant("complete" as const), upTo: fc.nat({ max: 80 }) }),
      fc.record({ op: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 50 }) }),
      fc.record({ op: fc.constant("failAll" as const) }),
    );
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 150 }),
        fc.shuffledSubarray(
          Array.from({ length: 80 }, (_, i) => i),
          { minLength: 80 },
        ),
        (steps, indexes) => {
          const { time, list, recorder } = setup<number>({ keyedBy: "index", tickMs: 5 });
          const added: number[] = [];
          const deadlines = new Map<number, number>();
          for (const s of steps) {
            const pending = added.filter((index) => list.has(index));
            switch (s.op) {
              case "add": {
                const index = indexes[added.length];
                if (index === undefined) break;
                list.add(index, recorder.for(index), { timeoutMs: s.timeoutMs });
                added.push(index);
                deadlines.set(index, time.nowMs + s.timeoutMs);
                break;
              }
              case "respond":
              case "error": {
                const index = pending[s.pick % Math.max(1, pending.length)] ?? 999;
                if (s.op === "respond") list.handleResponse(index, `reply ${index}`);
                else list.handleError(index, new Error(`error ${index}`));
                break;
              }
              case "complete": {
                const before = recorder.calls.length;
                list.completeUpTo(s.upTo, (index) => `applied ${index}`);
                const completed = recorder.calls.slice(before).map((c) => Number(c.key));
                expect(completed).toEqual(pending.filter((i) => i <= s.upTo).sort((a, b) => a - b));
                break;
              }
              case "advance":
                time.advanceTo(time.nowMs + s.ms);
                break;
              case "failAll":
                list.failAll(new Error("all"));
                break;
            }
            expect(list.size).toBe(added.filter((index) => list.has(index)).length);
          }
          time.advanceTo(time.nowMs + 300);
          const keys = recorder.calls.map((c) => Number(c.key));
          expect([...keys].sort((a, b) => a - b)).toEqual([...added].sort((a, b) => a - b));
          for (const call of recorder.calls) {
            if (call.value instanceof TimeoutError) {
              const deadline = deadlines.get(Number(call.key)) as number;
              expect(call.atMs).toBeGreaterThanOrEqual(deadline);
              expect(call.atMs).toBeLessThan(deadline + 5);
            }
          }
          expect(list.size).toBe(0);
        },
      ),
    );
  });
});
