import { readFileSync } from "node:fs";
import { expect, it } from "vitest";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

it("the README's quick start is test/quick-start.ts, and it runs", async () => {
  const quickStart = readFileSync(new URL("./quick-start.ts", import.meta.url), "utf8");
  expect(readme).toContain(quickStart.trim());
  await expect(import("./quick-start.ts")).resolves.toBeDefined();
});

it("the README's hybrid-timestamp scheme is the one the tests use", () => {
  const scheme = readFileSync(new URL("./hybrid-versions.ts", import.meta.url), "utf8");
  expect(readme).toContain(scheme.trim());
});
