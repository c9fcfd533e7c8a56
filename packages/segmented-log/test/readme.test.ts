import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it, vi } from "vitest";

// The quick start keeps its log in this directory; start from nothing and clean up after.
const dataDir = join(tmpdir(), `pods-segments-${process.pid}`);
beforeAll(() => rmSync(dataDir, { recursive: true, force: true }));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it("the README's quick start is test/quick-start.ts, and it runs", async () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const quickStart = readFileSync(new URL("./quick-start.ts", import.meta.url), "utf8");
  expect(readme).toContain(quickStart.trim());
  const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
  await expect(import("./quick-start.ts")).resolves.toBeDefined();
  expect(log.mock.calls).toEqual([
    [
      [
        "log/wal-00000000000000000001.log: 1..48",
        "log/wal-00000000000000000049.log: 49..96",
        "log/wal-00000000000000000097.log: 97..100",
      ],
    ],
    ["command 70"],
  ]);
  log.mockRestore();
});
