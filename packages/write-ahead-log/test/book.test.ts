import { CorruptionError, InvalidArgumentError } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import type { WriteAheadLog } from "../src/index.ts";
import {
  bytes,
  indexesIn,
  inSimulation,
  offsetOf,
  openLog,
  textOf,
  type SimContext,
} from "./harness.ts";

// The acceptance scenarios of PATTERNS.md, section 1 (Write-Ahead Log), one test each, on the
// simulated disk.

const segment = "wal/wal-00000000000000000001.log";

/** The book's DurableKVStore: put appends, then applies; opening replays. */
async function openKvStore(context: SimContext) {
  const state = new Map<string, string>();
  const apply = (payload: Uint8Array): void => {
    const [key, value] = JSON.parse(textOf(payload)) as [string, string];
    state.set(key, value);
  };
  const wal = await openLog(context, { replay: (entry) => apply(entry.payload) });
  return {
    state,
    wal,
    put: async (key: string, value: string): Promise<number> => {
      const payload = bytes(JSON.stringify([key, value]));
      const index = await wal.append({ payload });
      apply(payload);
      return index;
    },
  };
}

async function appendTexts(wal: WriteAheadLog, count: number, prefix = "entry"): Promise<void> {
  for (let n = 1; n <= count; n++) await wal.append({ payload: bytes(`${prefix} ${n}`) });
}

describe("write-ahead log: book scenarios", () => {
  it("replay-after-crash", async () => {
    await inSimulation(1, async (context) => {
      const store = await openKvStore(context);
      await store.put("title", "Microservices");
      await store.put("author", "Martin");
      await store.put("author", "Martin"); // a client retry: replay tolerates the duplicate
      await store.put("newTitle", "Distributed Systems");
      context.node.crash();
      await context.node.restart();
      const reopened = await openKvStore(context);
      expect(Object.fromEntries(reopened.state)).toEqual({
        title: "Microservices",
        author: "Martin",
        newTitle: "Distributed Systems",
      });
      expect(reopened.wal.lastIndex).toBe(4);
      expect(await reopened.put("title", "Patterns")).toBe(5);
    });
  });

  it("torn-tail-cut", async () => {
    await inSimulation(2, async (context) => {
      const wal = await openLog(context);
      await appendTexts(wal, 10);
      await wal.close();
      // The eleventh record reaches the disk only half written when the machine loses power.
      const unsynced = await openLog(context, { sync: "none" });
      await unsynced.append({ payload: bytes("entry 11 ".repeat(20)) });
      const current = context.node.disk.readRaw(segment).current;
      const end10 = offsetOf(current, 11);
      const file = await context.env().disk.open(segment);
      await file.truncate(end10 + Math.floor((current.length - end10) / 2));
      await file.sync();
      context.node.crash();
      await context.node.restart();

      const reopened = await openLog(context);
      expect(reopened.recovery.tornTail).toMatchObject({
        file: segment,
        offset: end10,
        zeroFilled: false,
      });
      expect(reopened.recovery.tornTail!.bytesCut).toBeGreaterThan(0);
      expect(reopened.lastIndex).toBe(10);
      expect(context.node.disk.readRaw(segment).durable.length).toBe(end10);
      expect(await reopened.append({ payload: bytes("entry 11, again") })).toBe(11);
      context.node.crash();
      await context.node.restart();
      const again = await openLog(context);
      expect(again.recovery.tornTail).toBeUndefined();
      expect(again.lastIndex).toBe(11);
      expect(textOf((await again.read(11)).payload)).toBe("entry 11, again");
    });
  });

  it("bit-flip-is-corruption", async () => {
    await inSimulation(3, async (context) => {
      const wal = await openLog(context);
      await appendTexts(wal, 10);
      await wal.close();
      const before = context.node.disk.readRaw(segment).durable;
      const record3 = offsetOf(before, 3);
      context.node.disk.flipBit(segment, record3 + 8 + 24 + 1 + 2, 4); // a payload byte of record 3
      const damaged = context.node.disk.readRaw(segment).durable;
      const error = await openLog(context).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CorruptionError);
      expect(error).toMatchObject({ file: segment, offset: record3, index: 3 });
      expect(context.node.disk.readRaw(segment).durable).toEqual(damaged);
      expect(context.node.disk.paths()).toEqual([segment]);
    });
  });

  it("inclusive-truncate", async () => {
    await inSimulation(4, async (context) => {
      const wal = await openLog(context);
      await appendTexts(wal, 5);
      await wal.truncateFrom(3);
      const expectTruncated = async (log: WriteAheadLog): Promise<void> => {
        expect(textOf((await log.read(1)).payload)).toBe("entry 1");
        expect(textOf((await log.read(2)).payload)).toBe("entry 2");
        expect(log.lastIndex).toBe(2);
        await expect(log.read(3)).rejects.toBeInstanceOf(InvalidArgumentError);
      };
      await expectTruncated(wal);
      context.node.crash();
      await context.node.restart();
      const reopened = await openLog(context);
      await expectTruncated(reopened);
      expect(await reopened.append({ payload: bytes("new 3") })).toBe(3);
      context.node.crash();
      await context.node.restart();
      const again = await openLog(context);
      expect(again.lastIndex).toBe(3);
      expect((await again.readFrom(1, 10)).map((entry) => textOf(entry.payload))).toEqual([
        "entry 1",
        "entry 2",
        "new 3",
      ]);
    });
  });

  it("generation-survives-restart", async () => {
    await inSimulation(5, async (context) => {
      const wal = await openLog(context);
      for (const generation of [1, 1, 2]) {
        await wal.append({ payload: bytes(`in ${generation}`), generation });
      }
      context.node.crash();
      await context.node.restart();
      const reopened = await openLog(context);
      expect(reopened.lastGeneration).toBe(2);
      expect(reopened.generationAt(2)).toBe(1);
      expect([0, 1, 2, 3].map((index) => reopened.generationAt(index))).toEqual([0, 1, 1, 2]);
    });
  });

  it("group-commit-shares-syncs", async () => {
    await inSimulation(6, async (context) => {
      const wal = await openLog(context, { sync: "always" });
      const violations: string[] = [];
      const appender = async (writer: number): Promise<void> => {
        for (let n = 0; n < 100; n++) {
          const index = await wal.append({ payload: bytes(`writer ${writer} append ${n}`) });
          // Resolved: the entry must already be in the durable image of the segment.
          const durable = indexesIn(context.node.disk.readRaw(segment).durable);
          if (!durable.includes(index))
            violations.push(`index ${index} resolved before it was durable`);
        }
      };
      const syncsBefore = context.node.disk.syncLog.length;
      await Promise.all(Array.from({ length: 8 }, (_, writer) => appender(writer)));
      expect(violations).toEqual([]);
      expect(wal.lastIndex).toBe(800);
      expect(wal.durableIndex).toBe(800);
      expect(wal.metrics.syncs).toBeLessThan(200);
      const syncs = context.node.disk.syncLog
        .slice(syncsBefore)
        .filter((sync) => sync.path === segment);
      expect(syncs.length).toBe(wal.metrics.syncs);
      expect(syncs.length).toBeLessThan(200);
      const entries = await wal.readFrom(1, 1000);
      expect(entries.map((entry) => entry.index)).toEqual(
        Array.from({ length: 800 }, (_, at) => at + 1),
      );
    });
  });
});
