// Benchmarks of @pods/request-pipeline on loopback TCP, each side by side with its baseline in the
// same process: request/response with 64 requests in flight on one channel against one at a time
// (each response awaited before the next request), through the same PipelinedConnection; and the
// same comparison on the bare channel, to show what the pipeline itself costs. Run with
// `pnpm bench`; writes .bench/request-pipeline.json. Each comparison runs twice: with both nodes
// in this process (one event loop does all the work), and with the answering node in a child
// process (two event loops, as in a real deployment).
import { fork, type ChildProcess } from "node:child_process";
import { createCryptoRandom, createTimerScheduler, systemClock } from "@pods/runtime-node";
import {
  createSocketChannel,
  type ChannelNode,
  type SocketAddress,
} from "@pods/single-socket-channel";
import { compareThroughput, writeBenchReport, type BenchResult } from "../../../bench-kit.js";
import { PipelinedConnection } from "../src/index.ts";
import { startServer } from "./server.ts";

const requestBytes = 100;
const window = 64;
const perRound = 2_048;

const env = { clock: systemClock, scheduler: createTimerScheduler(), random: createCryptoRandom() };

/** The answering node: in this process, or in a child process. */
async function server(
  where: "process" | "inline",
): Promise<{ address: SocketAddress; stop: () => Promise<void> }> {
  if (where === "inline") return startServer();
  const child: ChildProcess = fork(new URL("./server.ts", import.meta.url), [], {
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

/** Sends `total` requests one at a time, awaiting each response. */
async function oneByOne(send: () => Promise<unknown>, total: number): Promise<number> {
  for (let i = 0; i < total; i++) await send();
  return total;
}

async function measure(where: "process" | "inline"): Promise<BenchResult[]> {
  const answering = await server(where);
  const client: ChannelNode<Uint8Array, SocketAddress> = createSocketChannel<Uint8Array>({
    nodeId: "athens",
    clusterId: "bench",
    env,
    peers: { byzantium: answering.address },
  });
  const request = new Uint8Array(requestBytes).fill(7);
  const pipeline = new PipelinedConnection(client, {
    peer: "byzantium",
    env,
    inflightMax: window,
    requestTimeoutMs: 30_000,
  });
  const viaPipeline = (): Promise<unknown> => pipeline.send(request);
  const viaChannel = (): Promise<unknown> => client.request("byzantium", request);
  const serverLabel =
    where === "process" ? "answered by another process" : "both ends in one process";
  const results = [
    await compareThroughput({
      name: `PipelinedConnection: ${requestBytes}-byte requests, ${window} in flight, loopback TCP, ${serverLabel}`,
      subject: { work: () => keepFull(viaPipeline, perRound, window) },
      baseline: {
        name: "one in flight (each response awaited), same PipelinedConnection",
        work: () => oneByOne(viaPipeline, perRound / 8),
      },
      rounds: 7,
      roundMs: 700,
      warmupMs: 500,
    }),
    await compareThroughput({
      name: `bare channel.request: ${requestBytes}-byte requests, ${window} in flight, loopback TCP, ${serverLabel}`,
      subject: { work: () => keepFull(viaChannel, perRound, window) },
      baseline: {
        name: "one in flight (each response awaited), bare channel",
        work: () => oneByOne(viaChannel, perRound / 8),
      },
      rounds: 7,
      roundMs: 700,
      warmupMs: 500,
    }),
  ];
  await pipeline.close();
  await client.close();
  await answering.stop();
  return results;
}

writeBenchReport("request-pipeline", "@pods/request-pipeline", [
  ...(await measure("inline")),
  ...(await measure("process")),
]);
