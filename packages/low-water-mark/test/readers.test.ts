import { CompactedError } from "@pods/core-interfaces";
import { runSeeds, seedsFromEnv } from "@pods/simulation";
import type { Entry } from "@pods/write-ahead-log";
import { expect, it } from "vitest";
import { inSimulation, openStore, put, textOf } from "./harness.ts";

// Many seeds of readers iterating over the log (in small chunks, from random places) while the
// owner keeps appending and applying, snapshots are taken and the cleaner deletes the segments
// under them. Every reader either reaches the end it aimed for or stops with CompactedError
// carrying a mark above the entry it could not read; it never yields a wrong or skipped entry.

it("readers complete or stop with CompactedError during cleaning, never wrong", async () => {
  await runSeeds(
    seedsFromEnv({ defaultCount: 30 }),
    async (seed) => {
      await inSimulation(seed, async (context) => {
        const { sim } = context;
        const random = sim.random;
        const { store, machine } = await openStore(context, {
          wal: { segmentRecordsMax: random.int(2, 8), readChunkBytes: 64 + random.int(0, 300) },
          snapshotEveryEntries: random.int(3, 20),
          entriesRetainedAfterSnapshot: random.int(0, 5),
          cleanIntervalMs: random.int(1, 20),
        });
        const payloads = new Map<number, string>();
        let stop = false;
        const writer = (async () => {
          for (let n = 0; !stop; n++) {
            const payload = put(`k${n % 9}`, `v${n} ${"x".repeat(random.int(0, 40))}`);
            const appended = store.wal.append({ payload });
            payloads.set(store.wal.lastIndex, textOf(payload)); // readable once written
            const index = await appended;
            machine.apply(payload);
            store.noteApplied(index);
          }
        })();

        let completed = 0;
        let compacted = 0;
        const readers = Array.from({ length: 8 }, (_, reader) =>
          (async () => {
            await sim.sleep(random.int(0, 200));
            const until = store.wal.writtenIndex;
            const from = Math.max(store.mark, until - random.int(0, 40));
            if (from > until) {
              completed++; // nothing to read yet
              return;
            }
            const seen: Entry[] = [];
            let outcome: unknown = "completed";
            try {
              for await (const entry of store.entries(from)) {
                seen.push(entry);
                if (entry.index >= until) break;
                if (random.chance(0.3)) await sim.sleep(random.int(1, 10)); // a slow consumer
              }
            } catch (error) {
              outcome = error;
            }
            sim.check(`seed ${seed} reader ${reader}: consecutive, correct entries`, () => {
              expect(seen.map((entry) => entry.index)).toEqual(seen.map((_, at) => from + at));
              for (const entry of seen) {
                expect(textOf(entry.payload)).toBe(payloads.get(entry.index));
              }
              if (outcome === "completed") {
                expect(seen.at(-1)?.index).toBe(until);
                completed++;
              } else {
                expect(outcome).toBeInstanceOf(CompactedError);
                const next = from + seen.length;
                expect((outcome as CompactedError).lowWaterMark).toBeGreaterThan(next);
                compacted++;
              }
            });
          })(),
        );
        await Promise.all(readers);
        stop = true;
        await writer;
        sim.check(`seed ${seed}: every reader ended`, () => {
          expect(completed + compacted).toBe(8);
        });
        await store.close();
      });
    },
    { file: import.meta.url },
  );
}, 120_000);
