import { runSeeds, seedsFromEnv } from "@pods/simulation";
import { expect, it } from "vitest";
import type { LowWaterMark } from "../src/index.ts";
import { fold, inSimulation, KvMachine, openStore, put, textOf } from "./harness.ts";

// Many seeds of a key-value store applying puts while snapshots are saved and segments cleaned in
// the background, with power loss at random moments (mid-append, mid-snapshot-save, mid-rename,
// mid-prune, mid-deletion), in both crash modes of the simulated disk. After every restart:
// - no acknowledged entry is lost, and nothing never written appears;
// - the state rebuilt from the newest snapshot plus replay equals replaying the whole log, and
//   equals the state before the crash when nothing unacknowledged survived;
// - the low-water mark never falls, and no entry at or above it is ever lost;
// - the newest snapshot never goes back.

/** One seed of the scenario; resolves with the run's trace hash. */
function crashScenario(seed: number): Promise<string> {
  return inSimulation(
    seed,
    async (context) => {
      const { sim, node } = context;
      const random = sim.random;
      const options = {
        wal: { segmentBytesMax: 300 + random.int(0, 900) },
        snapshots: { snapshotsRetained: random.int(1, 4), snapshotChunkBytes: 4096 },
        snapshotEveryEntries: random.int(2, 16),
        entriesRetainedAfterSnapshot: random.int(0, 6),
        cleanIntervalMs: random.int(2, 40),
      };
      const submitted = new Map<number, Uint8Array>(); // the latest payload given each index
      let acked = 0; // every index up to here was acknowledged durable
      let highestMark = 1;
      let highestSnapshot = 0;
      let current: LowWaterMark | undefined;
      let stateAtCrash: Record<string, string> = {};
      sim.addInvariant("the low-water mark never falls", () => {
        if (current === undefined || !node.isUp) return;
        expect(current.mark).toBeGreaterThanOrEqual(highestMark);
        highestMark = current.mark;
        expect(current.snapshotIndex).toBeGreaterThanOrEqual(highestSnapshot);
        highestSnapshot = current.snapshotIndex;
      });

      for (let cycle = 0; cycle < 5; cycle++) {
        const clean = cycle === 4; // the last restart follows a clean close
        const { store, machine } = await openStore(context, options, new KvMachine());
        current = store;
        const lastIndex = store.wal.lastIndex;
        sim.check(`seed ${seed} cycle ${cycle}: the log`, () => {
          expect(lastIndex).toBeGreaterThanOrEqual(acked);
          expect(store.mark).toBeLessThanOrEqual(store.snapshotIndex + 1);
        });
        const expected = fold(Array.from({ length: lastIndex }, (_, at) => submitted.get(at + 1)!));
        sim.check(`seed ${seed} cycle ${cycle}: snapshot + replay = the whole log`, () => {
          expect(machine.toObject()).toEqual(expected);
          expect(store.lastApplied).toBe(lastIndex);
          expect(machine.restored.length).toBe(store.snapshotIndex > 0 ? 1 : 0);
          if (lastIndex === acked) expect(machine.toObject()).toEqual(stateAtCrash);
        });
        const kept = await store.readFrom(store.mark, Number.MAX_SAFE_INTEGER);
        sim.check(`seed ${seed} cycle ${cycle}: nothing at or above the mark is lost`, () => {
          expect(kept.map((entry) => entry.index)).toEqual(kept.map((_, at) => store.mark + at));
          expect(store.mark + kept.length - 1).toBe(lastIndex);
          for (const entry of kept) {
            expect(textOf(entry.payload)).toBe(textOf(submitted.get(entry.index)!));
          }
        });
        acked = lastIndex;

        const stopAtMs = sim.now + random.int(5, 120);
        let stopped = false;
        void (async () => {
          for (let n = 0; !stopped; n++) {
            const payload = put(
              `k${random.int(0, 12)}`,
              `c${cycle} n${n} ${"v".repeat(random.int(0, 200))}`,
            );
            const done = store.wal.append({ payload });
            submitted.set(store.wal.lastIndex, payload);
            const index = await done;
            acked = index;
            machine.apply(payload);
            store.noteApplied(index, payload.length);
          }
        })();
        await sim.sleep(stopAtMs - sim.now);
        if (clean) {
          stopped = true;
          await sim.sleep(20); // let the last append finish
          const before = machine.toObject();
          await store.close();
          const { store: reopened, machine: restored } = await openStore(context, options);
          sim.check(`seed ${seed}: after a clean close the state is the same`, () => {
            expect(restored.toObject()).toEqual(before);
            expect(reopened.mark).toBeGreaterThanOrEqual(highestMark);
          });
          await reopened.close();
        } else {
          stateAtCrash = machine.toObject();
          node.crash();
          current = undefined;
          await node.restart();
        }
      }
      return sim.traceHash;
    },
    { crashMode: seed % 2 === 0 ? "prefix" : "any", sectorBytes: 64 },
  );
}

it("rebuilds the same state from snapshot + replay after crashes during saves and cleaning", async () => {
  await runSeeds(
    seedsFromEnv({ defaultCount: 30 }),
    async (seed) => {
      await crashScenario(seed);
    },
    { file: import.meta.url },
  );
}, 120_000);

it("replays a seed exactly: the same seed gives the same trace", async () => {
  expect(await crashScenario(7)).toBe(await crashScenario(7));
  expect(await crashScenario(7)).not.toBe(await crashScenario(8));
});
