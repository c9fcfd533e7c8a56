import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

let dataDir: string;
let children: ChildProcess[];

/** Starts a fixture under tsx, resolving workspace packages to their sources. */
function runFixture(
  name: string,
  ...args: string[]
): ChildProcess & { stdout: Readable; stderr: Readable } {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=@pods/source", join("test", "fixtures", name), ...args],
    { cwd: packageDir, stdio: ["ignore", "pipe", "pipe"] },
  );
  children.push(child);
  return child;
}

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "pods-real-process-"));
  children = [];
});

afterEach(async () => {
  // A failed test must not leave its child running.
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await rm(dataDir, { recursive: true, force: true });
});

describe("a real process", () => {
  // kill -9 ends the process, not the machine: the kernel keeps its page cache, so this checks the
  // write path and that a sync is acknowledged only after its data reached the file, not what a
  // power loss would keep (the simulated disk's crash cases cover that).
  it(
    "killed with SIGKILL keeps every record whose sync had resolved",
    { timeout: 30_000 },
    async () => {
      const child = runFixture("synced-writer.ts", dataDir);
      let output = "";
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<NodeJS.Signals | null>((resolve) => {
        child.on("exit", (_code, signal) => resolve(signal));
      });
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          output += chunk.toString();
          if (output.split("\n").length > 200) {
            child.kill("SIGKILL");
            resolve();
          }
        });
        child.on("exit", () => reject(new Error(`the writer exited early: ${stderr}`)));
      });
      expect(await exited).toBe("SIGKILL");
      const acknowledged = output
        .split("\n")
        .filter((line) => line !== "")
        .map(Number);
      const lastAcknowledged = acknowledged[acknowledged.length - 1] ?? -1;
      expect(acknowledged).toEqual(acknowledged.map((_, index) => index));
      const content = await readFile(join(dataDir, "wal", "log"), "utf8");
      const records = content.match(/.{31}\n/g) ?? [];
      expect(records.length).toBeGreaterThan(lastAcknowledged);
      records.slice(0, lastAcknowledged + 1).forEach((record, index) => {
        expect(record).toBe(`record ${index}`.padEnd(31, ".") + "\n");
      });
    },
  );

  it("exits while an unref'd scheduler still has a task pending", { timeout: 30_000 }, async () => {
    const child = runFixture("unref-timer.ts");
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).toBe(0);
    expect(output).toBe("near task ran\n");
  });
});
