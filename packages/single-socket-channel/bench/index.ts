// Benchmarks of @pods/single-socket-channel on loopback, each side by side with a baseline in the
// same process: (1) one-way throughput of 100-byte messages through the channel against a raw
// node:net socket carrying the same length + CRC32C frames; (2) pipelined requests against one
// request at a time. Run with `pnpm bench`; writes .bench/single-socket-channel.json.
import * as net from "node:net";
import { encodeFrames, FrameDecoder } from "@pods/codec";
import { createCryptoRandom, createTimerScheduler, systemClock } from "@pods/runtime-node";
import { compareThroughput, writeBenchReport } from "../../../bench-kit.js";
import type { Codec } from "@pods/core-interfaces";
import { createSocketChannel } from "../src/index.ts";

const host = "127.0.0.1";
const messageBytes = 100;
const batch = 2_000;

const env = { clock: systemClock, scheduler: createTimerScheduler(), random: createCryptoRandom() };

/** Counts arrivals and wakes up whoever waits for a total. */
function counter() {
  let count = 0;
  let waiter: { target: number; resolve: () => void } | undefined;
  return {
    add(n: number) {
      count += n;
      if (waiter !== undefined && count >= waiter.target) {
        waiter.resolve();
        waiter = undefined;
      }
    },
    until(target: number): Promise<void> {
      if (count >= target) return Promise.resolve();
      return new Promise((resolve) => (waiter = { target, resolve }));
    },
    get count() {
      return count;
    },
  };
}

/** Messages that are bytes already: the channel's own cost, without a serialiser's. */
const bytesCodec: Codec<Uint8Array> = { encode: (bytes) => bytes, decode: (bytes) => bytes };

async function channelPair(codec?: Codec<Uint8Array>) {
  const receiver = createSocketChannel<Uint8Array>({
    nodeId: "byzantium",
    clusterId: "bench",
    env,
    ...(codec && { codec }),
  });
  const received = counter();
  receiver.onMessage(() => received.add(1));
  receiver.onRequest((_from, request) => request);
  const address = await receiver.listen({ host, port: 0 });
  const sender = createSocketChannel<Uint8Array>({
    nodeId: "athens",
    clusterId: "bench",
    env,
    peers: { byzantium: address },
    ...(codec && { codec }),
  });
  return { sender, receiver, received };
}

async function rawPair() {
  const received = counter();
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    const decoder = new FrameDecoder();
    socket.on("data", (chunk: Buffer) => received.add(decoder.push(chunk).length));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as net.AddressInfo;
  const socket = net.connect({ host, port });
  socket.setNoDelay(true);
  await new Promise<void>((resolve) => socket.once("connect", resolve));
  return { server, socket, received };
}

async function throughput(codec: Codec<Uint8Array> | undefined, label: string) {
  const channel = await channelPair(codec);
  const raw = await rawPair();
  const message = new Uint8Array(messageBytes).fill(7);
  // The raw side frames payloads as large as the channel's (envelope byte + msgpack bin header).
  const payloads = Array.from({ length: batch }, () => new Uint8Array(messageBytes + 3).fill(7));
  let channelSent = 0;
  let rawSent = 0;
  const result = await compareThroughput({
    name: `one-way ${messageBytes}-byte messages (${label}), ${batch} per burst, loopback TCP`,
    subject: {
      work: async () => {
        for (let i = 0; i < batch; i++) channel.sender.send("byzantium", message);
        channelSent += batch;
        await channel.received.until(channelSent);
        return batch;
      },
    },
    baseline: {
      name: "raw node:net socket, the same length + CRC32C frames",
      work: async () => {
        raw.socket.write(encodeFrames(payloads));
        rawSent += batch;
        await raw.received.until(rawSent);
        return batch;
      },
    },
    rounds: 7,
    roundMs: 700,
    warmupMs: 500,
  });
  const writes = channel.sender.metrics.writes;
  const frames = channel.sender.metrics.framesSent;
  await Promise.all([channel.sender.close(), channel.receiver.close()]);
  raw.socket.destroy();
  raw.server.close();
  return { ...result, framesPerWrite: Math.round(frames / writes) };
}

async function pipelining() {
  const { sender, receiver } = await channelPair();
  const message = new Uint8Array(messageBytes).fill(3);
  const inflight = 64;
  const result = await compareThroughput({
    name: `requests of ${messageBytes} bytes, ${inflight} in flight, loopback TCP, both ends in this process (one event loop; the two-process figure is in .bench/request-pipeline.json)`,
    subject: {
      work: async () => {
        await Promise.all(
          Array.from({ length: inflight }, () => sender.request("byzantium", message)),
        );
        return inflight;
      },
    },
    baseline: {
      name: "one request at a time",
      work: async () => {
        for (let i = 0; i < inflight; i++) await sender.request("byzantium", message);
        return inflight;
      },
    },
  });
  await Promise.all([sender.close(), receiver.close()]);
  return result;
}

writeBenchReport("single-socket-channel", "@pods/single-socket-channel", [
  await throughput(bytesCodec, "bytes codec"),
  await throughput(undefined, "msgpack codec"),
  await pipelining(),
]);
