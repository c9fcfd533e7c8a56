import { ClockOffsetError, InvalidArgumentError, type Scheduler } from "@pods/core-interfaces";
import { compareHybridTimestamps, hybridTimestamp, type HybridTimestamp } from "@pods/hybrid-clock";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FixedClock, hybridClock, hybridStore, rejection, testbed } from "../test/testbed.ts";
import { PendingWrites } from "./pending-writes.ts";
import { ReadRestartStore } from "./read-restart-store.ts";

const ts = (wallMs: number, logical = 0, nodeId = "w") => hybridTimestamp(wallMs, logical, nodeId);
const request = (readTs: HybridTimestamp, uncertaintyLimit: HybridTimestamp) => ({
  readTs,
  uncertaintyLimit,
});

/** A scheduler for reads that never wait: using it is a test failure. */
const noWaits: Scheduler = {
  after: () => {
    throw new Error("this read should not have waited");
  },
};

function storage(wall = 1000) {
  const store = hybridStore();
  const clock = hybridClock(new FixedClock(wall), "storage", 100);
  const server = new ReadRestartStore({ store, clock, scheduler: noWaits });
  return { store, clock, server };
}

describe("ReadRestartStore", () => {
  it("answers a value when the window is empty, and a restart at the newest version in it", async () => {
    const { store, server } = storage();
    store.putAt("k", ts(990), "old");
    expect(await server.get("k", request(ts(1000), ts(1011)))).toMatchObject({
      kind: "value",
      readTs: ts(1000),
      entry: { value: "old", version: ts(990) },
    });
    store.putAt("k", ts(1004), "newer");
    store.putAt("k", ts(1007), "newest");
    expect(await server.get("k", request(ts(1000), ts(1011)))).toMatchObject({
      kind: "restart",
      readTs: ts(1000),
      restartAt: ts(1007),
      key: "k",
    });
    expect(server.restartStats).toEqual({ reads: 2, restarts: 1 });
  });

  it("bounds the window exactly: (readTs, uncertaintyLimit]", async () => {
    const { store, server } = storage();
    store.putAt("at-read", ts(1000), "a");
    store.putAt("at-limit", ts(1011), "b");
    store.putAt("above", ts(1011, 1), "c");
    const window = request(ts(1000), ts(1011));
    expect(await server.get("at-read", window)).toMatchObject({
      kind: "value",
      entry: { value: "a" },
    });
    expect(await server.get("at-limit", window)).toMatchObject({
      kind: "restart",
      restartAt: ts(1011),
    });
    expect(await server.get("above", window)).toMatchObject({ kind: "value", entry: undefined });
  });

  it("stamps writes after the writer's timestamp, and later writes after every read timestamp", async () => {
    const { clock, server } = storage();
    const written = server.put("k", "v", ts(1020, 4, "writer"));
    expect(written).toEqual(ts(1020, 5, "storage"));
    const read = await server.get("k", request(ts(1050, 0, "reader"), ts(1061)));
    expect(compareHybridTimestamps(read.observedTs, ts(1050, 0, "reader"))).toBeGreaterThan(0);
    expect(compareHybridTimestamps(server.delete("k"), ts(1050, 0, "reader"))).toBeGreaterThan(0);
    expect(clock.peek().wallMs).toBe(1050);
  });

  it("refuses a read timestamp too far ahead of its clock", async () => {
    const { server } = storage();
    expect(await rejection(server.get("k", request(ts(1200), ts(1300))))).toBeInstanceOf(
      ClockOffsetError,
    );
    expect(() => server.put("k", "v", ts(1200))).toThrow(ClockOffsetError);
  });

  it("waits for an intent of the key in the window, then restarts at its commit", async () => {
    const { sim, nodes } = await testbed({ storage: {} });
    const { env } = nodes.storage;
    const store = hybridStore();
    const pending = new PendingWrites();
    const clock = hybridClock(env.clock, "storage", 100);
    const server = new ReadRestartStore({ store, clock, scheduler: env.scheduler, pending });
    const intent = pending.add("k", clock.now());
    const above = pending.add("k", ts(1020));
    const other = pending.add("other", ts(1001));
    sim.at(7, "commit the intent", () => {
      store.putAt("k", intent.version, "committed");
      intent.resolve();
    });
    const [answer] = await sim.runUntilSettled([server.get("k", request(ts(999), ts(1011)))]);
    expect(sim.now).toBe(7);
    expect(answer).toMatchObject({ kind: "restart", restartAt: intent.version });
    expect([above.resolved, other.resolved]).toEqual([false, false]);
  });

  it("checks every key of a range visible at either end of the window", async () => {
    const { store, server } = storage();
    store.putAt("a", ts(990), "a");
    store.putAt("b", ts(990), "b");
    const window = request(ts(1000), ts(1011));
    expect(await server.range("a", "z", window)).toMatchObject({
      kind: "values",
      entries: [{ key: "a" }, { key: "b" }],
      resumeFrom: undefined,
    });
    store.deleteAt("b", ts(1003)); // visible at the read timestamp only
    expect(await server.range("a", "z", window)).toMatchObject({ kind: "restart", key: "b" });
    expect(await server.range("a", "b", window)).toMatchObject({ kind: "values" });
    store.putAt("c", ts(1005), "c"); // visible at the limit only
    expect(await server.range("c", undefined, window)).toMatchObject({
      kind: "restart",
      key: "c",
      restartAt: ts(1005),
    });
    store.putAt("d", ts(1002), "d");
    store.deleteAt("d", ts(1004)); // visible at neither end: absent either way
    expect(await server.range("d", undefined, window)).toMatchObject({
      kind: "values",
      entries: [],
    });
  });

  it("pages a range by the lower end of its two scans", async () => {
    const { store, server } = storage();
    for (const key of ["a", "c", "e"]) store.putAt(key, ts(990), key);
    store.putAt("b", ts(1020), "b"); // above the window
    store.putAt("d", ts(1020), "d");
    const window = request(ts(1000), ts(1011));
    const first = await server.range("a", undefined, window, { limit: 2 });
    expect(first).toMatchObject({ kind: "values", resumeFrom: "c\0" });
    expect(first.kind === "values" && first.entries.map((entry) => entry.key)).toEqual(["a", "c"]);
    const second = await server.range("c\0", undefined, window, { limit: 2 });
    expect(second).toMatchObject({
      kind: "values",
      entries: [{ key: "e" }],
      resumeFrom: undefined,
    });
  });

  it("validates requests and keys", async () => {
    const { server } = storage();
    expect(
      await rejection(server.get("k", request({ wallMs: -1 } as never, ts(1)))),
    ).toBeInstanceOf(InvalidArgumentError);
    expect(await rejection(server.range("a", 3 as never, request(ts(1), ts(2))))).toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(() => server.put("x".repeat(5000), "v")).toThrow(InvalidArgumentError);
  });

  it("restarts exactly when the key has a version in the window, and otherwise reads the floor", async () => {
    const write = fc.record({
      key: fc.constantFrom("a", "b", "c"),
      wallMs: fc.integer({ min: 980, max: 1030 }),
      logical: fc.integer({ min: 0, max: 2 }),
      node: fc.constantFrom("x", "y"),
      deleted: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(write, { maxLength: 25 }),
        fc.integer({ min: 980, max: 1030 }),
        fc.integer({ min: 0, max: 20 }),
        async (writes, readMs, widthMs) => {
          const { store, server } = storage(1030);
          const model = new Map<string, HybridTimestamp>();
          for (const { key, wallMs, logical, node, deleted } of writes) {
            const version = ts(wallMs, logical, node);
            const id = `${key}@${wallMs}.${logical}.${node}`;
            if (model.has(id)) continue;
            model.set(id, version);
            if (deleted) store.deleteAt(key, version);
            else store.putAt(key, version, id);
          }
          const readTs = ts(readMs, 1, "");
          const limit = ts(readMs + widthMs, 1, "");
          const inWindow = (key: string) =>
            [...model]
              .filter(
                ([id, version]) =>
                  id.startsWith(`${key}@`) &&
                  compareHybridTimestamps(version, readTs) > 0 &&
                  compareHybridTimestamps(version, limit) <= 0,
              )
              .map(([, version]) => version)
              .sort(compareHybridTimestamps);
          for (const key of ["a", "b", "c"]) {
            const answer = await server.get(key, request(readTs, limit));
            const uncertain = inWindow(key);
            if (uncertain.length > 0) {
              expect(answer).toMatchObject({ kind: "restart", restartAt: uncertain.at(-1) });
            } else {
              expect(answer).toMatchObject({ kind: "value", entry: store.get(key, readTs) });
            }
          }
          const range = await server.range("a", undefined, request(readTs, limit));
          if (range.kind === "values") {
            // No restart: the range reads the same at both ends of the window.
            expect(range.entries).toEqual(store.range("a", undefined, { atVersion: limit }));
          } else {
            expect(inWindow(range.key).at(-1)).toEqual(range.restartAt);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
