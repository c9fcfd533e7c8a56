import { readFileSync } from "node:fs";
import { expect, it } from "vitest";

it("the README's quick start is test/quick-start.ts, and it runs", async () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const quickStart = readFileSync(new URL("./quick-start.ts", import.meta.url), "utf8");
  expect(readme).toContain(quickStart.trim());
  await expect(import("./quick-start.ts")).resolves.toBeDefined();
});
