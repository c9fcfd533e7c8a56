// Real files through @pods/runtime-node; the test damages a file with node:fs the way a failing
// disk would, which the determinism rules otherwise keep out of pattern tests.
// eslint-disable-next-line no-restricted-imports
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CorruptionError } from "@pods/core-interfaces";
import { createFsDisk } from "@pods/runtime-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GenerationClock, nextRestartGeneration } from "../src/index.ts";

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "pods-generation-clock-test-"));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe("on real files", () => {
  it("keeps generation and vote across reopenings, and counts restarts", async () => {
    const disk = createFsDisk(dataDir);
    const clock = await GenerationClock.open({ disk });
    await Promise.all([clock.campaign("athens"), clock.vote(4, "cyrene"), clock.adopt(3)]);
    expect(clock.state).toEqual({ generation: 4, votedFor: "cyrene" });
    const reopened = await GenerationClock.open({ disk: createFsDisk(dataDir) });
    expect(reopened.state).toEqual({ generation: 4, votedFor: "cyrene" });
    expect(await nextRestartGeneration({ disk })).toBe(1);
    expect(await nextRestartGeneration({ disk })).toBe(2);
  });

  it("a damaged state file is refused with the file's name", async () => {
    const disk = createFsDisk(dataDir);
    await (await GenerationClock.open({ disk })).campaign("athens");
    const path = join(dataDir, "generation-clock", "state");
    const bytes = await readFile(path);
    bytes[bytes.length - 1]! ^= 0x40;
    await writeFile(path, bytes);
    const error = await GenerationClock.open({ disk }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptionError);
    expect((error as CorruptionError).file).toBe("generation-clock/state");
  });
});
