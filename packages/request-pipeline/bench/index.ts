// Benchmarks of @pods/request-pipeline on loopback TCP: request/response with 64 requests in
// flight on one channel against one in flight (each response awaited before the next request is
// sent) on the very same PipelinedConnection, and the same comparison on the bare channel to show
// what the pipeline itself costs. Run with `pnpm bench`; writes .bench/request-pipeline.json.
//
// What is measured is what ships: the packages are imported by name without the `@pods/source`
// condition, so they resolve to the built `dist/` (checked to be newer than the sources). Each
// comparison runs with the answering node in a child process (two event loops on two cores, as
// in a cluster) and with both nodes in this process (one event loop does all the work). Both
// sides are warmed up, then measured in alternating rounds; the report gives medians, the range
// of each side and of the per-round ratios, and the CPU time per request of each process.
import { fork } from "node:child_process";
import { PipelinedConnection } from "@pods/request-pipeline";
import { createCryptoRandom, createTimerScheduler, systemClock } from "@pods/runtime-node";
import { createSocketChannel, type SocketAddress } from "@pods/single-socket-channel";
import { writeBenchReport, type BenchResult } from "../../../bench-kit.js";
import { assertBuilt, compareInRounds, processCpuUs, type CpuReader } from "./rounds.ts";
import { startServer, type ServerReport } from "./server.ts";

const requestBytes = 100;
const window = 64;
const perRound = 4_096;
const timing = { rounds: 9, roundMs: 600, warmupMs: 1_000 };

assertBuilt(["codec", "singular-update-queue", "single-socket-channel", "request-pipeline"]);

const env = { clock: systemClock, scheduler: createTimerScheduler(), random: createCryptoRandom() };

interface Answering {
  readonly address: SocketAddress;
  readonly cpu: CpuReader;
  readonly stop: () => Promise<void>;
}

/** The answering node: in a child process (the default), or in this one. */
async function answering(where: "process" | "inline"): Promise<Answering> {
  if (where === "inline") {
    const inline = await startServer();
    return { ...inline, cpu: () => Promise.resolve({ bothEnds: processCpuUs() }) };
  }
  const child = fork(new URL("./server.ts", import.meta.url), [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const next = (): Promise<ServerReport> =>
    new Promise((resolve) => child.once("message", (report) => resolve(report as ServerReport)));
  const first = await next();
  if (!("address" in first)) throw new Error("the answering process did not report its address");
  return {
    address: first.address,
    cpu: async () => {
      const reply = next();
      child.send("cpu");
      const report = await reply;
      return { client: processCpuUs(), server: "cpuUs" in report ? report.cpuUs : NaN };
    },
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
  const server = await answering(where);
  const client = createSocketChannel<Uint8Array>({
    nodeId: "athens",
    clusterId: "bench",
    env,
    peers: { byzantium: server.address },
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
  const label = where === "process" ? "answered by another process" : "both ends in one process";
  const results = [
    await compareInRounds({
      name: `PipelinedConnection: ${requestBytes}-byte requests, ${window} in flight, loopback TCP, ${label}`,
      subject: {
        name: `${window} in flight`,
        work: () => keepFull(viaPipeline, perRound, window),
      },
      baseline: {
        name: "one in flight (each response awaited), same PipelinedConnection",
        work: () => oneByOne(viaPipeline, perRound / 16),
      },
      cpu: server.cpu,
      ...timing,
    }),
    await compareInRounds({
      name: `bare channel.request: ${requestBytes}-byte requests, ${window} in flight, loopback TCP, ${label}`,
      subject: {
        name: `${window} in flight`,
        work: () => keepFull(viaChannel, perRound, window),
      },
      baseline: {
        name: "one in flight (each response awaited), bare channel",
        work: () => oneByOne(viaChannel, perRound / 16),
      },
      cpu: server.cpu,
      ...timing,
    }),
  ];
  await pipeline.close();
  await client.close();
  await server.stop();
  return results;
}

writeBenchReport("request-pipeline", "@pods/request-pipeline", [
  ...(await measure("process")),
  ...(await measure("inline")),
]);
