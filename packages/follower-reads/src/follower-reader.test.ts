import { ClosedError, InvalidArgumentError } from "@pods/core-interfaces";
import { Simulation } from "@pods/simulation";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ReplicaLaggingError, TooStaleError } from "./errors.ts";
import { FollowerReader } from "./follower-reader.ts";
import type { FollowerReaderOptions } from "./options.ts";
import { ReplicaProgressTracker } from "./replica-progress.ts";

/** A reader on the simulator's virtual time, over a tracker the test applies by hand. */
function setup(options: Partial<FollowerReaderOptions> = {}) {
  const sim = new Simulation({ seed: 1 });
  const progress = new ReplicaProgressTracker({ clock: sim.clock });
  const reader = new FollowerReader({
    progress,
    clock: sim.clock,
    scheduler: sim.scheduler,
    nodeId: "byzantium",
    ...options,
  });
  /** The replica's state: the version its state machine reached. */
  const read = (minVersion?: number, extra: { maxStalenessMs?: number } = {}) => {
    const outcome: {
      result?: { value: number; version: number; waitedMs: number };
      error?: unknown;
    } = {};
    reader
      .read((version) => version * 10, {
        ...(minVersion === undefined ? {} : { minVersion }),
        ...extra,
      })
      .then(
        (result) => (outcome.result = result),
        (error: unknown) => (outcome.error = error),
      );
    return outcome;
  };
  return { sim, progress, reader, read };
}

describe("FollowerReader", () => {
  it("serves at once from applied state when it is recent enough", async () => {
    const { progress, reader } = setup();
    progress.applied(3);
    await expect(reader.read((version) => `state at ${version}`)).resolves.toEqual({
      value: "state at 3",
      version: 3,
      waitedMs: 0,
    });
    await expect(reader.read(() => "x", { minVersion: 3 })).resolves.toMatchObject({ version: 3 });
    expect(reader.metrics).toMatchObject({ served: 2, servedAfterWait: 0, waiting: 0 });
  });

  it("parks a read until its version is applied, in version order", async () => {
    const { sim, progress, reader, read } = setup();
    const order: number[] = [];
    const at5 = read(5);
    const at2 = read(2);
    const alsoAt5 = read(5);
    void reader.read(() => order.push(7), { minVersion: 7 });
    expect(reader.waitingVersions()).toEqual([2, 5, 7]);
    expect(reader.metrics.waiting).toBe(4);

    await sim.runFor(10);
    progress.applied(1);
    await sim.runFor(0);
    expect([at2.result, at5.result]).toEqual([undefined, undefined]);
    progress.applied(6); // reaches 2 and 5 at once; the state seen is version 6
    await sim.runFor(0);
    expect(at2.result).toEqual({ value: 60, version: 6, waitedMs: 10 });
    expect(at5.result?.version).toBe(6);
    expect(alsoAt5.result?.version).toBe(6);
    expect(reader.waitingVersions()).toEqual([7]);
    progress.applied(7);
    await sim.runFor(0);
    expect(order).toEqual([7]);
    expect(reader.metrics).toMatchObject({ served: 4, servedAfterWait: 4, waiting: 0 });
  });

  it("fails a read with ReplicaLaggingError once followerWaitTimeoutMs has passed, never before", async () => {
    const { sim, progress, reader, read } = setup({ followerWaitTimeoutMs: 5000 });
    progress.applied(1);
    const first = read(2);
    await sim.runFor(3000);
    const second = read(2); // same version, its own deadline
    await sim.runFor(1999);
    expect(first.error).toBeUndefined();
    await sim.runFor(1);
    expect(first.error).toBeInstanceOf(ReplicaLaggingError);
    expect(first.error).toMatchObject({
      reason: "wait-timeout",
      minVersion: 2,
      appliedVersion: 1,
      waitedMs: 5000,
      nodeId: "byzantium",
      outcome: "definite",
    });
    expect((first.error as Error).message).toMatch(/retry on another replica or the leader/);
    expect(second.error).toBeUndefined();
    expect(reader.waitingVersions()).toEqual([2]);
    await sim.runFor(2999);
    expect(second.error).toBeUndefined();
    await sim.runFor(1);
    expect(second.error).toMatchObject({ reason: "wait-timeout", waitedMs: 5000 });
    expect(reader.metrics).toMatchObject({ lagging: 2, waiting: 0 });
    expect(reader.waitingVersions()).toEqual([]);
  });

  it("with lag behaviour redirect, refuses at once", async () => {
    const { progress, reader } = setup({ lagBehaviour: "redirect" });
    progress.applied(1);
    await expect(reader.read(() => 0, { minVersion: 2 })).rejects.toMatchObject({
      code: "REPLICA_LAGGING",
      reason: "redirect",
      waitedMs: 0,
    });
    await expect(reader.read(() => 0, { minVersion: 1 })).resolves.toMatchObject({ version: 1 });
  });

  it("refuses a read beyond waitingReadsMax", async () => {
    const { reader } = setup({ waitingReadsMax: 2 });
    void reader.read(() => 0, { minVersion: 1 }).catch(() => undefined);
    void reader.read(() => 0, { minVersion: 1 }).catch(() => undefined);
    await expect(reader.read(() => 0, { minVersion: 3 })).rejects.toMatchObject({
      reason: "too-many-waiting",
    });
    reader.close();
  });

  it("bounds staleness by the last contact with the leader", async () => {
    const { sim, progress, reader, read } = setup();
    await expect(reader.read(() => 0, { maxStalenessMs: 100 })).rejects.toBeInstanceOf(
      TooStaleError,
    );
    progress.leaderContact(2); // fresh, but versions 1 and 2 are not applied: it waits for them
    const bounded = read(undefined, { maxStalenessMs: 100 });
    await sim.runFor(30);
    expect(reader.lag()).toEqual({
      appliedVersion: 0,
      committedVersion: 2,
      versionsBehind: 2,
      msSinceLeaderContact: 30,
    });
    progress.applied(2);
    await sim.runFor(0);
    expect(bounded.result).toEqual({ value: 20, version: 2, waitedMs: 30 });

    await sim.runFor(70); // 100 ms since the contact: still within the bound
    await expect(reader.read(() => 0, { maxStalenessMs: 100 })).resolves.toMatchObject({
      version: 2,
    });
    await sim.runFor(1);
    const refused = read(undefined, { maxStalenessMs: 100 });
    await sim.runFor(0);
    expect(refused.error).toMatchObject({ code: "TOO_STALE", msSinceLeaderContact: 101 });
    expect((refused.error as Error).message).toMatch(/last heard from the leader 101 ms ago/);

    progress.leaderContact(3); // contact, then the apply comes too late for the bound
    const late = read(undefined, { maxStalenessMs: 100 });
    await sim.runFor(150);
    progress.applied(3);
    await sim.runFor(0);
    expect(late.error).toBeInstanceOf(TooStaleError);
    expect(reader.metrics.tooStale).toBe(3);
  });

  it("serves linearizable reads at the leader's read index", async () => {
    let readIndex = 4;
    const { sim, progress, reader } = setup({ readIndex: () => Promise.resolve(readIndex) });
    progress.applied(3);
    const result = reader.read((version) => version, { linearizable: true });
    await sim.runFor(1);
    expect(reader.waitingVersions()).toEqual([4]);
    progress.applied(4);
    await expect(result).resolves.toMatchObject({ value: 4 });
    readIndex = 2;
    await expect(
      reader.read((v) => v, { linearizable: true, minVersion: 3 }),
    ).resolves.toMatchObject({
      value: 4,
    });
    const { reader: without } = setup();
    await expect(without.read(() => 0, { linearizable: true })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  it("rejects with what the read function throws, and keeps serving", async () => {
    const { sim, progress, reader } = setup();
    const failing = reader
      .read(
        () => {
          throw new Error("no such table");
        },
        { minVersion: 1 },
      )
      .catch((error: unknown) => error);
    const fine = reader.read((version) => version, { minVersion: 1 });
    progress.applied(1);
    await sim.runFor(0);
    expect(await failing).toEqual(new Error("no such table"));
    await expect(fine).resolves.toMatchObject({ value: 1 });
  });

  it("fails waiting reads with ClosedError on close, and refuses later ones", async () => {
    const { sim, progress, reader, read } = setup();
    const waiting = read(1);
    reader.close();
    reader.close();
    await sim.runFor(0);
    expect(waiting.error).toBeInstanceOf(ClosedError);
    expect(reader.closed).toBe(true);
    await expect(reader.read(() => 0)).rejects.toBeInstanceOf(ClosedError);
    progress.applied(1); // no longer listened to
    expect(reader.metrics.waiting).toBe(0);
  });

  it("validates its options and each read's", async () => {
    const sim = new Simulation({ seed: 1 });
    const progress = new ReplicaProgressTracker({ clock: sim.clock });
    const base = { progress, clock: sim.clock, scheduler: sim.scheduler };
    for (const bad of [
      { followerWaitTimeoutMs: 0 },
      { followerWaitTimeoutMs: Number.NaN },
      { lagBehaviour: "bounce" as "wait" },
      { waitingReadsMax: 0 },
      { nodeId: "not an id" },
      { progress: undefined as unknown as ReplicaProgressTracker },
      { clock: undefined as unknown as typeof sim.clock },
    ]) {
      expect(() => new FollowerReader({ ...base, ...bad })).toThrow(InvalidArgumentError);
    }
    const reader = new FollowerReader(base);
    await expect(reader.read(() => 0, { minVersion: -1 })).rejects.toThrow(/minVersion must be/);
    await expect(reader.read(() => 0, { minVersion: 1.5 })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(reader.read(() => 0, { maxStalenessMs: 0 })).rejects.toThrow(/maxStalenessMs/);
  });

  it("settles every read exactly once: served at or above its version, or refused after its full wait", async () => {
    const step = fc.oneof(
      fc.record({
        kind: fc.constant("read" as const),
        minVersion: fc.integer({ min: 0, max: 12 }),
      }),
      fc.record({ kind: fc.constant("apply" as const), by: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ kind: fc.constant("wait" as const), ms: fc.integer({ min: 0, max: 400 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), async (steps) => {
        const { sim, progress, reader } = setup({ followerWaitTimeoutMs: 500 });
        const reads: {
          minVersion: number;
          startMs: number;
          settled: number;
          version?: number;
          error?: unknown;
          atMs?: number;
        }[] = [];
        for (const s of steps) {
          if (s.kind === "read") {
            const record: (typeof reads)[number] = {
              minVersion: s.minVersion,
              startMs: sim.now,
              settled: 0,
            };
            reads.push(record);
            reader
              .read((version) => version, { minVersion: s.minVersion })
              .then(
                (result) => {
                  record.settled++;
                  record.version = result.value;
                  record.atMs = sim.now;
                  expect(result.version).toBe(result.value);
                },
                (error: unknown) => {
                  record.settled++;
                  record.error = error;
                  record.atMs = sim.now;
                },
              );
          } else if (s.kind === "apply") progress.applied(progress.appliedVersion + s.by);
          else await sim.runFor(s.ms);
        }
        await sim.runFor(0);
        const pending = reads.filter((read) => read.settled === 0);
        expect(reader.metrics.waiting).toBe(pending.length);
        for (const read of pending) {
          expect(read.minVersion).toBeGreaterThan(progress.appliedVersion);
          expect(sim.now - read.startMs).toBeLessThan(500);
        }
        progress.applied(Math.max(12, progress.appliedVersion));
        await sim.runFor(0);
        for (const read of reads) {
          expect(read.settled).toBe(1);
          if (read.error === undefined)
            expect(read.version).toBeGreaterThanOrEqual(read.minVersion);
          else {
            expect(read.error).toBeInstanceOf(ReplicaLaggingError);
            expect((read.atMs ?? 0) - read.startMs).toBeGreaterThanOrEqual(500);
            expect((read.atMs ?? 0) - read.startMs).toBeLessThanOrEqual(501);
          }
        }
        expect(reader.metrics.waiting).toBe(0);
      }),
      { numRuns: 100 },
    );
  });
});
