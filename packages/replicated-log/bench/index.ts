// Benchmarks of @pods/replicated-log on the real file system, side by side with a baseline of
// the same durability (DESIGN.md, "Benchmarks"):
// 1. the headline (issue 6, benchmark 1): committed writes per second of a 3-node cluster of
//    processes on loopback (bench/cluster-node.ts: the single-socket channel between them), 64
//    concurrent proposers on the leader, 100-byte commands, every entry synced before it is
//    acknowledged, with p50/p99 latency — against single-node write-ahead-log group commit (64
//    appenders, sync "always") on the same disk, in alternating rounds of the same run;
// 2. committed writes per second of a 3-node cluster in one process (each node on its own temp
//    directory of the same disk, every entry synced before it is acknowledged; messages passed
//    in memory), 64 concurrent proposals of 100 bytes, with p50/p99 latency — against
//    single-node write-ahead-log group-commit appends (sync "always") at the same concurrency,
//    the limit when three nodes share one disk;
// 3. linearizable reads per second on the leader: ReadIndex (a heartbeat round per batch of
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
import { startProcessCluster } from "./process-cluster.ts";

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

/** Single-node WAL group commit: `concurrency` appenders of 100 B, sync always, for `durationMs`. */
async function walAppendsPerSecond(wal: WriteAheadLog, durationMs: number): Promise<number> {
  let appends = 0;
  const startMs = systemClock.monotonicMs();
  const stopMs = startMs + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (systemClock.monotonicMs() < stopMs) {
        await wal.append({ payload: value });
        appends++;
      }
    }),
  );
  return (appends * 1000) / (systemClock.monotonicMs() - startMs);
}

const median = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function processClusterWrites(): Promise<BenchResult> {
  const cluster = await startProcessCluster(join(root, "processes"), ids);
  const wal = await WriteAheadLog.open(await envAt("process-baseline"), { sync: "always" });
  const load = { type: "load", concurrency, valueBytes: value.length } as const;
  try {
    await cluster.load({ ...load, durationMs: 1_000 });
    await walAppendsPerSecond(wal, 500);
    const runs: { ops: number; p50Ms: number; p99Ms: number; errors: number; wal: number }[] = [];
    for (let at = 0; at < 5; at++) {
      const result = await cluster.load({ ...load, durationMs: 2_000 });
      runs.push({
        ops: result.opsPerSecond,
        ...result,
        wal: await walAppendsPerSecond(wal, 2_000),
      });
    }
    const ops = median(runs.map((run) => run.ops));
    const walOps = median(runs.map((run) => run.wal));
    return {
      name: `3-node replicated log, processes on loopback (single-socket channel): committed writes/s, ${concurrency} concurrent proposers, 100-byte commands, synced`,
      value: round(ops),
      unit: "ops/s",
      baseline: {
        name: `single-node write-ahead log, group commit (${concurrency} appenders, sync always), same disk`,
        value: round(walOps),
      },
      ratio: round(ops / walOps, 3),
      p50Ms: round(median(runs.map((run) => run.p50Ms)), 2),
      p99Ms: round(median(runs.map((run) => run.p99Ms)), 2),
      errors: runs.reduce((sum, run) => sum + run.errors, 0),
    };
  } finally {
    await cluster.stop();
    await wal.close();
  }
}

const headline = await processClusterWrites();

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
  name: `3-node replicated log in one process (messages in memory): committed writes/s, ${concurrency} concurrent, 100-byte values, synced`,
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
  headline,
  { ...writes, p50Ms: percentile(0.5), p99Ms: percentile(0.99) },
  reads,
];
writeBenchReport("replicated-log", "@pods/replicated-log", results);

await Promise.all(nodes.map((node) => node.close()));
await wal.close();
await rm(root, { recursive: true, force: true });
process.exit(0);
