import { rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

afterAll(async () => {
  await rm(join(tmpdir(), "pods-hybrid-clock-example"), { recursive: true, force: true });
});

it("the README's quick start is test/quick-start.ts, and it runs", async () => {
  const quickStart = readFileSync(new URL("./quick-start.ts", import.meta.url), "utf8");
  expect(readme).toContain(quickStart.trim());
  await expect(import("./quick-start.ts")).resolves.toBeDefined();
});

it("the README's restart example is test/restart-example.ts, and it runs", async () => {
  const example = readFileSync(new URL("./restart-example.ts", import.meta.url), "utf8");
  expect(readme).toContain(example.trim());
  await expect(import("./restart-example.ts")).resolves.toBeDefined();
});
