import { Simulation } from "@pods/simulation";
import { WriteAheadLog } from "@pods/write-ahead-log";
import { expect, it } from "vitest";
import { GenerationHistory } from "../src/index.ts";

// The history is a view of a write-ahead log: truncation, appends, compaction and restarts are
// reflected without any bookkeeping of its own.

it("follows a write-ahead log through truncation, compaction and a restart", async () => {
  const sim = new Simulation({ seed: 1 });
  const node = sim.addNode("athens", {
    boot: ({ env }) => WriteAheadLog.open(env, { segmentRecordsMax: 2 }),
  });
  const wal = await node.ready();
  const history = new GenerationHistory(wal);
  const payload = new Uint8Array([7]);
  const append = (...generations: number[]) =>
    sim.runUntilSettled([
      wal.appendBatch(generations.map((generation) => ({ payload, generation }))),
    ]);

  await append(1, 1, 2, 2, 2, 3);
  expect(history.starts()).toEqual([
    { generation: 0, firstIndex: 0 },
    { generation: 1, firstIndex: 1 },
    { generation: 2, firstIndex: 3 },
    { generation: 3, firstIndex: 6 },
  ]);
  expect(
    history.firstConflict([
      { index: 4, generation: 2 },
      { index: 5, generation: 4 },
    ]),
  ).toBe(5);

  // A new leader of generation 4 replaced the entries from 5 on.
  await sim.runUntilSettled([wal.truncateFrom(5)]);
  await append(4, 4);
  expect(history.conflictHint(6)).toEqual({ generation: 4, firstIndex: 5 });
  expect(history.lastIndexOf(3)).toBeUndefined();

  // Compaction drops whole sealed segments; the entry before the first keeps its generation.
  const [firstIndex] = await sim.runUntilSettled([wal.truncateBefore(4)]);
  expect(history.starts()[0]).toEqual({
    generation: wal.generationAt(firstIndex - 1),
    firstIndex: firstIndex - 1,
  });
  const before = history.starts();

  node.crash();
  const reopened = await node.restart();
  expect(new GenerationHistory(reopened).starts()).toEqual(before);
});
