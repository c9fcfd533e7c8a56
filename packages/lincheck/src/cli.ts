#!/usr/bin/env node
// The `pods-lincheck` command: a thin shell around runCli (src/cli-run.ts) that wires it to the
// file system and the standard streams.
import { readFileSync } from "node:fs";
import { runCli } from "./cli-run.ts";

process.exitCode = runCli(process.argv.slice(2), {
  readFile: (path) => readFileSync(path, "utf8"),
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
});
