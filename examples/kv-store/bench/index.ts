// Benchmarks of the example store (issue 6), in one run on this machine:
// 1. a 3-node Pods cluster of processes on loopback, 64 concurrent clients writing 100-byte
//    values with synced entries, through the HTTP API: committed writes/s and p50/p99 latency,
//    against single-node write-ahead-log group-commit appends on the same disk;
// 2. the same load against a 3-member etcd cluster through its JSON gateway;
// 3. linearizable reads (ReadIndex) against lease reads, and against etcd's linearizable range.
// The two clusters run side by side; their rounds alternate so machine noise hits both alike.
// Results go to .bench/kv-store.json (the replicated log without HTTP: .bench/replicated-log.json,
// from packages/replicated-log's own bench).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFsDisk, createTimerScheduler, systemClock } from "@pods/runtime-node";
import { WriteAheadLog } from "@pods/write-ahead-log";
import { round, writeBenchReport, type BenchResult } from "../../../bench-kit.js";
import { startRealCluster } from "../test/real-cluster.ts";
import { startEtcdCluster } from "./etcd-cluster.ts";
import { runLoad, type LoadRequest, type LoadResult } from "./load.ts";

const clients = 64;
const valueBytes = 100;
const rounds = 3;
const timing = { warmupMs: 1_000, durationMs: 5_000 };
const keysPerClient = 1_000;
const value = new Uint8Array(valueBytes).fill(0x61);
const etcdValue = Buffer.from(value).toString("base64");

function median(results: LoadResult[]): LoadResult {
  const pick = (of: (result: LoadResult) => number): number => {
    const sorted = results.map(of).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  };
  return {
    opsPerSecond: pick((result) => result.opsPerSecond),
    p50Ms: pick((result) => result.p50Ms),
    p99Ms: pick((result) => result.p99Ms),
    errors: results.reduce((sum, result) => sum + result.errors, 0),
  };
}

function key(client: number, n: number): string {
  return `k${client}-${n % keysPerClient}`;
}

/** Single-node WAL group commit: 64 appenders of 100 B, sync always, for the measured time. */
async function walAppendsPerSecond(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), "pods-bench-kv-wal-"));
  const wal = await WriteAheadLog.open(
    {
      disk: createFsDisk(dir),
      clock: systemClock,
      scheduler: createTimerScheduler({ unref: true }),
    },
    { sync: "always" },
  );
  let appends = 0;
  const stopAt = performance.now() + timing.durationMs;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < stopAt) {
        await wal.append({ payload: value });
        appends++;
      }
    }),
  );
  await wal.close();
  await rm(dir, { recursive: true, force: true });
  return (appends * 1000) / timing.durationMs;
}

const pods = await startRealCluster(["athens", "byzantium", "cyrene"], { program: "dist" });
const etcd = await startEtcdCluster();
try {
  const podsLeader = new URL(pods.endpoint(await pods.waitForLeader()));
  const etcdLeader = new URL(await etcd.leaderUrl());
  const podsPut = (client: number, n: number): LoadRequest => ({
    method: "PUT",
    url: new URL(`/kv/${key(client, n)}`, podsLeader),
    body: value,
  });
  const etcdPut = (client: number, n: number): LoadRequest => ({
    method: "POST",
    url: new URL("/v3/kv/put", etcdLeader),
    body: JSON.stringify({ key: Buffer.from(key(client, n)).toString("base64"), value: etcdValue }),
  });
  const podsGet =
    (consistency: string) =>
    (client: number, n: number): LoadRequest => ({
      method: "GET",
      url: new URL(`/kv/${key(client, n)}?consistency=${consistency}`, podsLeader),
    });
  const etcdGet = (client: number, n: number): LoadRequest => ({
    method: "POST",
    url: new URL("/v3/kv/range", etcdLeader),
    body: JSON.stringify({ key: Buffer.from(key(client, n)).toString("base64") }),
  });
  const ok404 = (status: number): boolean => (status >= 200 && status < 300) || status === 404;

  const runs = { podsPut: [], etcdPut: [], wal: [], readIndex: [], lease: [], etcdRange: [] } as {
    podsPut: LoadResult[];
    etcdPut: LoadResult[];
    wal: number[];
    readIndex: LoadResult[];
    lease: LoadResult[];
    etcdRange: LoadResult[];
  };
  for (let at = 0; at < rounds; at++) {
    runs.podsPut.push(await runLoad({ clients, ...timing, next: podsPut }));
    runs.etcdPut.push(await runLoad({ clients, ...timing, next: etcdPut }));
    runs.wal.push(await walAppendsPerSecond());
  }
  for (let at = 0; at < rounds; at++) {
    runs.readIndex.push(
      await runLoad({ clients, ...timing, next: podsGet("linearizable"), ok: ok404 }),
    );
    runs.lease.push(await runLoad({ clients, ...timing, next: podsGet("lease"), ok: ok404 }));
    runs.etcdRange.push(await runLoad({ clients, ...timing, next: etcdGet }));
  }
  const podsPutMedian = median(runs.podsPut);
  const etcdPutMedian = median(runs.etcdPut);
  const walMedian = [...runs.wal].sort((a, b) => a - b)[Math.floor(rounds / 2)]!;
  const latency = (result: LoadResult): Record<string, number> => ({
    p50Ms: round(result.p50Ms, 2),
    p99Ms: round(result.p99Ms, 2),
    errors: result.errors,
  });
  const replicated: BenchResult[] = [
    {
      name: `3-node cluster, processes on loopback, ${clients} clients, ${valueBytes} B values, synced: committed writes`,
      value: round(podsPutMedian.opsPerSecond),
      unit: "ops/s",
      baseline: {
        name: `single-node write-ahead-log group commit, ${clients} appenders, sync always`,
        value: round(walMedian),
      },
      ratio: round(podsPutMedian.opsPerSecond / walMedian, 3),
      ...latency(podsPutMedian),
    },
  ];
  const readIndex = median(runs.readIndex);
  const lease = median(runs.lease);
  const etcdRange = median(runs.etcdRange);
  const versusEtcd: BenchResult[] = [
    {
      name: `committed writes, ${clients} clients, ${valueBytes} B values (Pods kv-store vs etcd 3.4, both 3 nodes on loopback)`,
      value: round(podsPutMedian.opsPerSecond),
      unit: "ops/s",
      baseline: {
        name: "etcd JSON gateway PUT /v3/kv/put",
        value: round(etcdPutMedian.opsPerSecond),
      },
      ratio: round(podsPutMedian.opsPerSecond / etcdPutMedian.opsPerSecond, 3),
      ...latency(podsPutMedian),
      etcdP50Ms: round(etcdPutMedian.p50Ms, 2),
      etcdP99Ms: round(etcdPutMedian.p99Ms, 2),
    },
    {
      name: `linearizable reads (ReadIndex), ${clients} clients, vs lease reads`,
      value: round(readIndex.opsPerSecond),
      unit: "ops/s",
      baseline: {
        name: "lease reads (rely on bounded clock drift)",
        value: round(lease.opsPerSecond),
      },
      ratio: round(readIndex.opsPerSecond / lease.opsPerSecond, 3),
      ...latency(readIndex),
    },
    {
      name: `linearizable reads (ReadIndex), ${clients} clients, vs etcd linearizable range`,
      value: round(readIndex.opsPerSecond),
      unit: "ops/s",
      baseline: {
        name: "etcd JSON gateway POST /v3/kv/range",
        value: round(etcdRange.opsPerSecond),
      },
      ratio: round(readIndex.opsPerSecond / etcdRange.opsPerSecond, 3),
      etcdP50Ms: round(etcdRange.p50Ms, 2),
      etcdP99Ms: round(etcdRange.p99Ms, 2),
    },
  ];
  writeBenchReport("kv-store", "@pods/example-kv-store", [...replicated, ...versusEtcd]);
} finally {
  await pods.stop();
  await etcd.stop();
}
