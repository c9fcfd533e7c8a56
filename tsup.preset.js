// The one build configuration every published @pods package uses (DESIGN.md: "tsup through one
// shared preset"). Plain JavaScript on purpose: tsup's config loader cannot load a TypeScript preset
// from a workspace package on Node 20 (TOOLCHAIN.md, trap 4).
import { defineConfig } from "tsup";

/**
 * Build options for a Pods package: ESM only, Node 20 target, declarations, source maps.
 * @param {{ entry?: Record<string, string> }} [options]
 */
export function podsPackageConfig(options = {}) {
  return defineConfig({
    entry: options.entry ?? { index: "src/index.ts" },
    format: ["esm"],
    target: "node20",
    platform: "node",
    sourcemap: true,
    clean: true,
    splitting: false,
    treeshake: true,
    // tsup 8.5 injects `baseUrl` into the declaration build, which TypeScript 6 deprecates.
    dts: { compilerOptions: { ignoreDeprecations: "6.0" } },
  });
}
