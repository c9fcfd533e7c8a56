// The node program: `node node-main.js --id athens --cluster athens@7001@7101,... --data DIR`.
// Started by `pnpm cluster` (and by the tests and benchmarks); stops cleanly on SIGINT/SIGTERM.
import { parseArgs } from "node:util";
import { decodeLayout } from "./cluster-layout.ts";
import { startKvNode } from "./kv-node.ts";

const usage =
  "usage: node-main --id <node> --cluster <id@httpPort@peerPort,...> --data <dir> [--no-lease-reads]";

function fail(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      id: { type: "string" },
      cluster: { type: "string" },
      data: { type: "string" },
      "no-lease-reads": { type: "boolean", default: false },
    },
  }).values;
} catch (error) {
  fail(String(error));
}
const { id, cluster, data } = parsed;
if (id === undefined || cluster === undefined || data === undefined) fail("missing an option");

let layout;
try {
  layout = decodeLayout(cluster);
} catch (error) {
  fail(String(error));
}

const node = await startKvNode({
  id,
  cluster: layout,
  dataDir: data,
  leaseReads: !parsed["no-lease-reads"],
});

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  node.close().then(
    () => process.exit(0),
    (error: unknown) => {
      node.logger.error("close-failed", { error: String(error) });
      process.exit(1);
    },
  );
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
