import { ClosedError, CompactedError, InvalidArgumentError } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import { bytes, inSimulation, openLog, textOf } from "../test/harness.ts";
import { AppendQueueFullError, entryTypes } from "./index.ts";

describe("WriteAheadLog", () => {
  it("gives misuse a typed error and appends nothing", async () => {
    await inSimulation(1, async (context) => {
      const wal = await openLog(context);
      await wal.append({ payload: bytes("one"), generation: 2 });
      await expect(wal.appendAt({ index: 3, payload: bytes("x") })).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
      await expect(
        wal.appendBatch([
          { payload: bytes("a"), index: 2 },
          { payload: bytes("b"), index: 4 },
        ]),
      ).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(wal.append({ payload: bytes("old"), generation: 1 })).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
      await expect(wal.append({ payload: bytes("t"), type: 256 })).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
      await expect(wal.read(2)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(wal.truncateFrom(0)).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(wal.lastIndex).toBe(1);
      expect(await wal.appendAt({ index: 2, payload: bytes("two"), type: entryTypes.noop })).toBe(
        2,
      );
      expect((await wal.read(2)).type).toBe(entryTypes.noop);
      await wal.close();
      await expect(wal.append({ payload: bytes("late") })).rejects.toBeInstanceOf(ClosedError);
      await expect(wal.read(1)).rejects.toBeInstanceOf(ClosedError);
    });
  });

  it("writes a payload given in parts back to back and reads it back whole", async () => {
    await inSimulation(5, async (context) => {
      const wal = await openLog(context);
      await wal.appendBatch([
        { payload: [bytes("head|"), bytes("body")] },
        { payload: [] },
        { payload: bytes("whole") },
      ]);
      expect(textOf((await wal.read(1)).payload)).toBe("head|body");
      expect((await wal.read(2)).payload.length).toBe(0);
      expect(textOf((await wal.read(3)).payload)).toBe("whole");
      expect(wal.metrics.appendedBytes).toBe(9 + 0 + 5);
      await expect(
        wal.append({ payload: [bytes("a"), "b" as unknown as Uint8Array] }),
      ).rejects.toThrow(/payload must be a Uint8Array or an array of them/);
      expect(wal.lastIndex).toBe(3);
      await wal.close();
    });
  });

  it("refuses appends beyond pendingBytesMax", async () => {
    await inSimulation(2, async (context) => {
      const wal = await openLog(context, { pendingBytesMax: 100 });
      const first = wal.append({ payload: new Uint8Array(80) });
      await expect(wal.append({ payload: new Uint8Array(80) })).rejects.toBeInstanceOf(
        AppendQueueFullError,
      );
      expect(await first).toBe(1);
    });
  });

  it("syncs on the interval policy and reads entries not yet written", async () => {
    await inSimulation(3, async (context) => {
      const wal = await openLog(context, { sync: { intervalMs: 50 } });
      const appended = wal.append({ payload: bytes("soon") });
      expect(textOf((await wal.read(1)).payload)).toBe("soon");
      await appended;
      expect(wal.durableIndex).toBe(0);
      await context.sim.sleep(60);
      expect(wal.durableIndex).toBe(1);
      expect(wal.metrics.syncs).toBe(1);
    });
  });

  it("keeps the generation before firstIndex after prefix removal", async () => {
    await inSimulation(4, async (context) => {
      const wal = await openLog(context, { segmentBytesMax: 150 });
      for (let generation = 1; generation <= 6; generation++) {
        await wal.append({ payload: bytes(`entry in ${generation}`), generation });
      }
      const first = await wal.truncateBefore(5);
      expect(first).toBeGreaterThan(1);
      expect(wal.generationAt(first - 1)).toBe(first - 1);
      expect(() => wal.generationAt(first - 2)).toThrow(CompactedError);
      await expect(wal.read(first - 1)).rejects.toMatchObject({ lowWaterMark: first });
      await wal.close();
      const reopened = await openLog(context, { segmentBytesMax: 150 });
      expect(reopened.firstIndex).toBe(first);
      expect(reopened.generationAt(first - 1)).toBe(first - 1);
    });
  });
});
