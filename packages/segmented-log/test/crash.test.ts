import { runSeeds, seedsFromEnv } from "@pods/simulation";
import { expect, it } from "vitest";
import { SegmentedLog } from "../src/index.ts";
import { inSimulation, text } from "./harness.ts";

// Power loss at random moments while the log rolls, syncs, cuts back, deletes old segments and
// resets, over many seeds and both crash modes of the simulated disk: the directory always opens,
// indexes are consecutive, every synced record that no truncation removed is intact, and no record
// appears that was never written.

type Pending = "idle" | "truncate" | "prefix" | "reset";

it("opens after a crash at any point of a roll, truncation or deletion", async () => {
  await runSeeds(
    seedsFromEnv({ defaultCount: 40 }),
    async (seed) => {
      await inSimulation(
        seed,
        async ({ sim, node, env }) => {
          const random = sim.random;
          const options = { segmentBytesMax: 120 + random.int(0, 400) };
          let durable = new Map<number, string>();
          const written = new Map<number, Set<string>>();
          let pending: { kind: Pending; index: number } = { kind: "idle", index: 0 };
          let prefixRemoved = false;

          for (let cycle = 0; cycle < 5; cycle++) {
            const log = await SegmentedLog.open(env().disk, options);
            const records = await log.readFrom(log.firstIndex, Number.MAX_SAFE_INTEGER);
            const present = new Map(records.map((record) => [record.index, text(record.body)]));
            sim.check(`cycle ${cycle}`, () => {
              expect(records.map((record) => record.index)).toEqual(
                records.map((_, at) => log.firstIndex + at),
              );
              for (const [index, body] of durable) {
                const mayBeGone =
                  (pending.kind === "truncate" && index >= pending.index) ||
                  pending.kind === "reset" ||
                  (index < log.firstIndex && (prefixRemoved || pending.kind === "prefix"));
                if (present.has(index) || !mayBeGone) expect(present.get(index)).toBe(body);
              }
              for (const [index, body] of present) expect(written.get(index)?.has(body)).toBe(true);
            });
            durable = present;
            pending = { kind: "idle", index: 0 };
            const crashAtMs = sim.now + random.int(1, 40);
            sim.at(crashAtMs, "power loss", () => node.crash());
            void (async () => {
              for (let round = 0; ; round++) {
                const choice = random.int(0, 12);
                if (choice === 0) {
                  const index = random.int(log.firstIndex, log.lastIndex + 2);
                  pending = { kind: "truncate", index };
                  await log.truncateFrom(index);
                  for (const key of [...durable.keys()]) if (key >= index) durable.delete(key);
                } else if (choice === 1) {
                  pending = { kind: "prefix", index: 0 };
                  prefixRemoved = true;
                  await log.truncateBefore(random.int(1, log.lastIndex + 2));
                } else if (choice === 2 && random.chance(0.3)) {
                  pending = { kind: "reset", index: 0 };
                  await log.reset(log.lastIndex + random.int(1, 4), random.int(0, 3));
                  durable.clear();
                } else {
                  const count = random.int(1, 6);
                  const first = log.lastIndex + 1;
                  const batch = Array.from({ length: count }, (_, offset) => {
                    const body = `c${cycle} r${round} ${"z".repeat(random.int(0, 90))}`;
                    if (!written.has(first + offset)) written.set(first + offset, new Set());
                    written.get(first + offset)!.add(body);
                    return {
                      index: first + offset,
                      generation: 1,
                      timestampMs: sim.now,
                      body: new TextEncoder().encode(body),
                    };
                  });
                  await log.append(batch);
                  const covered = log.lastIndex;
                  const bodies = new Map(batch.map((record) => [record.index, text(record.body)]));
                  await log.sync();
                  for (const [index, body] of bodies)
                    if (index <= covered) durable.set(index, body);
                }
                pending = { kind: "idle", index: 0 };
              }
            })();
            await sim.sleep(crashAtMs - sim.now + 1);
            await node.restart();
          }
        },
        { crashMode: seed % 2 === 0 ? "any" : "prefix", sectorBytes: 32 },
      );
    },
    { file: import.meta.url },
  );
}, 120_000);
