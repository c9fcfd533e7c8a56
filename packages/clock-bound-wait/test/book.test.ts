import { TimeoutError } from "@pods/core-interfaces";
import { compareHybridTimestamps, hybridTimestamp, type HybridClock } from "@pods/hybrid-clock";
import { describe, expect, it } from "vitest";
import {
  ClockBound,
  CommitWaitStore,
  PendingWrites,
  ReadRestartError,
  ReadRestartStore,
  readWithRestarts,
  UncertaintyWindow,
  waitMarginMs,
  type UncertainGet,
} from "../src/index.ts";
import {
  hybridClock,
  hybridStore,
  rejection,
  testbed,
  type HybridStore,
  type TestNode,
} from "./testbed.ts";

// The acceptance scenarios of PATTERNS.md, "22. Clock-Bound Wait", one test each. Wall clocks
// start at 1000 ms of true time; node offsets and error bounds are the scenarios' own.

/** A commit-wait node over a shared store and pending-write registry. */
function commitWaitNode(
  { env }: TestNode,
  id: string,
  shared: { store: HybridStore; pending: PendingWrites },
  errorBoundMs: number,
) {
  const bound = new ClockBound({ clock: env.clock, errorBoundMs, errorBoundMsMax: 100 });
  const clock = hybridClock(env.clock, id);
  return new CommitWaitStore({ ...shared, clock, bound, scheduler: env.scheduler });
}

describe("clock-bound wait: the book's scenarios", () => {
  it("external-consistency", async () => {
    const { sim, nodes } = await testbed({
      green: { offsetMs: 1 },
      amber: { offsetMs: -2 },
      blue: { offsetMs: 0 },
    });
    const shared = { store: hybridStore(), pending: new PendingWrites() };
    const green = commitWaitNode(nodes.green, "green", shared, 1);
    const amber = commitWaitNode(nodes.amber, "amber", shared, 3);
    const blue = commitWaitNode(nodes.blue, "blue", shared, 2);

    // Commit wait on: Philip's write via Green is acknowledged only once it is past everywhere.
    const [written] = await sim.runUntilSettled([green.put("title", "After Dawn")]);
    const [alice, bob] = await sim.runUntilSettled([amber.get("title"), blue.get("title")]);
    expect(alice.result?.value).toBe("After Dawn");
    expect(bob.result?.value).toBe("After Dawn");
    expect(compareHybridTimestamps(alice.readTs, written.version)).toBeGreaterThan(0);

    // Commit wait off: Green stamps the write the same way but acknowledges it at once. Amber's
    // clock lags, so Alice's read right after the acknowledgement misses it.
    const greenClock = nodes.green.env.clock;
    const naiveVersion = hybridClock(greenClock, "green").update(
      hybridTimestamp(Math.ceil(greenClock.wallMs() + 1), 0),
    );
    shared.store.putAt("title", naiveVersion, "Before Dusk");
    const [missed] = await sim.runUntilSettled([amber.get("title")]);
    expect(compareHybridTimestamps(missed.readTs, naiveVersion)).toBeLessThan(0);
    expect(missed.result?.value).toBe("After Dawn");
  });

  it("wait-length", async () => {
    for (const offsetMs of [0, 0.4, -2.75]) {
      for (const errorBoundMs of [1, 5, 20, 80]) {
        const { sim, nodes } = await testbed({ athens: { offsetMs } });
        const shared = { store: hybridStore(), pending: new PendingWrites() };
        const athens = commitWaitNode(nodes.athens, "athens", shared, errorBoundMs);
        const [{ waitedMs }] = await sim.runUntilSettled([athens.put("k", "v")]);
        // Twice the bound, plus the rounding of latest up to a whole millisecond (the
        // timestamp's resolution) and the timer's margin: less than one millisecond in all.
        expect(waitedMs).toBeGreaterThanOrEqual(2 * errorBoundMs);
        expect(waitedMs).toBeLessThan(2 * errorBoundMs + 1 + waitMarginMs);
      }
    }
  });

  it("read-waits-for-pending", async () => {
    // Athens writes with a 20 ms bound (a 40 ms commit wait); Byzantium's clock is 15 ms ahead,
    // within its 16 ms bound, so its read timestamp is above the write's while its own clock
    // wait (32 ms) ends first. Cyrene's clock is 60 ms ahead (bound 80): its write is above.
    const { sim, nodes } = await testbed({
      athens: {},
      byzantium: { offsetMs: 15 },
      cyrene: { offsetMs: 60 },
    });
    const shared = { store: hybridStore(), pending: new PendingWrites() };
    const athens = commitWaitNode(nodes.athens, "athens", shared, 20);
    const byzantium = commitWaitNode(nodes.byzantium, "byzantium", shared, 16);
    const cyrene = commitWaitNode(nodes.cyrene, "cyrene", shared, 80);

    const write = athens.put("k", "pending below");
    const blocked = byzantium.get("k");
    const [read, written] = await sim.runUntilSettled([blocked, write]);
    expect(compareHybridTimestamps(written.version, read.readTs)).toBeLessThan(0);
    expect(read.result?.value).toBe("pending below");
    expect(read.waitedMs).toBeCloseTo(written.waitedMs, 9); // released by the write's completion

    const later = cyrene.put("k", "pending above");
    await sim.runFor(1);
    const [free] = await sim.runUntilSettled([athens.get("k")]);
    expect(shared.pending.size).toBe(1);
    expect(compareHybridTimestamps(shared.pending.list()[0]!.version, free.readTs)).toBeGreaterThan(
      0,
    );
    expect(free.result?.value).toBe("pending below");
    // Its own clock wait (twice the 20 ms bound, plus rounding to a whole ms), nothing more.
    expect(free.waitedMs).toBeGreaterThanOrEqual(40);
    expect(free.waitedMs).toBeLessThan(41 + waitMarginMs);
    await sim.runUntilSettled([later]);
  });

  it("read-restart", async () => {
    const { nodes } = await testbed({
      athens: {},
      byzantium: { offsetMs: -5 },
      cyrene: { offsetMs: 5 },
    });
    const reader = hybridClock(nodes.athens.env.clock, "athens", 10);
    const writer = hybridClock(nodes.byzantium.env.clock, "byzantium", 10);
    const { store, server: storage } = readRestartNode(nodes.cyrene, "cyrene");

    // The writer (clock 995) commits account-101 = 1000; the storage node (1005) stamps it.
    const version = storage.put("account-101", 1000, writer.now());
    expect(version.wallMs).toBe(1005);

    // The reader (clock 1000) reads at 1000: the value's timestamp is above its read time, so a
    // plain read would miss it — instead the read restarts above 1005 and returns 1000.
    const window = new UncertaintyWindow({ clock: reader, maxOffsetMs: 10 });
    expect(window.readTs.wallMs).toBe(1000);
    expect(store.get("account-101", window.readTs)).toBeUndefined();
    const answers: UncertainGet<number>[] = [];
    const read = await readWithRestarts(window, "cyrene", async (request) => {
      answers.push(await storage.get("account-101", request));
      return answers.at(-1)!;
    });
    expect(answers[0]).toMatchObject({ kind: "restart", restartAt: version });
    expect(read.attempts).toBe(2);
    expect(read.result.entry?.value).toBe(1000);
    expect(compareHybridTimestamps(read.result.readTs, version)).toBeGreaterThanOrEqual(0);
  });

  it("restarts-exhausted", async () => {
    // The key is replicated on five nodes; the reader asks a different replica on each attempt,
    // so no replica's observed timestamp caps its window, and a writer on Byzantium (the
    // fastest clock) writes a new version inside the window before every attempt.
    const replicas = ["byzantium", "cyrene", "delphi", "ephesus", "sparta"] as const;
    const { nodes } = await testbed({
      athens: {},
      byzantium: { offsetMs: 5 },
      cyrene: { offsetMs: 2 },
      delphi: {},
      ephesus: { offsetMs: -3 },
      sparta: { offsetMs: 1 },
    });
    const store = hybridStore<number>();
    const servers = replicas.map((id) => readRestartNode(nodes[id], id, store));
    const write = (value: number): void => {
      const version = servers[0]!.server.put("account-101", value);
      for (const { clock } of servers.slice(1)) clock.update(version); // replication applies it
    };
    const reader = hybridClock(nodes.athens.env.clock, "athens", 10);
    const window = new UncertaintyWindow({ clock: reader, maxOffsetMs: 10 });

    let attempts = 0;
    let value = 1000;
    const read = async (): Promise<never> => {
      for (let replica = 0; ; replica++) {
        write(value++);
        attempts++;
        const id = replicas[replica]!;
        const answer = await servers[replica]!.server.get("account-101", window.requestFor(id));
        window.observe(id, answer.observedTs);
        expect(answer.kind).toBe("restart");
        if (answer.kind === "restart") window.restart(answer);
      }
    };
    const error = await rejection(read());
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).cause).toBeInstanceOf(ReadRestartError);
    expect(attempts).toBe(5);
    expect(window.attempts).toBe(5);
  });
});

/** A read-restart storage node on its own hybrid clock. */
function readRestartNode(
  { env }: TestNode,
  id: string,
  store = hybridStore<number>(),
): { store: typeof store; clock: HybridClock; server: ReadRestartStore<number> } {
  const clock = hybridClock(env.clock, id, 10);
  return { store, clock, server: new ReadRestartStore({ store, clock, scheduler: env.scheduler }) };
}
