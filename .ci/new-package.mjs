#!/usr/bin/env node
// `pnpm new:package <name> [--description "<one sentence>"]`
//
// Scaffolds packages/<name> exactly as the house wants a package: package.json (ESM only, exports
// with the "@pods/source" condition, engines, files, sideEffects), tsconfig, tsup config through the
// shared preset, a README from the template of DESIGN.md with a tested quick start, src/index.ts, a
// first test, and a changeset announcing the package.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

function fail(message) {
  console.error(`new:package: ${message}`);
  process.exit(1);
}

function parseArguments(argv) {
  const options = { name: undefined, description: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--description") options.description = argv[++i];
    else if (arg.startsWith("--")) fail(`unknown option ${arg}; known: --description`);
    else if (options.name === undefined) options.name = arg;
    else fail(`unexpected argument ${arg}: give one package name`);
  }
  if (options.name === undefined) {
    fail('usage: pnpm new:package <name> [--description "<one sentence>"]');
  }
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(options.name)) {
    fail(`"${options.name}" is not a kebab-case name (letters, digits, single dashes)`);
  }
  return options;
}

function packageJson({ name, description }) {
  const manifest = {
    name: `@pods/${name}`,
    version: "0.0.0",
    description,
    keywords: ["distributed-systems", "pods", name],
    license: "MIT",
    type: "module",
    sideEffects: false,
    exports: {
      ".": {
        "@pods/source": "./src/index.ts",
        types: "./dist/index.d.ts",
        default: "./dist/index.js",
      },
      "./package.json": "./package.json",
    },
    types: "./dist/index.d.ts",
    files: ["dist", "src", "!src/**/*.test.ts"],
    engines: { node: ">=20.19" },
    publishConfig: { access: "public" },
    scripts: {
      build: "tsup",
      typecheck: "tsc -p tsconfig.json",
      lint: "eslint .",
      test: `vitest run --config ../../vitest.config.ts --project @pods/${name}`,
      "check:package": "publint --strict && attw --pack . --profile esm-only",
    },
    dependencies: { "@pods/core-interfaces": "workspace:^" },
    devDependencies: {},
  };
  if (name === "core-interfaces") delete manifest.dependencies;
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

const tsconfig = `${JSON.stringify(
  { extends: "../../tsconfig.base.json", include: ["src", "test", "bench", "tsup.config.ts"] },
  null,
  2,
)}\n`;

const tsupConfig = `import { podsPackageConfig } from "../../tsup.preset.js";

export default podsPackageConfig();
`;

function indexSource({ name, description }) {
  return `/**
 * @pods/${name}: ${description}
 *
 * @packageDocumentation
 */

/** The name this package is published under. */
export const packageName = "@pods/${name}";
`;
}

function firstTest({ name }) {
  return `import { describe, expect, it } from "vitest";
import { packageName } from "./index.ts";

describe("@pods/${name}", () => {
  it("is published under its scoped name", () => {
    expect(packageName).toBe("@pods/${name}");
  });
});
`;
}

function quickStart({ name }) {
  return `import { packageName } from "@pods/${name}";

console.log(\`\${packageName} is installed\`);
`;
}

const readmeTest = `import { readFileSync } from "node:fs";
import { expect, it } from "vitest";

it("the README's quick start is test/quick-start.ts, and it runs", async () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const quickStart = readFileSync(new URL("./quick-start.ts", import.meta.url), "utf8");
  expect(readme).toContain(quickStart.trim());
  await expect(import("./quick-start.ts")).resolves.toBeDefined();
});
`;

function readme({ name, description }, quickStartCode) {
  return `# @pods/${name}

${description}

## The pattern

Describe the pattern in a few sentences, and how it differs from the naive approach.

## Install

\`\`\`sh
pnpm add @pods/${name}
\`\`\`

## Quick start

\`\`\`ts
${quickStartCode.trim()}
\`\`\`

## Guarantees

- What the package promises, and under which faults.

## Non-guarantees

- What it does not promise.

## Configuration

| option | unit | default | meaning |
| --- | --- | --- | --- |

## How it is tested

Unit and property tests beside the code; simulation scenarios in \`test/\`, each run over many seeds
(\`PODS_SEED=<n>\` replays one, \`PODS_SEEDS=<n>\` runs more).

API reference: the \`@pods/${name}\` module of the generated docs (\`pnpm docs\`, then open
\`docs/api/index.html\`).
`;
}

function changeset({ name }) {
  return `---
"@pods/${name}": minor
---

First release of @pods/${name}.
`;
}

const options = parseArguments(process.argv.slice(2));
options.description ??= `The ${options.name} pattern of Patterns of Distributed Systems.`;
const dir = join(repoRoot, "packages", options.name);
if (existsSync(dir)) fail(`packages/${options.name} exists already; pick another name`);

const quickStartCode = quickStart(options);
const files = {
  "package.json": packageJson(options),
  "tsconfig.json": tsconfig,
  "tsup.config.ts": tsupConfig,
  "README.md": readme(options, quickStartCode),
  LICENSE: readFileSync(join(repoRoot, "LICENSE"), "utf8"),
  "src/index.ts": indexSource(options),
  "src/index.test.ts": firstTest(options),
  "test/quick-start.ts": quickStartCode,
  "test/readme.test.ts": readmeTest,
};
for (const [relative, content] of Object.entries(files)) {
  const path = join(dir, relative);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}
const changesetPath = join(repoRoot, ".changeset", `new-${options.name}.md`);
writeFileSync(changesetPath, changeset(options));
// Hand the files over in the house format, so `pnpm check` passes on a fresh package.
execFileSync(
  join(repoRoot, "node_modules", ".bin", "prettier"),
  ["--write", "--log-level=warn", dir],
  {
    stdio: "inherit",
  },
);
console.log(`new:package: created packages/${options.name} (@pods/${options.name}).
Next: pnpm install, then write src/, the README and the quick start (test/quick-start.ts).`);
