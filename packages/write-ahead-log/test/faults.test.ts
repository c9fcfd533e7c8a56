import { CorruptionError } from "@pods/core-interfaces";
import { runSeeds, seedsFromEnv } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import { bytes, indexesIn, inSimulation, offsetOf, openLog, textOf } from "./harness.ts";

// Damage injected into synced and unsynced regions of the log, over many seeds: a bit flip in any
// record but the very last is a CorruptionError naming that record; a damaged or half-written last
// record is a torn tail, cut and reported; a repair cuts at the damage and returns what it lost.

const options = { segmentBytesMax: 600 };

describe("damage on the simulated disk", () => {
  it("a flipped bit is corruption, unless nothing valid follows it", async () => {
    await runSeeds(
      seedsFromEnv({ defaultCount: 60 }),
      async (seed) => {
        await inSimulation(seed, async (context) => {
          const { node, sim } = context;
          const random = sim.random;
          const count = random.int(3, 25);
          const wal = await openLog(context, options);
          for (let n = 1; n <= count; n++) {
            await wal.append({ payload: bytes(`entry ${n} ${"y".repeat(random.int(0, 60))}`) });
          }
          const segments = wal.segments();
          await wal.close();
          const victim = random.int(1, count + 1);
          const segment = segments.find(
            (info) => info.baseIndex <= victim && victim <= info.lastIndex,
          )!;
          const image = node.disk.readRaw(segment.file).durable;
          const start = offsetOf(image, victim);
          const end = victim === segment.lastIndex ? image.length : offsetOf(image, victim + 1);
          node.disk.flipBit(segment.file, random.int(start, end), random.int(0, 8));

          const outcome = await openLog(context, options).catch((error: unknown) => error);
          sim.check(`victim ${victim} of ${count}`, () => {
            if (victim === count) {
              expect(outcome).not.toBeInstanceOf(Error);
              const reopened = outcome as Awaited<ReturnType<typeof openLog>>;
              expect(reopened.lastIndex).toBe(count - 1);
              expect(reopened.recovery.tornTail).toMatchObject({
                file: segment.file,
                offset: start,
              });
            } else {
              expect(outcome).toBeInstanceOf(CorruptionError);
              expect(outcome).toMatchObject({ file: segment.file, offset: start, index: victim });
            }
          });
        });
      },
      { file: import.meta.url },
    );
  }, 60_000);

  it("a write torn anywhere is cut back to the last whole entry", async () => {
    await runSeeds(
      seedsFromEnv({ defaultCount: 40 }),
      async (seed) => {
        await inSimulation(seed, async (context) => {
          const { node, sim } = context;
          const random = sim.random;
          const wal = await openLog(context);
          const synced = random.int(1, 12);
          for (let n = 1; n <= synced; n++) await wal.append({ payload: bytes(`synced ${n}`) });
          await wal.close();
          const unsynced = await openLog(context, { sync: "none" });
          await unsynced.appendBatch(
            Array.from({ length: random.int(1, 6) }, (_, n) => ({
              payload: bytes(`unsynced ${n}`),
            })),
          );
          const path = unsynced.segments()[0]!.file;
          const current = node.disk.readRaw(path).current;
          const syncedEnd = offsetOf(current, synced + 1);
          const cut = random.int(syncedEnd + 1, current.length);
          const file = await context.env().disk.open(path);
          await file.truncate(cut);
          await file.sync();
          node.crash();
          await node.restart();
          const reopened = await openLog(context);
          const whole = indexesIn(current.subarray(0, cut));
          sim.check("cut back to the last whole entry", () => {
            expect(reopened.lastIndex).toBe(whole.at(-1));
            expect(reopened.lastIndex).toBeGreaterThanOrEqual(synced);
            const end = offsetOf(current, reopened.lastIndex + 1);
            // A cut exactly between two entries leaves nothing torn.
            expect(reopened.recovery.tornTail?.offset).toBe(end === cut ? undefined : end);
          });
        });
      },
      { file: import.meta.url },
    );
  }, 60_000);

  it("repair mode cuts at the damage and reports the entries it lost", async () => {
    await inSimulation(7, async (context) => {
      const wal = await openLog(context, options);
      for (let n = 1; n <= 30; n++) await wal.append({ payload: bytes(`entry ${n}`) });
      const segments = wal.segments();
      await wal.close();
      const damaged = segments[1]!;
      const image = context.node.disk.readRaw(damaged.file).durable;
      const victim = damaged.baseIndex + 1;
      context.node.disk.flipBit(damaged.file, offsetOf(image, victim) + 40, 0);
      await expect(openLog(context, options)).rejects.toBeInstanceOf(CorruptionError);

      const replayed: number[] = [];
      const repaired = await openLog(context, {
        ...options,
        repair: "truncate-at-corruption",
        replay: (entry) => replayed.push(entry.index),
      });
      expect(repaired.lastIndex).toBe(victim - 1);
      expect(replayed).toEqual(Array.from({ length: victim - 1 }, (_, at) => at + 1));
      const repair = repaired.recovery.repair!;
      expect(repair).toMatchObject({ file: damaged.file, index: victim });
      expect(repair.lostEntries.map((entry) => entry.index)).toEqual(
        Array.from({ length: 30 - victim }, (_, at) => victim + 1 + at),
      );
      expect(textOf(repair.lostEntries[0]!.payload)).toBe(`entry ${victim + 1}`);
      expect(await repaired.append({ payload: bytes("after the repair") })).toBe(victim);
      await repaired.close();
      const again = await openLog(context, options);
      expect(again.lastIndex).toBe(victim);
      expect(again.segments().map((segment) => segment.baseIndex)).toEqual(
        segments.slice(0, 2).map((segment) => segment.baseIndex),
      );
    });
  });
});
