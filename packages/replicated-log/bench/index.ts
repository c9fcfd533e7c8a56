// Benchmarks of @pods/replicated-log on the real file system, side by side with a baseline of
// the same durability (DESIGN.md, "Benchmarks"):
// 1. committed writes per second of a 3-node cluster in one process (each node on its own temp
//    directory of the same disk, every entry synced before it is acknowledged; messages passed
//    in memory), 64 concurrent proposals of 100 bytes, with p50/p99 latency — against
//    single-node write-ahead-log group-commit appends (sync "always") at the same concurrency,
//    the limit when three nodes share one disk;
// 2. linearizable reads per second on the leader: ReadIndex (a heartbeat round per batch of
//    reads) against lease reads.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  noopLogger,
  type CommittedCommand,
  type Env,
  type MessageHandler,
  type NodeId,
  type StateMachine,
  type Transport,
} from "@pods/core-interfaces";
import {
  createCryptoRandom,
  createFsDisk,
  createTimerScheduler,
  systemClock,
} from "@pods/runtime-node";
import { WriteAheadLog } from "@pods/write-ahead-log";
import {
  compareThroughput,
  round,
  writeBenchReport,
  type BenchResult,
} from "../../../bench-kit.js";
import { ReplicatedLog, type RaftMessage } from "../src/index.ts";

const root = await mkdtemp(join(tmpdir(), "pods-bench-replicated-log-"));
const concurrency = 64;
const value = new Uint8Array(100).fill(7);
const scheduler = createTimerScheduler();

async function envAt(name: string): Promise<Env> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  return {
    clock: systemClock,
    scheduler,
    random: createCryptoRandom(),
    disk: createFsDisk(dir),
    logger: noopLogger,
  };
}

/** An in-memory network: each message is delivered on a later turn of the event loop. */
function network(ids: readonly NodeId[]): Map<NodeId, Transport<RaftMessage>> {
  const handlers = new Map<NodeId, MessageHandler<RaftMessage>[]>();
  const transports = new Map<NodeId, Transport<RaftMessage>>();
  for (const id of ids) {
    handlers.set(id, []);
    transports.set(id, {
      localId: id,
      send: (to, message) => {
        setImmediate(() => {
          for (const handler of handlers.get(to) ?? []) handler(id, message);
        });
      },
      onMessage: (handler) => {
        handlers.get(id)!.push(handler);
        return () => undefined;
      },
      close: () => Promise.resolve(),
    });
  }
  return transports;
}

class Counter implements StateMachine<number> {
  count = 0;
  apply(_command: CommittedCommand): number {
    return ++this.count;
  }
  snapshot(): Uint8Array {
    return Uint8Array.of(this.count & 255);
  }
  restore(): void {
    this.count = 0;
  }
}

const ids = ["athens", "byzantium", "cyrene"];
const transports = network(ids);
const nodes = await Promise.all(
  ids.map(async (id) =>
    ReplicatedLog.start({
      env: await envAt(id),
      transport: transports.get(id)!,
      voters: ids,
      stateMachine: new Counter(),
      electionTimeoutMs: 300,
      heartbeatIntervalMs: 50,
      leaseReads: true,
    }),
  ),
);
nodes[0]!.campaign();
while (!nodes[0]!.isLeader) await new Promise((resolve) => setTimeout(resolve, 10));
const leader = nodes[0]!;

const baselineEnv = await envAt("baseline");
const wal = await WriteAheadLog.open(baselineEnv, { sync: "always" });

const latencies: number[] = [];
async function timed(operation: () => Promise<unknown>): Promise<void> {
  const start = systemClock.monotonicMs();
  await operation();
  latencies.push(systemClock.monotonicMs() - start);
}

const many = (operation: () => Promise<unknown>) => async () => {
  await Promise.all(Array.from({ length: concurrency }, () => operation()));
  return concurrency;
};

const writes = await compareThroughput({
  name: `3-node replicated log: committed writes/s, ${concurrency} concurrent, 100-byte values, synced`,
  subject: { work: many(() => timed(() => leader.propose(value))) },
  baseline: {
    name: "single-node write-ahead log, group-commit appends (sync always), same disk",
    work: many(() => wal.append({ payload: value })),
  },
  rounds: 5,
  roundMs: 1500,
  warmupMs: 500,
});
latencies.sort((a, b) => a - b);
const percentile = (p: number) => round(latencies[Math.floor((latencies.length - 1) * p)]!, 2);

const reads = await compareThroughput({
  name: `ReadIndex reads/s on the leader, ${concurrency} concurrent`,
  subject: { work: many(() => leader.read()) },
  baseline: { name: "lease reads on the leader", work: many(() => leader.read("lease")) },
  rounds: 5,
  roundMs: 1000,
  warmupMs: 300,
});

const results: BenchResult[] = [
  { ...writes, p50Ms: percentile(0.5), p99Ms: percentile(0.99) },
  reads,
];
writeBenchReport("replicated-log", "@pods/replicated-log", results);

await Promise.all(nodes.map((node) => node.close()));
await wal.close();
await rm(root, { recursive: true, force: true });
process.exit(0);
