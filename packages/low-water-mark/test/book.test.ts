import { CompactedError } from "@pods/core-interfaces";
import { WriteAheadLog, type Entry } from "@pods/write-ahead-log";
import { describe, expect, it } from "vitest";
import { LogCleaner, type LowWaterMark } from "../src/index.ts";
import {
  bytes,
  fold,
  inSimulation,
  openStore,
  put,
  putAndApply,
  textOf,
  type KvMachine,
} from "./harness.ts";

// The acceptance scenarios of PATTERNS.md, section 3 (Low-Water Mark), one test each, on the
// simulated disk and clock.

const minute = 60_000;
const hour = 60 * minute;

/** Appends puts k<n> = v<n> for n in [from, to], applying (and noting) those up to `appliedTo`. */
async function appendPuts(
  store: LowWaterMark,
  machine: KvMachine,
  from: number,
  to: number,
  appliedTo = to,
): Promise<void> {
  for (let n = from; n <= to; n++) {
    const payload = put(`k${n}`, `v${n}`);
    const index = await store.wal.append({ payload });
    if (index <= appliedTo) {
      machine.apply(payload);
      store.noteApplied(index);
    }
  }
}

const expectedPayload = (entry: Entry): string =>
  JSON.stringify([`k${entry.index}`, `v${entry.index}`]);

describe("low-water mark: book scenarios", () => {
  it("snapshot-frees-segments", async () => {
    await inSimulation(1, async (context) => {
      const { store, machine } = await openStore(context, {
        wal: { segmentRecordsMax: 5 },
        snapshotEveryEntries: Number.POSITIVE_INFINITY,
      });
      // The owner has applied up to 13 of 18 entries when the snapshot is taken.
      await appendPuts(store, machine, 1, 18, 13);
      expect(store.wal.segments().map((s) => [s.baseIndex, s.lastIndex, s.sealed])).toEqual([
        [1, 5, true], // S1
        [6, 10, true], // S2
        [11, 15, true], // S3
        [16, 18, false], // S4, active
      ]);
      const snapshot = await store.snapshot();
      expect(snapshot?.lastIncludedIndex).toBe(13);
      expect(machine.captured).toEqual([13]);
      expect(store.wal.segments().map((s) => s.baseIndex)).toEqual([11, 16]); // S3 and S4 kept
      expect(store.mark).toBe(14); // everything up to the snapshot's index is compacted
      for (const index of [3, 13]) {
        const error = await store.read(index).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(CompactedError);
        expect((error as CompactedError).lowWaterMark).toBe(14);
      }
      const rest = await store.readFrom(store.mark, 100);
      expect(rest.map((entry) => entry.index)).toEqual([14, 15, 16, 17, 18]);
      expect(rest.map((entry) => textOf(entry.payload))).toEqual(rest.map(expectedPayload));
      expect(await store.catchUp(4, 10)).toMatchObject({ kind: "snapshot", mark: 14, snapshot });
      expect(await store.catchUp(14, 2)).toMatchObject({ kind: "entries", prevIndex: 13 });
      await store.close();
    });
  });

  it("time-retention", async () => {
    await inSimulation(2, async ({ env, sim }) => {
      // A log kept as data (no snapshots), cleaned by age only: retention 1 h.
      const wal = await WriteAheadLog.open(env(), { segmentRecordsMax: 3 });
      const cleaner = new LogCleaner(wal, env(), { retentionMs: hour, cleanIntervalMs: minute });
      cleaner.start();
      const start = sim.now;
      const write = async (count: number): Promise<void> => {
        for (let n = 0; n < count; n++) await wal.append({ payload: bytes(`at ${sim.now}`) });
      };
      await write(3); // S1 at 0 min
      await sim.sleep(45 * minute);
      await write(3); // S2 at 45 min
      await sim.sleep(35 * minute);
      await write(3); // S3 at 80 min
      await sim.sleep(20 * minute);
      await write(2); // S4 (active) at 100 min
      expect(wal.segments().map((s) => s.baseIndex)).toEqual([4, 7, 10]); // S1 went at 60 min
      await sim.sleep(start + 2 * hour - sim.now); // two hours after the first write
      // S2's newest record is 75 min old, S3's 40 min: only S2 (and S1 before it) are gone.
      expect(wal.segments().map((s) => [s.baseIndex, s.sealed])).toEqual([
        [7, true],
        [10, false],
      ]);
      expect(cleaner.mark).toBe(7);
      expect(cleaner.metrics.segmentsDeleted).toBe(2);
      for (const segment of cleaner.lastReport!.deleted) {
        expect(cleaner.lastReport!.nowMs - segment.newestTimestampMs!).toBeGreaterThan(hour);
      }
      await sim.sleep(10 * hour); // the active segment stays, however old
      expect(wal.segments().map((s) => [s.baseIndex, s.sealed])).toEqual([[10, false]]);
      await cleaner.stop();
      await wal.close();
    });
  });

  it("restart-after-clean", async () => {
    await inSimulation(3, async (context) => {
      const options = { wal: { segmentRecordsMax: 4 }, snapshotEveryEntries: 20 };
      const { store, machine } = await openStore(context, options);
      const payloads: Uint8Array[] = [];
      for (let n = 1; n <= 50; n++) {
        payloads.push(put(`key ${n % 7}`, `value ${n}`));
        await putAndApply(store, machine, `key ${n % 7}`, `value ${n}`);
      }
      await context.sim.sleep(5_000); // snapshots at 20 and 40 saved, cleaners ran
      expect(store.snapshots.list().map((s) => s.lastIncludedIndex)).toEqual([20, 40]);
      expect(store.mark).toBe(41);
      const before = machine.toObject();
      context.node.crash();
      await context.node.restart();

      const { store: reopened, machine: restored } = await openStore(context, options);
      expect(reopened.recovery.snapshot?.lastIncludedIndex).toBe(40);
      expect(restored.restored).toEqual([40]);
      expect(reopened.recovery.replayed).toBe(10);
      expect(restored.toObject()).toEqual(before); // snapshot + replay = the state before
      expect(restored.toObject()).toEqual(fold(payloads)); // = replaying every entry
      expect(reopened.lastApplied).toBe(50);
      expect(reopened.mark).toBe(41);
      await reopened.close();
    });
  });

  it("reader-during-clean", async () => {
    await inSimulation(4, async (context) => {
      const { store, machine } = await openStore(context, {
        wal: { segmentRecordsMax: 10, readChunkBytes: 64 }, // about one entry per chunk
        snapshotEveryEntries: Number.POSITIVE_INFINITY,
      });
      // S1 1..10, S2 11..20, S3 21..30, S4 31..35; the owner has applied up to 25.
      await appendPuts(store, machine, 1, 35, 25);
      const early = store.entries(12); // its next chunk will be inside S2 when S2 goes
      const late = store.entries(19); // its chunk reaches into S3, which stays
      const seen = { early: [] as Entry[], late: [] as Entry[] };
      for (let n = 0; n < 2; n++) seen.early.push((await early.next()).value as Entry);
      seen.late.push((await late.next()).value as Entry);
      expect((await store.snapshot())?.lastIncludedIndex).toBe(25);
      expect(store.wal.segments().map((s) => s.baseIndex)).toEqual([21, 31]); // S1, S2 gone
      expect(store.mark).toBe(26);

      const drain = async (iterator: AsyncGenerator<Entry>, into: Entry[]): Promise<unknown> => {
        try {
          for await (const entry of iterator) into.push(entry);
          return "completed";
        } catch (error) {
          return error;
        }
      };
      const outcomes = [await drain(early, seen.early), await drain(late, seen.late)];
      for (const [at, entries] of [seen.early, seen.late].entries()) {
        const first = at === 0 ? 12 : 19;
        // Never a wrong or skipped entry: consecutive from where it started, each the right one.
        expect(entries.map((entry) => entry.index)).toEqual(
          entries.map((_, offset) => first + offset),
        );
        expect(entries.map((entry) => textOf(entry.payload))).toEqual(entries.map(expectedPayload));
        const outcome = outcomes[at];
        if (outcome !== "completed") {
          expect(outcome).toBeInstanceOf(CompactedError);
          expect((outcome as CompactedError).lowWaterMark).toBe(26);
        } else {
          expect(entries.at(-1)!.index).toBe(35);
        }
      }
      expect(outcomes[0]).toBeInstanceOf(CompactedError); // its next chunk was in S2
      expect(outcomes[1]).toBe("completed");
      await store.close();
    });
  });

  it("mark-never-falls", async () => {
    await inSimulation(5, async (context) => {
      const options = { wal: { segmentRecordsMax: 3 }, snapshotEveryEntries: 7 };
      let highest = 0;
      let key = 0;
      const marks: number[] = [];
      for (let cycle = 0; cycle < 3; cycle++) {
        const { store, machine } = await openStore(context, options);
        expect(store.mark).toBeGreaterThanOrEqual(highest); // observed after the restart
        marks.push(store.mark);
        for (let n = 0; n < 20; n++) await putAndApply(store, machine, `k${key++ % 5}`, `v${key}`);
        await context.sim.sleep(3_000); // a snapshot at each 7 entries, then cleaning
        expect(store.mark).toBeGreaterThan(highest);
        highest = store.mark;
        context.node.crash();
        await context.node.restart();
      }
      const { store } = await openStore(context, options);
      expect(store.mark).toBeGreaterThanOrEqual(highest);
      marks.push(store.mark);
      expect(marks).toEqual([...marks].sort((a, b) => a - b));
      await store.close();
    });
  });
});
