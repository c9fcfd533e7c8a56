// Benchmarks of @pods/request-batch on loopback TCP, side by side with a baseline in the same
// process: 100-byte requests sent through a RequestBatcher (batches of up to 64) against the same
// requests sent unbatched, each as its own request on the same kind of channel, with the same
// number outstanding. Run with `pnpm bench`; writes .bench/request-batch.json. Each comparison
// runs with both nodes in this process, and with the answering node in a child process.
import { fork } from "node:child_process";
import { createMsgpackCodec } from "@pods/codec";
import { createCryptoRandom, createTimerScheduler, systemClock } from "@pods/runtime-node";
import { createSocketChannel, type SocketAddress } from "@pods/single-socket-channel";
import {
  compareThroughput,
  round,
  writeBenchReport,
  type BenchResult,
} from "../../../bench-kit.js";
import { RequestBatcher, type BatchWire } from "../src/index.ts";
import { startServer } from "./server.ts";

const requestBytes = 100;
const batchCountMax = 64;
const outstanding = 1_024;
const perRound = 8_192;

const env = { clock: systemClock, scheduler: createTimerScheduler(), random: createCryptoRandom() };

async function server(
  where: "process" | "inline",
): Promise<{ address: SocketAddress; stop: () => Promise<void> }> {
  if (where === "inline") return startServer();
  const child = fork(new URL("./server.ts", import.meta.url), [], {
    execArgv: ["--import", "tsx", "--conditions=@pods/source"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const address = await new Promise<SocketAddress>((resolve) =>
    child.once("message", (message) => resolve(message as SocketAddress)),
  );
  return {
    address,
    stop: async () => {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.disconnect();
      await exited;
    },
  };
}

/** Sends `total` requests through `send`, keeping `inflight` of them outstanding at all times. */
function keepFull(send: () => Promise<unknown>, total: number, inflight: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let started = 0;
    let finished = 0;
    const launch = (): void => {
      started++;
      send().then(() => {
        finished++;
        if (started < total) launch();
        else if (finished === total) resolve(total);
      }, reject);
    };
    for (let i = 0; i < Math.min(inflight, total); i++) launch();
  });
}

async function measure(where: "process" | "inline"): Promise<BenchResult> {
  const answering = await server(where);
  const client = createSocketChannel<BatchWire<Uint8Array>>({
    nodeId: "athens",
    clusterId: "bench",
    env,
    peers: { byzantium: answering.address },
  });
  const batcher = new RequestBatcher<Uint8Array>(client, {
    peer: "byzantium",
    env,
    codec: createMsgpackCodec<Uint8Array>(),
    batchCountMax,
    inflightBatchesMax: 16,
    batchTimeoutMs: 30_000,
  });
  const request = new Uint8Array(requestBytes).fill(7);
  const result = await compareThroughput({
    name:
      `RequestBatcher, batches of up to ${batchCountMax}: ${requestBytes}-byte requests, ` +
      `${outstanding} outstanding, loopback TCP, ` +
      (where === "process" ? "answered by another process" : "both ends in one process"),
    subject: { work: () => keepFull(() => batcher.send(request), perRound, outstanding) },
    baseline: {
      name: `unbatched: each request its own channel.request, ${outstanding} outstanding`,
      work: () => keepFull(() => client.request("byzantium", request), perRound, outstanding),
    },
    rounds: 7,
    roundMs: 700,
    warmupMs: 500,
  });
  const metrics = batcher.metrics;
  await batcher.close();
  await client.close();
  await answering.stop();
  return {
    ...result,
    meanBatchRequests: round(metrics.requestsSent / Math.max(1, metrics.batchesSent)),
  };
}

writeBenchReport("request-batch", "@pods/request-batch", [
  await measure("inline"),
  await measure("process"),
]);
