// One vitest run for the whole repository: every package and example is an inline project
// (TOOLCHAIN.md, trap 7), and sources are resolved through the "@pods/source" export condition, so
// tests never need a build.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));
const conditions = ["@pods/source", "module", "node", "development|production"];

function workspaceProjects(): { name: string; dir: string }[] {
  return ["packages", "examples"].flatMap((group) => {
    const groupDir = join(root, group);
    if (!existsSync(groupDir)) return [];
    return readdirSync(groupDir)
      .map((entry) => join(groupDir, entry))
      .filter((dir) => existsSync(join(dir, "package.json")))
      .map((dir) => {
        const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
          name: string;
        };
        return { name: manifest.name, dir };
      });
  });
}

export default defineConfig({
  root,
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    projects: workspaceProjects().map(({ name, dir }) => ({
      extends: true,
      test: {
        name,
        root: dir,
        include: ["src/**/*.test.ts", "test/**/*.test.ts"],
        environment: "node",
      },
    })),
  },
});
