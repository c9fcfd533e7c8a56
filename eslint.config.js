// Lint rules for the whole repository: typescript-eslint with type information, plus the
// determinism bans of DESIGN.md for protocol code (time, randomness, timers, fs and net reach a
// pattern only through the ports of @pods/core-interfaces).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

/** Packages that implement ports on a real runtime and may touch the clock, timers, fs and net. */
const runtimePackages = ["runtime-node", "single-socket-channel", "lincheck"];

const bannedGlobals = [
  { name: "setTimeout", message: "Use the injected Scheduler (Env.scheduler.after)." },
  { name: "setInterval", message: "Use the injected Scheduler (Env.scheduler.after)." },
  { name: "setImmediate", message: "Use the injected Scheduler (Env.scheduler.after)." },
];
const bannedProperties = [
  { object: "Date", property: "now", message: "Use the injected Clock (wallMs)." },
  { object: "performance", property: "now", message: "Use the injected Clock (monotonicMs)." },
  { object: "Math", property: "random", message: "Use the injected Random." },
];
const bannedImports = [
  { name: "node:fs", message: "Use the injected Disk." },
  { name: "node:fs/promises", message: "Use the injected Disk." },
  { name: "fs", message: "Use the injected Disk." },
  { name: "fs/promises", message: "Use the injected Disk." },
  { name: "node:net", message: "Use the injected Transport." },
  { name: "net", message: "Use the injected Transport." },
  { name: "node:timers", message: "Use the injected Scheduler." },
  { name: "node:timers/promises", message: "Use the injected Scheduler." },
];

export default tseslint.config(
  {
    ignores: [
      "**/dist/**",
      "**/node_modules/**",
      "docs/api/**",
      ".bench/**",
      ".turbo/**",
      "**/coverage/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/switch-exhaustiveness-check": [
        "error",
        { considerDefaultExhaustiveForUnions: true },
      ],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      eqeqeq: ["error", "always"],
    },
  },
  {
    // Determinism bans: protocol code, its tests and the simulator never touch real time or IO.
    files: ["packages/*/src/**/*.ts", "packages/*/test/**/*.ts"],
    ignores: [...runtimePackages.map((name) => `packages/${name}/**`), "**/test/readme.test.ts"],
    rules: {
      "no-restricted-globals": ["error", ...bannedGlobals],
      "no-restricted-properties": ["error", ...bannedProperties],
      "no-restricted-imports": ["error", { paths: bannedImports }],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: globals.node },
  },
);
