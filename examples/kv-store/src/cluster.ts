// `pnpm cluster`: starts the example store as three node processes on loopback, with data under
// .data/<node>, prints their addresses and a few commands to try, and stops them on Ctrl-C.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { clusterLayout, encodeLayout } from "./cluster-layout.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
const repoRoot = resolve(here, "../../..");
const dataRoot = process.env.PODS_DATA_DIR ?? join(repoRoot, ".data");
// Run the nodes the way this launcher runs: from the sources through tsx (`pnpm cluster`), or
// from the build (dist/cluster.js), with the same Node flags.
const nodeProgram = fileURLToPath(
  new URL(import.meta.url.endsWith(".ts") ? "node-main.ts" : "node-main.js", import.meta.url),
);
const layout = clusterLayout();

const children = new Map<string, ChildProcess>();
let stopping = false;

function startNode(id: string): void {
  mkdirSync(join(dataRoot, id), { recursive: true });
  const child = spawn(
    process.execPath,
    [
      ...process.execArgv,
      nodeProgram,
      "--id",
      id,
      "--cluster",
      encodeLayout(layout),
      "--data",
      join(dataRoot, id),
    ],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  children.set(id, child);
  child.on("exit", (code, signal) => {
    children.delete(id);
    if (!stopping)
      console.error(`node ${id} exited (${signal ?? `code ${code}`}); the others keep serving`);
    if (stopping && children.size === 0) process.exit(0);
  });
}

function stop(): void {
  if (stopping) return;
  stopping = true;
  console.log("\nstopping the cluster...");
  for (const child of children.values()) child.kill("SIGTERM");
  if (children.size === 0) process.exit(0);
}

process.on("SIGINT", stop);
process.on("SIGTERM", stop);

for (const node of layout) startNode(node.id);
console.log(`Pods example cluster: ${layout.length} nodes, data under ${dataRoot}`);
for (const node of layout) console.log(`  ${node.id.padEnd(10)} http://127.0.0.1:${node.httpPort}`);
const first = `http://127.0.0.1:${layout[0]!.httpPort}`;
const second = `http://127.0.0.1:${layout[1]!.httpPort}`;
console.log(`
Try (in another terminal):
  curl -X PUT --data-binary 'Microservices' ${first}/kv/title
  curl ${second}/kv/title
  curl ${first}/status
  pnpm pods-kv put greeting hello && pnpm pods-kv get greeting && pnpm pods-kv status
Stop with Ctrl-C.`);
