// A 3-node replicated-log cluster of child processes on loopback (bench/cluster-node.ts run
// through tsx with the @pods/source condition), each node on its own directory of one temp dir.
import { fork, type ChildProcess } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { freeLoopbackPorts } from "@pods/runtime-node";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ClusterNodeConfig, NodeReply, ParentCommand } from "./cluster-node.ts";

/** A running cluster of node processes. */
export interface ProcessCluster {
  /** Runs the load on the leader and resolves with what it measured. */
  load(command: Extract<ParentCommand, { type: "load" }>): Promise<NodeReply & { type: "load" }>;
  /** Stops every node (each closes its log, synced). */
  stop(): Promise<void>;
}

/** Waits for the next reply of `type` from `child`. */
function nextReply<T extends NodeReply["type"]>(
  child: ChildProcess,
  type: T,
): Promise<NodeReply & { type: T }> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: NodeReply) => {
      if (message.type !== type) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(message as NodeReply & { type: T });
    };
    const onExit = (code: number | null) => {
      child.off("message", onMessage);
      reject(new Error(`bench node exited with code ${code} while waiting for "${type}"`));
    };
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

/** Starts `ids` as processes under `root`, elects the first, and waits until it leads. */
export async function startProcessCluster(
  root: string,
  ids: readonly string[],
): Promise<ProcessCluster> {
  const ports: Record<string, number> = {};
  const free = await freeLoopbackPorts(ids.length);
  ids.forEach((id, n) => (ports[id] = free[n]!));
  const program = fileURLToPath(new URL("./cluster-node.ts", import.meta.url));
  const children = await Promise.all(
    ids.map(async (id) => {
      const dataDir = join(root, id);
      await mkdir(dataDir, { recursive: true });
      const config: ClusterNodeConfig = { id, dataDir, ports };
      const child = fork(program, [JSON.stringify(config)], {
        execArgv: ["--import", "tsx", "--conditions=@pods/source"],
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
      await nextReply(child, "started");
      return child;
    }),
  );
  const send = (child: ChildProcess, command: ParentCommand) => child.send(command);
  const leader = children[0]!;
  send(leader, { type: "campaign" });
  for (;;) {
    const status = nextReply(leader, "status");
    send(leader, { type: "status" });
    if ((await status).isLeader) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    async load(command) {
      const result = nextReply(leader, "load");
      send(leader, command);
      return result;
    },
    async stop() {
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              child.once("exit", () => resolve());
              send(child, { type: "stop" });
            }),
        ),
      );
    },
  };
}
