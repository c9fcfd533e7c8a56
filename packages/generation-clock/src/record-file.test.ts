import { ClosedError, CorruptionError, InvalidArgumentError, IOError } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import { oneNode, settle } from "../test/sim-node.ts";
import { RecordFile, type RecordFormat } from "./record-file.ts";

const format: RecordFormat<number> = {
  magic: "TEST",
  description: "the test counter",
  repairAdvice: "restore it from a backup",
  validate(value) {
    if (!Number.isSafeInteger(value)) throw new Error("not an integer");
    return value as number;
  },
};

describe("RecordFile", () => {
  it("reads nothing at first, then what was saved, across a crash", async () => {
    const { sim, node } = await oneNode();
    const file = await settle(sim, RecordFile.open(node.instance.disk, "dir/counter", format));
    expect(file.value).toBeUndefined();
    await settle(sim, file.save(41));
    expect(file.durableValue).toBe(41);
    node.crash();
    const env = await node.restart();
    const reopened = await settle(sim, RecordFile.open(env.disk, "dir/counter", format));
    expect(reopened.value).toBe(41);
  });

  it("coalesces saves: at most one write in flight, the latest value wins", async () => {
    const { sim, node } = await oneNode(2);
    const file = await settle(sim, RecordFile.open(node.instance.disk, "counter", format));
    const syncsBefore = node.disk.stats.syncs;
    const saves = [1, 2, 3, 4, 5].map((n) => file.save(n));
    expect(file.value).toBe(5); // memory moves at once
    await sim.runUntilSettled(saves);
    expect(file.durableValue).toBe(5);
    expect(node.disk.stats.syncs - syncsBefore).toBe(2); // the first value, then the latest
    await settle(sim, file.flushed());
  });

  it("a crash during a save leaves the old record or the new one", async () => {
    for (let seed = 1; seed <= 30; seed++) {
      const { sim, node } = await oneNode(seed);
      const file = await settle(sim, RecordFile.open(node.instance.disk, "counter", format));
      await settle(sim, file.save(1));
      void file.save(2).catch(() => undefined);
      await sim.runFor(sim.random.float() * 3);
      node.crash();
      const env = await node.restart();
      const reopened = await settle(sim, RecordFile.open(env.disk, "counter", format));
      expect([1, 2]).toContain(reopened.value);
    }
  });

  it("damage is a CorruptionError naming the file, with advice", async () => {
    const { sim, node } = await oneNode(3);
    const file = await settle(sim, RecordFile.open(node.instance.disk, "counter", format));
    await settle(sim, file.save(7));
    const size = node.disk.readRaw("counter").current.length;
    for (let offset = 0; offset < size; offset++) {
      for (let bit = 0; bit < 8; bit++) {
        node.disk.flipBit("counter", offset, bit);
        const error = await settle(
          sim,
          RecordFile.open(node.instance.disk, "counter", format).catch((e: unknown) => e),
        );
        expect(error).toBeInstanceOf(CorruptionError);
        expect((error as CorruptionError).file).toBe("counter");
        expect((error as Error).message).toMatch(
          /the test counter is damaged .*restore it from a backup/,
        );
        node.disk.flipBit("counter", offset, bit); // and back
      }
    }
    expect((await settle(sim, RecordFile.open(node.instance.disk, "counter", format))).value).toBe(
      7,
    );

    node.disk.corrupt("counter", 0, new TextEncoder().encode("NOPE"));
    await expect(
      settle(sim, RecordFile.open(node.instance.disk, "counter", format)),
    ).rejects.toThrow(/does not start with "TEST"/);
  });

  it("a record that decodes but does not validate is corruption too", async () => {
    const { sim, node } = await oneNode(4);
    const strings: RecordFormat<unknown> = { ...format, validate: (v) => v };
    const file = await settle(sim, RecordFile.open(node.instance.disk, "counter", strings));
    await settle(sim, file.save("not a number"));
    await expect(
      settle(sim, RecordFile.open(node.instance.disk, "counter", format)),
    ).rejects.toThrow(/its record is not valid/);
  });

  it("after a failed write, pending and later saves reject", async () => {
    const { sim, node } = await oneNode(5);
    const file = await settle(sim, RecordFile.open(node.instance.disk, "counter", format));
    node.disk.failNext("sync");
    const failed = await settle(
      sim,
      file.save(1).catch((e: unknown) => e),
    );
    expect(failed).toBeInstanceOf(IOError);
    expect(file.failed).toBe(true);
    await expect(file.save(2)).rejects.toBeInstanceOf(ClosedError);
    await expect(file.flushed()).rejects.toBeInstanceOf(ClosedError);
  });

  it("validates the path and the magic", async () => {
    const { sim, node } = await oneNode(6);
    await expect(
      settle(sim, RecordFile.open(node.instance.disk, "/abs", format)),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(
      settle(sim, RecordFile.open(node.instance.disk, "x", { ...format, magic: "TOOLONG" })),
    ).rejects.toThrow(/4 printable ASCII/);
  });
});
