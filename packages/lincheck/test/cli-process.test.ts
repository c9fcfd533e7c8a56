// Runs the real `pods-lincheck` command as a child process on the shared test data. In a clean
// checkout nothing is built, so the TypeScript entry point runs through tsx (a root devDependency).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const tsx = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));
const testdata = fileURLToPath(
  new URL("../../../../shared/testdata/linearizability/", import.meta.url),
);

function podsLincheck(...args: string[]): { status: number | null; stdout: string } {
  const child = spawnSync(tsx, ["--conditions=@pods/source", "src/cli.ts", ...args], {
    cwd: packageDir,
    encoding: "utf8",
  });
  return { status: child.status, stdout: child.stdout };
}

it("pods-lincheck prints a verdict per file and exits 1 when one is not linearizable", () => {
  const linearizable = `${testdata}etcd/etcd_002.json`;
  const violated = `${testdata}kv/c10-bad.json`;
  const { status, stdout } = podsLincheck(linearizable, violated);
  const lines = stdout.split("\n");
  expect(lines[0]).toBe(`${linearizable}: linearizable`);
  expect(lines[1]).toBe(`${violated}: not linearizable`);
  expect(lines[2]).toMatch(/^ {2}in key "\d+" \(\d+ operations\):$/);
  expect(status).toBe(1);
});

it("pods-lincheck exits 0 when every file is linearizable, and 2 on a missing file", () => {
  expect(podsLincheck(`${testdata}kv/c01-ok.json`).status).toBe(0);
  expect(podsLincheck(`${testdata}no-such-file.json`).status).toBe(2);
});
