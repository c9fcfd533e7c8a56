import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatHybridTimestamp, PersistentHybridClock } from "@pods/hybrid-clock";
import { createNodeEnv } from "@pods/runtime-node";

const env = await createNodeEnv({ dataDir: join(tmpdir(), "pods-hybrid-clock-example") });
// Reads the bound the previous run persisted, starts above it, and persists a new one.
const clock = await PersistentHybridClock.open({
  clock: env.clock,
  disk: env.disk,
  nodeId: "athens",
});

const stamp = clock.now(); // still synchronous: bound writes run ahead of need, in the background
await clock.persisted(); // resolves at once unless a stamp outran the bound (see below)
console.log(formatHybridTimestamp(stamp), "< bound", clock.persistence.boundMs);
await clock.close();
