// Test harness: a cluster of real node processes on loopback, started from the sources (through
// tsx with the @pods/source condition, so no build is needed), with data in a temp directory.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { freeLoopbackPorts } from "@pods/runtime-node";
import { encodeLayout, type NodeAddress } from "../src/cluster-layout.ts";
import type { KvStatus } from "../src/replica.ts";

/** Run the nodes from the sources (through tsx; no build needed) or from the build in dist/. */
export type NodeProgram = "source" | "dist";

function programArgs(program: NodeProgram): string[] {
  if (program === "dist") return [fileURLToPath(new URL("../dist/node-main.js", import.meta.url))];
  const main = fileURLToPath(new URL("../src/node-main.ts", import.meta.url));
  return ["--import", "tsx", "--conditions=@pods/source", main];
}

/** A running cluster of node processes. */
export interface RealCluster {
  /** The nodes' addresses. */
  readonly layout: readonly NodeAddress[];
  /** Every node's HTTP URL. */
  readonly endpoints: readonly string[];
  /** The HTTP URL of `id`. */
  endpoint(id: string): string;
  /** `id`'s status, or undefined when it does not answer. */
  status(id: string): Promise<KvStatus | undefined>;
  /** Waits until one running node leads and every running node knows it; resolves with its id. */
  waitForLeader(timeoutMs?: number): Promise<string>;
  /** Kills `id` with SIGKILL (no chance to flush anything) and waits for it to exit. */
  kill(id: string): Promise<void>;
  /** Starts `id` again on its data. */
  restart(id: string): void;
  /** Stops every node and removes the data. */
  stop(): Promise<void>;
}

/** Starts one process per id; options are passed to every node as command-line flags. */
export async function startRealCluster(
  ids: readonly string[],
  options: {
    /** Sources (default) or build. */
    readonly program?: NodeProgram;
    /** Extra flags for the node program. */
    readonly args?: readonly string[];
    /** Extra flags for Node itself (e.g. `--cpu-prof`). */
    readonly nodeFlags?: readonly string[];
  } = {},
): Promise<RealCluster> {
  const program = [...(options.nodeFlags ?? []), ...programArgs(options.program ?? "source")];
  const extraArgs = options.args ?? [];
  const dataRoot = await mkdtemp(join(tmpdir(), "pods-kv-cluster-"));
  const layout: NodeAddress[] = [];
  const ports = await freeLoopbackPorts(2 * ids.length);
  ids.forEach((id, n) => layout.push({ id, httpPort: ports[2 * n]!, peerPort: ports[2 * n + 1]! }));
  const processes = new Map<string, ChildProcess>();
  const start = (id: string): void => {
    const child = spawn(
      process.execPath,
      [
        ...program,
        "--id",
        id,
        "--cluster",
        encodeLayout(layout),
        "--data",
        join(dataRoot, id),
        ...extraArgs,
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    // Keep the end of the node's log; print it if the node dies on its own (a crash to debug).
    let tail = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-20_000);
    });
    child.once("exit", (code, signal) => {
      const crashed =
        (code !== null && code !== 0) ||
        (signal !== null && signal !== "SIGTERM" && signal !== "SIGKILL");
      if (crashed) {
        console.error(
          `node ${id} exited by itself (${signal ?? `code ${code}`}); its last log:\n${tail}`,
        );
      }
    });
    processes.set(id, child);
  };
  for (const id of ids) start(id);
  const endpoint = (id: string): string =>
    `http://127.0.0.1:${layout.find((node) => node.id === id)!.httpPort}`;
  const status = async (id: string): Promise<KvStatus | undefined> => {
    try {
      const response = await fetch(`${endpoint(id)}/status`, { signal: AbortSignal.timeout(1000) });
      return (await response.json()) as KvStatus;
    } catch {
      return undefined;
    }
  };
  return {
    layout,
    endpoints: ids.map(endpoint),
    endpoint,
    status,
    async waitForLeader(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const running = [...processes.keys()];
        const views = await Promise.all(running.map(status));
        const leaders = views.filter((view) => view?.role === "leader");
        const leader = leaders[0];
        if (
          leaders.length === 1 &&
          leader !== undefined &&
          views.every((view) => view?.leader === leader.node)
        ) {
          return leader.node;
        }
        await sleep(100);
      }
      throw new Error(`no leader that every running node agrees on within ${timeoutMs} ms`);
    },
    async kill(id) {
      const child = processes.get(id);
      if (child === undefined) return;
      processes.delete(id);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    },
    restart(id) {
      start(id);
    },
    async stop() {
      await Promise.all(
        [...processes.values()].map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once("exit", () => resolve());
              child.kill("SIGTERM");
            }),
        ),
      );
      processes.clear();
      await rm(dataRoot, { recursive: true, force: true });
    },
  };
}
