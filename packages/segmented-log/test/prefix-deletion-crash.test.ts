import { CompactedError } from "@pods/core-interfaces";
import { runSeeds, seedsFromEnv } from "@pods/simulation";
import { expect, it } from "vitest";
import { SegmentedLog } from "../src/index.ts";
import { bodyOf, inSimulation, makeRecords, text } from "./harness.ts";

// Power loss at random moments while truncateBefore deletes old segments, with readers watching
// firstIndex and the lowWaterMark of every CompactedError they get: the log that opens after the
// crash never starts below the highest first index any caller saw before it. Removals are slowed
// down (1–1.5 ms each) so that the crash often falls while a file is being removed.

it("firstIndex never falls across a crash during truncateBefore", async () => {
  await runSeeds(
    seedsFromEnv({ defaultCount: 60 }),
    async (seed) => {
      await inSimulation(
        seed,
        async ({ sim, node, env }) => {
          const random = sim.random;
          const options = {
            segmentRecordsMax: random.int(1, 4),
            readHandlesMax: random.int(1, 4),
          };
          const bodyBytes = random.int(0, 40);
          const log = await SegmentedLog.open(env().disk, options);
          await log.append(makeRecords(1, random.int(10, 40), { bodyBytes }));
          await log.sync();

          let crashed = false;
          let highest = log.firstIndex;
          const unexpected: unknown[] = [];
          const observe = (firstIndex: number): void => {
            if (!crashed) highest = Math.max(highest, firstIndex);
          };
          const crashAtMs = sim.now + random.int(0, 4_000) / 100;
          sim.at(crashAtMs, "power loss", () => {
            observe(log.firstIndex);
            crashed = true;
            node.crash();
          });

          const reader = async (): Promise<void> => {
            while (!crashed) {
              observe(log.firstIndex);
              const index = random.int(1, log.lastIndex + 1);
              try {
                const record = await log.read(index);
                if (!crashed && text(record.body) !== text(bodyOf(index, bodyBytes)))
                  unexpected.push(`record ${index} read back as ${text(record.body)}`);
              } catch (error) {
                if (error instanceof CompactedError) observe(error.lowWaterMark);
                else if (!crashed) unexpected.push(error);
              }
              await sim.sleep(random.int(1, 30) / 100);
            }
          };
          const cleaner = async (): Promise<void> => {
            for (;;) {
              if (random.chance(0.3)) {
                const first = log.lastIndex + 1;
                await log.append(makeRecords(first, random.int(1, 6), { bodyBytes }));
                await log.sync();
              }
              const target = random.int(log.firstIndex, log.lastIndex + 2);
              observe(await log.truncateBefore(target));
            }
          };
          for (let n = 0; n < 3; n++) void reader();
          void cleaner();
          await sim.sleep(crashAtMs - sim.now + 1);
          await node.restart();

          const reopened = await SegmentedLog.open(env().disk, options);
          const records = await reopened.readFrom(reopened.firstIndex, Number.MAX_SAFE_INTEGER);
          sim.check("the first index did not fall", () => {
            expect(unexpected).toEqual([]);
            expect(reopened.firstIndex).toBeGreaterThanOrEqual(highest);
            for (const record of records)
              expect(text(record.body)).toBe(text(bodyOf(record.index, bodyBytes)));
          });
        },
        { metadataLatencyMs: 1 },
      );
    },
    { file: import.meta.url },
  );
}, 120_000);
