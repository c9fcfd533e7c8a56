import { runSeeds, seedsFromEnv } from "@pods/simulation";
import { expect, it } from "vitest";
import type { WriteAheadLog } from "../src/index.ts";
import { bytes, inSimulation, openLog, textOf } from "./harness.ts";

// Many seeds of concurrent appends, truncations, prefix removals and resets under sync "always",
// with power loss at random moments (mid-write, mid-sync, mid-roll, mid-delete). After every
// restart the log must open, hold consecutive indexes, keep every acknowledged entry (unless an
// acknowledged or interrupted truncation removed it), and hold nothing that was never written.

type Pending =
  | { readonly kind: "idle" }
  | { readonly kind: "truncateFrom"; readonly index: number }
  | { readonly kind: "truncateBefore" }
  | { readonly kind: "reset"; readonly startIndex: number };

it("keeps every acknowledged entry through random crashes", async () => {
  await runSeeds(
    seedsFromEnv({ defaultCount: 30 }),
    async (seed) => {
      await inSimulation(
        seed,
        async (context) => {
          const { sim, node } = context;
          const random = sim.random;
          const options = { segmentBytesMax: 200 + random.int(0, 800), indexIntervalBytes: 64 };
          /** Entries known durable and not removed by a completed truncation. */
          let acked = new Map<number, string>();
          /** Every payload ever handed to an append, by the index it was given. */
          const submitted = new Map<number, Set<string>>();
          let pending: Pending = { kind: "idle" };
          let prefixRemoved = false;

          for (let cycle = 0; cycle < 4; cycle++) {
            const wal = await openLog(context, options);
            const entries = await wal.readFrom(wal.firstIndex, Number.MAX_SAFE_INTEGER);
            sim.check(`seed ${seed} cycle ${cycle}: consecutive indexes`, () => {
              expect(entries.map((entry) => entry.index)).toEqual(
                entries.map((_, at) => wal.firstIndex + at),
              );
              expect(wal.lastIndex).toBe(wal.firstIndex + entries.length - 1);
            });
            const present = new Map(entries.map((entry) => [entry.index, textOf(entry.payload)]));
            sim.check(`seed ${seed} cycle ${cycle}: acknowledged entries survive`, () => {
              for (const [index, payload] of acked) {
                const mayBeGone =
                  (pending.kind === "truncateFrom" && index >= pending.index) ||
                  pending.kind === "reset" ||
                  (index < wal.firstIndex && (prefixRemoved || pending.kind === "truncateBefore"));
                if (present.has(index) || !mayBeGone) expect(present.get(index)).toBe(payload);
              }
            });
            sim.check(`seed ${seed} cycle ${cycle}: nothing unwritten appears`, () => {
              for (const [index, payload] of present) {
                expect(submitted.get(index)?.has(payload), `entry ${index}: ${payload}`).toBe(true);
              }
            });
            acked = present;
            pending = { kind: "idle" };

            const crashAtMs = sim.now + random.int(1, 60);
            sim.at(crashAtMs, "power loss", () => node.crash());
            void workload(wal, cycle);
            await sim.sleep(crashAtMs - sim.now + 1);
            await node.restart();
          }

          async function workload(wal: WriteAheadLog, cycle: number): Promise<void> {
            for (let round = 0; ; round++) {
              const choice = random.int(0, 20);
              if (choice === 0 && wal.lastIndex >= wal.firstIndex) {
                const index = random.int(wal.firstIndex, wal.lastIndex + 2);
                pending = { kind: "truncateFrom", index };
                await wal.truncateFrom(index);
                for (const key of [...acked.keys()]) if (key >= index) acked.delete(key);
              } else if (choice === 1) {
                pending = { kind: "truncateBefore" };
                prefixRemoved = true;
                await wal.truncateBefore(random.int(1, wal.lastIndex + 2));
              } else if (choice === 2 && random.chance(0.2)) {
                const startIndex = wal.lastIndex + random.int(1, 5);
                pending = { kind: "reset", startIndex };
                await wal.reset(startIndex, wal.lastGeneration);
                acked.clear();
              } else {
                const writers = random.int(1, 9);
                await Promise.all(
                  Array.from({ length: writers }, async (_, writer) => {
                    const payload = `c${cycle} r${round} w${writer} ${"x".repeat(random.int(0, 120))}`;
                    const done = wal.append({ payload: bytes(payload) });
                    const index = wal.lastIndex;
                    if (!submitted.has(index)) submitted.set(index, new Set());
                    submitted.get(index)!.add(payload);
                    expect(await done).toBe(index);
                    acked.set(index, payload);
                  }),
                );
              }
              pending = { kind: "idle" };
            }
          }
        },
        { crashMode: seed % 2 === 0 ? "prefix" : "any", sectorBytes: 64 },
      );
    },
    { file: import.meta.url },
  );
}, 120_000);
