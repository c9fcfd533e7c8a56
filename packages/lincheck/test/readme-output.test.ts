// The README shows what the quick start prints; keep the two in step.
import { readFileSync } from "node:fs";
import { expect, it, vi } from "vitest";

it("the quick start prints what the README says", async () => {
  const printed: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...parts: unknown[]) => {
    printed.push(parts.join(" "));
  });
  try {
    await import("./quick-start.ts");
  } finally {
    log.mockRestore();
  }
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  expect(readme).toContain(`This prints:\n\n\`\`\`text\n${printed.join("\n")}\n\`\`\``);
});
