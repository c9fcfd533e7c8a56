// eslint-disable-next-line no-restricted-imports -- a temporary directory for the real-disk test.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Clock } from "@pods/core-interfaces";
import { createFsDisk, systemClock } from "@pods/runtime-node";
import { afterEach, beforeEach, expect, it } from "vitest";
import { compareHybridTimestamps, PersistentHybridClock } from "../src/index.ts";

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "pods-hybrid-clock-"));
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

it("on a real disk, a reopened clock starts above the last run even with the wall clock an hour back", async () => {
  const disk = createFsDisk(dataDir);
  const first = await PersistentHybridClock.open({ clock: systemClock, disk, nodeId: "athens" });
  const issued = Array.from({ length: 1000 }, () => first.now());
  await first.persisted();
  await first.close();

  const hourBehind: Clock = {
    monotonicMs: () => systemClock.monotonicMs(),
    wallMs: () => systemClock.wallMs() - 3_600_000,
  };
  const second = await PersistentHybridClock.open({ clock: hourBehind, disk, nodeId: "athens" });
  const next = second.now();
  for (const before of issued) expect(compareHybridTimestamps(next, before)).toBeGreaterThan(0);
  await second.close();

  const bytes = await readFile(join(dataDir, "hybrid-clock.bound"));
  expect(bytes.subarray(0, 4).toString("latin1")).toBe("HLCB");
  expect(bytes.readBigUInt64BE(4)).toBe(BigInt(second.persistence.boundMs));
});
