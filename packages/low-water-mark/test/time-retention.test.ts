import { runSeeds, seedsFromEnv } from "@pods/simulation";
import { WriteAheadLog } from "@pods/write-ahead-log";
import { expect, it } from "vitest";
import { LogCleaner, type CleanReport } from "../src/index.ts";
import { bytes, inSimulation, textOf } from "./harness.ts";

// Many seeds of a log kept as data and cleaned by age, while the node's wall clock jumps forward
// and back and drifts, under an owner's rising safety floor. Every pass is checked against the
// clock reading it used: a segment is deleted only if it is sealed, its newest record is more than
// retentionMs older than that reading (so a record from the future, age 0, never is), and it holds
// nothing at or above the floor. At the end, no segment that may go is left behind, and every
// entry kept is intact.

const second = 1000;

it("deletes by age only what the clock and the floor allow, whatever the clock does", async () => {
  await runSeeds(
    seedsFromEnv({ defaultCount: 30 }),
    async (seed) => {
      await inSimulation(seed, async ({ sim, node, env }) => {
        const random = sim.random;
        const retentionMs = random.int(1, 30) * second;
        const wal = await WriteAheadLog.open(env(), { segmentRecordsMax: random.int(1, 6) });
        let floor = 1;
        const cleaner = new LogCleaner(wal, env(), {
          retentionMs,
          cleanIntervalMs: random.int(50, 3 * second),
          safetyFloor: () => floor,
        });
        cleaner.start();
        const checkPass = (report: CleanReport): void => {
          for (const segment of report.deleted) {
            expect(segment.sealed).toBe(true);
            expect(segment.lastIndex).toBeLessThan(report.safetyFloor);
            expect(report.nowMs - segment.newestTimestampMs!).toBeGreaterThan(retentionMs);
          }
        };
        const checked = new Set<CleanReport>();
        sim.addInvariant("a pass deletes only old segments below the floor", () => {
          const report = cleaner.lastReport;
          if (report === undefined || checked.has(report)) return;
          checked.add(report);
          checkPass(report);
        });

        const written = new Map<number, number>(); // index → timestamp
        if (random.chance(0.5)) node.clock.setDriftPpm(random.int(-200_000, 200_000));
        for (let step = 0; step < 150; step++) {
          const choice = random.int(0, 10);
          if (choice < 6) {
            const index = await wal.append({ payload: bytes(`entry ${wal.lastIndex + 1}`) });
            written.set(index, (await wal.read(index)).timestampMs);
          } else if (choice < 8) {
            node.clock.jumpWall(random.int(-3 * retentionMs, 3 * retentionMs));
          } else {
            floor = Math.max(floor, random.int(1, wal.lastIndex + 2));
          }
          await sim.sleep(random.int(1, retentionMs / 4));
        }
        await cleaner.stop();
        const last = await cleaner.clean();
        checkPass(last);

        sim.check(`seed ${seed}: nothing that may go is left, nothing else is gone`, () => {
          const head = wal.segments()[0]!;
          const mayGo =
            head.sealed &&
            last.nowMs - head.newestTimestampMs! > retentionMs &&
            head.lastIndex < floor;
          expect(mayGo).toBe(false);
          expect(wal.firstIndex).toBeLessThanOrEqual(floor);
        });
        for (const [index, timestampMs] of written) {
          if (index < wal.firstIndex) continue;
          const entry = await wal.read(index);
          sim.check(`seed ${seed}: entry ${index} intact`, () => {
            expect(entry.timestampMs).toBe(timestampMs);
            expect(textOf(entry.payload)).toBe(`entry ${index}`);
          });
        }
        await wal.close();
      });
    },
    { file: import.meta.url },
  );
}, 120_000);
