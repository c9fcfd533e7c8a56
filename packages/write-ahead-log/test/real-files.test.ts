// Real files through @pods/runtime-node: the test damages them with node:fs the way a crash or a
// failing disk would, which the determinism rules otherwise keep out of pattern tests.
// eslint-disable-next-line no-restricted-imports
import { mkdtemp, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CorruptionError, noopLogger } from "@pods/core-interfaces";
import { createNodeEnv } from "@pods/runtime-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WriteAheadLog, type WriteAheadLogOptions } from "../src/index.ts";
import { bytes, offsetOf, textOf } from "./harness.ts";

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "pods-wal-test-"));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function open(options: WriteAheadLogOptions = {}): Promise<WriteAheadLog> {
  return WriteAheadLog.open(await createNodeEnv({ dataDir, logger: noopLogger }), options);
}

const segment = (): string => join(dataDir, "wal", "wal-00000000000000000001.log");

describe("on real files", () => {
  it("keeps concurrent durable appends across many segments and a restart", async () => {
    const wal = await open({ segmentBytesMax: 4096 });
    const indexes = await Promise.all(
      Array.from({ length: 400 }, (_, n) =>
        wal.append({ payload: bytes(`entry ${n}`), generation: 1 }),
      ),
    );
    expect(indexes).toEqual(Array.from({ length: 400 }, (_, n) => n + 1));
    expect(wal.metrics.syncs).toBeLessThan(400);
    await wal.close();
    const replayed: string[] = [];
    const reopened = await open({
      segmentBytesMax: 4096,
      replay: (entry) => replayed.push(textOf(entry.payload)),
    });
    expect(replayed).toEqual(Array.from({ length: 400 }, (_, n) => `entry ${n}`));
    expect(reopened.segments().length).toBeGreaterThan(3);
    expect(textOf((await reopened.read(123)).payload)).toBe("entry 122");
    await reopened.close();
  });

  it("cuts a file truncated mid-record back to the last whole entry", async () => {
    const wal = await open();
    for (let n = 1; n <= 20; n++) await wal.append({ payload: bytes(`entry ${n}`) });
    await wal.close();
    const image = await readFile(segment());
    const start20 = offsetOf(image, 20);
    await truncate(segment(), start20 + 11);
    const reopened = await open();
    expect(reopened.recovery.tornTail).toMatchObject({ offset: start20, bytesCut: 11 });
    expect(reopened.lastIndex).toBe(19);
    expect((await stat(segment())).size).toBe(start20);
    expect(await reopened.append({ payload: bytes("entry 20, again") })).toBe(20);
    await reopened.close();
    const again = await open();
    expect(textOf((await again.read(20)).payload)).toBe("entry 20, again");
    await again.close();
  });

  it("reports a flipped byte inside the log as corruption and leaves the file alone", async () => {
    const wal = await open();
    for (let n = 1; n <= 20; n++) await wal.append({ payload: bytes(`entry ${n}`) });
    await wal.close();
    const image = await readFile(segment());
    const start5 = offsetOf(image, 5);
    image[start5 + 36] = image[start5 + 36]! ^ 0x20;
    await writeFile(segment(), image);
    const error = await open().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CorruptionError);
    expect(error).toMatchObject({
      offset: start5,
      index: 5,
      file: "wal/wal-00000000000000000001.log",
    });
    expect(await readFile(segment())).toEqual(image);
  });
});
