import fc from "fast-check";
import { ClosedError, CompactedError, InvalidArgumentError } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import {
  fold,
  inSimulation,
  KvMachine,
  openStore,
  put,
  textOf,
  type SimContext,
} from "../test/harness.ts";
import { LowWaterMark, type Entry, type LowWaterMarkOptions, type Snapshot } from "./index.ts";

// LowWaterMark against a simple in-memory model (the array of every entry ever appended, the
// applied prefix, the snapshots taken), under random appends over many segment rolls, applies,
// snapshots (explicit and triggered), cleaning passes (scheduled and explicit), reads across
// segments, tail truncations, clock jumps, reopens and crashes.

type Command =
  | { readonly kind: "append"; readonly count: number; readonly padBytes: number }
  | { readonly kind: "apply"; readonly upTo: number }
  | { readonly kind: "generation" }
  | { readonly kind: "snapshot" }
  | { readonly kind: "clean" }
  | { readonly kind: "read"; readonly at: number; readonly limit: number }
  | { readonly kind: "truncateTail"; readonly at: number }
  | { readonly kind: "sleep"; readonly ms: number }
  | { readonly kind: "jumpWall"; readonly ms: number }
  | { readonly kind: "reopen" }
  | { readonly kind: "crash" };

const fraction = fc.double({ min: 0, max: 1, noNaN: true });
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant("append" as const),
      count: fc.integer({ min: 1, max: 12 }),
      padBytes: fc.integer({ min: 0, max: 80 }),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("apply" as const),
      upTo: fc.oneof(fc.constant(1), fraction),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "generation" as const }) },
  { weight: 3, arbitrary: fc.constant({ kind: "snapshot" as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: "clean" as const }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("read" as const),
      at: fraction,
      limit: fc.integer({ min: 1, max: 40 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("truncateTail" as const), at: fraction }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("sleep" as const),
      ms: fc.integer({ min: 1, max: 3000 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("jumpWall" as const),
      ms: fc.integer({ min: -10_000, max: 10_000 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "reopen" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "crash" as const }) },
);

const config = fc.record({
  segmentBytesMax: fc.integer({ min: 150, max: 1500 }),
  // Down to the option's minimum, so records often span read chunks.
  readChunkBytes: fc.integer({ min: 64, max: 600 }),
  snapshotEveryEntries: fc.oneof(
    fc.constant(Number.POSITIVE_INFINITY),
    fc.integer({ min: 1, max: 25 }),
  ),
  entriesRetainedAfterSnapshot: fc.integer({ min: 0, max: 12 }),
  snapshotsRetained: fc.integer({ min: 1, max: 3 }),
  retentionMs: fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: 0, max: 5000 })),
  retentionBytesMax: fc.oneof(
    fc.constant(Number.POSITIVE_INFINITY),
    fc.integer({ min: 200, max: 3000 }),
  ),
  cleanIntervalMs: fc.integer({ min: 10, max: 2000 }),
});

interface ModelEntry {
  readonly payload: Uint8Array;
  readonly generation: number;
}

/** The newest snapshot, loaded even if a background save prunes the one asked for meanwhile. */
async function loadNewest(store: LowWaterMark): Promise<Snapshot> {
  for (;;) {
    const meta = store.snapshots.latest()!;
    try {
      return await store.snapshots.load(meta.lastIncludedIndex);
    } catch (error) {
      if (store.snapshots.latest() === meta) throw error;
    }
  }
}

/** Every entry from the mark on; a background clean may raise the mark while reading. */
async function readKept(store: LowWaterMark): Promise<{ from: number; entries: Entry[] }> {
  for (;;) {
    const from = store.mark;
    try {
      return { from, entries: await store.readFrom(from, Number.MAX_SAFE_INTEGER) };
    } catch (error) {
      if (!(error instanceof CompactedError) || store.mark === from) throw error;
    }
  }
}

async function runCommands(
  context: SimContext,
  settings: typeof config extends fc.Arbitrary<infer T> ? T : never,
  commands: readonly Command[],
): Promise<void> {
  const { sim, node } = context;
  const options: Omit<LowWaterMarkOptions, "stateMachine"> = {
    wal: { segmentBytesMax: settings.segmentBytesMax, readChunkBytes: settings.readChunkBytes },
    snapshots: { snapshotsRetained: settings.snapshotsRetained },
    snapshotEveryEntries: settings.snapshotEveryEntries,
    entriesRetainedAfterSnapshot: settings.entriesRetainedAfterSnapshot,
    retentionMs: settings.retentionMs,
    retentionBytesMax: settings.retentionBytesMax,
    cleanIntervalMs: settings.cleanIntervalMs,
  };
  let { store, machine } = await openStore(context, options);
  const log: ModelEntry[] = []; // log[i - 1] is entry i
  let applied = 0;
  let generation = 0;
  let highestMark = 1;
  let highestSnapshot = 0;
  let counter = 0;

  const check = async (): Promise<void> => {
    const wal = store.wal;
    expect(wal.lastIndex).toBe(log.length);
    expect(store.lastApplied).toBe(applied);
    expect(machine.toObject()).toEqual(fold(log.slice(0, applied).map((e) => e.payload)));
    // The mark only rises, is derived from the first segment and the newest snapshot, and never
    // passes the newest snapshot.
    const segments = wal.segments();
    const snapshotMark =
      store.snapshotIndex === 0
        ? 1
        : Math.max(1, store.snapshotIndex + 1 - settings.entriesRetainedAfterSnapshot);
    expect(store.mark).toBe(Math.max(segments[0]!.baseIndex, snapshotMark));
    expect(store.mark).toBeGreaterThanOrEqual(highestMark);
    expect(store.mark).toBeLessThanOrEqual(store.snapshotIndex + 1);
    highestMark = store.mark;
    // Snapshots only move forward, hold the state at their index, and are kept within bounds.
    expect(store.snapshotIndex).toBeGreaterThanOrEqual(highestSnapshot);
    highestSnapshot = store.snapshotIndex;
    expect(store.snapshots.list().length).toBeLessThanOrEqual(settings.snapshotsRetained);
    if (store.snapshotIndex > 0) {
      const snapshot = await loadNewest(store);
      const at = snapshot.lastIncludedIndex;
      expect(JSON.parse(textOf(snapshot.state))).toEqual(
        Object.entries(fold(log.slice(0, at).map((e) => e.payload))),
      );
      expect(snapshot.lastIncludedGeneration).toBe(log[at - 1]!.generation);
      expect(textOf(snapshot.membership)).toBe(`members at ${at}`);
    }
    // No entry at or above the mark is lost; generations match down to the one before the mark.
    expect(wal.generationAt(store.mark - 1)).toBe(log[store.mark - 2]?.generation ?? 0);
    const { from, entries } = await readKept(store);
    expect(entries.map((entry) => entry.index)).toEqual(
      log.slice(from - 1).map((_, at) => from + at),
    );
    expect(entries.map((entry) => textOf(entry.payload))).toEqual(
      log.slice(from - 1).map((entry) => textOf(entry.payload)),
    );
  };

  for (const step of commands) {
    switch (step.kind) {
      case "append": {
        for (let n = 0; n < step.count; n++) {
          const payload = put(`k${counter % 7}`, `v${counter++}${"-".repeat(step.padBytes)}`);
          expect(await store.wal.append({ payload, generation })).toBe(log.length + 1);
          log.push({ payload, generation });
        }
        break;
      }
      case "apply": {
        const upTo = applied + Math.round(step.upTo * (log.length - applied));
        for (let index = applied + 1; index <= upTo; index++) {
          machine.apply(log[index - 1]!.payload);
          store.noteApplied(index, log[index - 1]!.payload.length);
        }
        applied = upTo;
        break;
      }
      case "generation":
        generation++;
        break;
      case "snapshot": {
        const meta = await store.snapshot();
        expect(meta?.lastIncludedIndex ?? 0).toBe(applied);
        break;
      }
      case "clean": {
        const report = await store.clean();
        const snapshotIndex = report.safetyFloor - 1; // the newest snapshot during the pass
        expect(snapshotIndex).toBeLessThanOrEqual(store.snapshotIndex);
        expect(report.snapshotMark).toBe(
          snapshotIndex === 0
            ? 1
            : Math.max(1, snapshotIndex + 1 - settings.entriesRetainedAfterSnapshot),
        );
        const head = store.wal.segments()[0]!;
        expect(!head.sealed || head.lastIndex >= report.target).toBe(true);
        break;
      }
      case "read": {
        // Reads race the background cleaner: below the mark they fail with CompactedError
        // carrying a mark above the index; otherwise they return the right entries or fail so.
        const index = 1 + Math.floor(step.at * log.length);
        const markBefore = store.mark;
        const result = await store.readFrom(index, step.limit).catch((error: unknown) => error);
        if (result instanceof CompactedError) {
          expect(result.lowWaterMark).toBeGreaterThan(index);
          expect(result.lowWaterMark).toBeGreaterThanOrEqual(markBefore);
          expect(result.lowWaterMark).toBeLessThanOrEqual(store.mark);
          const catchUp = await store.catchUp(index, step.limit);
          expect(catchUp.kind).toBe("snapshot");
          if (catchUp.kind === "snapshot") expect(catchUp.mark).toBeGreaterThan(index);
        } else {
          expect(index).toBeGreaterThanOrEqual(markBefore);
          const entries = result as Entry[];
          expect(entries.map((entry) => entry.index)).toEqual(
            log.slice(index - 1, index - 1 + step.limit).map((_, at) => index + at),
          );
          expect(entries.map((entry) => textOf(entry.payload))).toEqual(
            log.slice(index - 1, index - 1 + step.limit).map((entry) => textOf(entry.payload)),
          );
        }
        break;
      }
      case "truncateTail": {
        // Only entries not applied yet can be replaced (a follower's conflicting suffix).
        const index = applied + 1 + Math.floor(step.at * (log.length - applied));
        await store.wal.truncateFrom(index);
        log.length = index - 1;
        break;
      }
      case "sleep":
        await sim.sleep(step.ms);
        break;
      case "jumpWall":
        node.clock.jumpWall(step.ms);
        break;
      case "reopen":
      case "crash": {
        if (step.kind === "reopen") await store.close();
        else node.crash();
        if (step.kind === "crash") await node.restart();
        ({ store, machine } = await openStore(context, options, new KvMachine()));
        applied = log.length; // open restored the newest snapshot and replayed the rest
        expect(machine.restored.length).toBe(store.snapshotIndex > 0 ? 1 : 0);
        break;
      }
    }
    await check();
  }
  await store.close();
}

describe("LowWaterMark against a model", () => {
  it("agrees with the model under random operations, clock jumps, reopens and crashes", async () => {
    await fc.assert(
      fc.asyncProperty(
        config,
        fc.array(command, { minLength: 10, maxLength: 60, size: "max" }),
        fc.integer({ min: 1, max: 1000 }),
        async (settings, commands, seed) => {
          await inSimulation(seed, (context) => runCommands(context, settings, commands));
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);
});

describe("LowWaterMark", () => {
  it("validates its options before touching the disk", async () => {
    await inSimulation(1, async (context) => {
      const env = context.env();
      const machine = new KvMachine();
      for (const options of [
        {},
        { stateMachine: { capture: machine.capture.bind(machine) } },
        { stateMachine: machine, snapshotEveryEntries: 0 },
        { stateMachine: machine, entriesRetainedAfterSnapshot: -1 },
        { stateMachine: machine, cleanIntervalMs: -5 },
        { stateMachine: machine, safetyFloor: 3 },
      ]) {
        await expect(
          LowWaterMark.open(env, options as unknown as LowWaterMarkOptions),
        ).rejects.toThrow(InvalidArgumentError);
      }
      expect(await env.disk.exists("wal")).toBe(false);
      expect(await env.disk.exists("snapshots")).toBe(false);
    });
  });

  it("refuses misuse with typed errors", async () => {
    await inSimulation(2, async (context) => {
      const { store, machine } = await openStore(context);
      const index = await store.wal.append({ payload: put("a", "1") });
      machine.apply(put("a", "1"));
      expect(() => store.noteApplied(2)).toThrow(InvalidArgumentError);
      store.noteApplied(index);
      expect(() => store.noteApplied(0)).toThrow(InvalidArgumentError);
      expect(() => store.noteApplied(1, -1)).toThrow(InvalidArgumentError);
      await expect(store.catchUp(3, 10)).rejects.toThrow(InvalidArgumentError);
      await expect(store.installSnapshot(9)).rejects.toThrow(InvalidArgumentError);
      await store.close();
      await store.close();
      expect(() => store.noteApplied(1)).toThrow(ClosedError);
      expect(() => store.snapshot()).toThrow(ClosedError);
    });
  });
});

describe("LowWaterMark: a follower that fell below the mark", () => {
  it("is sent the snapshot, installs it from a stream, then catches up with entries", async () => {
    await inSimulation(3, async (context) => {
      const leader = await openStore(context, {
        wal: { dir: "leader/wal", segmentRecordsMax: 4 },
        snapshots: { dir: "leader/snapshots" },
        snapshotEveryEntries: 10,
      });
      const follower = await openStore(context, {
        wal: { dir: "follower/wal", segmentRecordsMax: 4 },
        snapshots: { dir: "follower/snapshots" },
        snapshotEveryEntries: 10,
      });
      const copy = async (from: number, to: number): Promise<void> => {
        for (let index = from; index <= to; index++) {
          const entry = await leader.store.read(index);
          await follower.store.wal.appendAt({ ...entry });
          follower.machine.apply(entry.payload);
          follower.store.noteApplied(index);
        }
      };
      for (let n = 1; n <= 45; n++) {
        const payload = put(`k${n % 4}`, `v${n}`);
        await leader.store.wal.append({ payload, generation: n > 20 ? 2 : 1 });
        leader.machine.apply(payload);
        leader.store.noteApplied(n);
        if (n === 3) await copy(1, 3); // the follower gets only the first three entries
      }
      await leader.store.snapshot();
      await leader.store.clean();
      expect(leader.store.snapshotIndex).toBe(45);
      expect(leader.store.mark).toBe(46);

      const answer = await leader.store.catchUp(4, 100);
      expect(answer.kind).toBe("snapshot");
      if (answer.kind !== "snapshot") return;
      const reader = await leader.store.snapshots.openReader(answer.snapshot.lastIncludedIndex);
      const receiver = follower.store.snapshots.receive(reader.meta.fileBytes);
      for (let offset = 0; offset < reader.meta.fileBytes; offset += 100) {
        await receiver.write(offset, await reader.read(offset, 100));
      }
      await reader.close();
      const meta = await receiver.finish();
      expect(await follower.store.installSnapshot(meta.lastIncludedIndex)).toBe(true);
      expect(await follower.store.installSnapshot(meta.lastIncludedIndex)).toBe(false);
      expect(follower.machine.toObject()).toEqual(leader.machine.toObject());
      expect(follower.store.lastApplied).toBe(45);
      expect(follower.store.wal.firstIndex).toBe(46); // the old log was reset
      expect(follower.store.wal.generationAt(45)).toBe(2);
      expect(follower.store.mark).toBe(46);

      for (let n = 46; n <= 50; n++) {
        const payload = put(`k${n % 4}`, `v${n}`);
        await leader.store.wal.append({ payload });
        leader.machine.apply(payload);
        leader.store.noteApplied(n);
      }
      const rest = await leader.store.catchUp(46, 100);
      expect(rest).toMatchObject({ kind: "entries", prevIndex: 45, prevGeneration: 2 });
      await copy(46, 50);
      expect(follower.machine.toObject()).toEqual(leader.machine.toObject());
      await leader.store.close();
      await follower.store.close();
    });
  });

  it("keeps the entries after an installed snapshot that its log already holds", async () => {
    await inSimulation(4, async (context) => {
      const { store, machine } = await openStore(context, { snapshotEveryEntries: 1000 });
      for (let n = 1; n <= 12; n++) await store.wal.append({ payload: put("k", `v${n}`) });
      for (let n = 1; n <= 3; n++) machine.apply(put("k", `v${n}`));
      store.noteApplied(3);
      // A snapshot of the same history at 8, as a leader would send it.
      const state = new TextEncoder().encode(JSON.stringify([["k", "v8"]]));
      const meta = await store.snapshots.save({
        lastIncludedIndex: 8,
        lastIncludedGeneration: 0,
        state,
      });
      expect(await store.installSnapshot(meta.lastIncludedIndex)).toBe(true);
      expect(store.wal.lastIndex).toBe(12); // 9..12 kept
      expect(machine.toObject()).toEqual({ k: "v8" });
      expect(store.mark).toBe(9);
      await expect(store.read(8)).rejects.toThrow(CompactedError);
      expect(textOf((await store.read(9)).payload)).toBe(JSON.stringify(["k", "v9"]));
      await store.close();
    });
  });

  it("recovers from a crash during an install: the log restarts after the snapshot", async () => {
    await inSimulation(5, async (context) => {
      const options = { wal: { segmentRecordsMax: 2 }, snapshotEveryEntries: 1000 };
      const { store } = await openStore(context, options);
      for (let n = 1; n <= 9; n++)
        await store.wal.append({ payload: put("k", `v${n}`), generation: 1 });
      const state = new TextEncoder().encode(JSON.stringify([["k", "leader"]]));
      await store.snapshots.save({ lastIncludedIndex: 30, lastIncludedGeneration: 3, state });
      // The install's reset deletes the old segments newest first; power fails part way.
      context.node.disk.failNext("remove", "wal/wal-00000000000000000003.log");
      await expect(store.installSnapshot(30)).rejects.toThrow();
      context.node.crash();
      await context.node.restart();

      const { store: reopened, machine } = await openStore(context, options);
      expect(reopened.recovery.logReset).toBe(true);
      expect(reopened.recovery.replayed).toBe(0);
      expect(machine.toObject()).toEqual({ k: "leader" });
      expect(reopened.wal.firstIndex).toBe(31);
      expect(reopened.wal.generationAt(30)).toBe(3);
      expect(reopened.mark).toBe(31);
      await reopened.close();
    });
  });
});
