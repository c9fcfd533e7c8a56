import * as net from "node:net";
import { encodeFrame, readFrame } from "@pods/codec";
import { UnreachableError } from "@pods/core-interfaces";
import { afterEach, describe, expect, it } from "vitest";
import { SendQueueFullError, type ChannelNode, type SocketAddress } from "../src/index.ts";
import { decodeHandshake, encodeHandshake } from "../src/handshake.ts";
import type { Message } from "./sim-cluster.ts";
import { eventually, loopback, startTcpNode } from "./tcp-helpers.ts";

// Back-pressure over real TCP: a peer that completes the handshake and then stops reading. The
// sender's queue fills to sendQueueBytesMax and refuses more with SendQueueFullError instead of
// growing; once the peer reads again, the socket drains and the queue empties.

const open: ChannelNode<Message, SocketAddress>[] = [];
const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((channel) => channel.close()));
  for (const server of servers.splice(0)) server.close();
});

/** A peer that speaks just the handshake, then reads only when told to. */
async function stubbornPeer() {
  let socket: net.Socket | undefined;
  let receivedBytes = 0;
  const server = net.createServer((connection) => {
    socket = connection;
    let buffered = new Uint8Array(0);
    const onHandshake = (chunk: Buffer): void => {
      buffered = Uint8Array.from([...buffered, ...chunk]);
      const result = readFrame(buffered, 0, { frameBytesMax: 1024 });
      if (result.status !== "frame") return;
      const hello = decodeHandshake(result.payload);
      const welcome = { ...hello, kind: "welcome", nodeId: "byzantium", dialSeq: 0 } as const;
      connection.write(encodeFrame(encodeHandshake(welcome)));
      connection.off("data", onHandshake);
      connection.on("data", (data: Buffer) => (receivedBytes += data.length));
      connection.pause();
    };
    connection.on("data", onHandshake);
    connection.on("error", () => undefined);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, loopback, resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    address: { host: loopback, port },
    resume: () => socket?.resume(),
    receivedBytes: () => receivedBytes,
  };
}

describe("back-pressure", () => {
  it("bounds the send queue with a typed error, honours drain, and recovers", async () => {
    const peer = await stubbornPeer();
    const sendQueueBytesMax = 1024 * 1024;
    const athens = await startTcpNode("athens", {
      peers: { byzantium: peer.address },
      port: false,
      sendQueueBytesMax,
      frameBytesMax: 256 * 1024,
      readIdleTimeoutMs: 60_000,
    });
    open.push(athens.channel);
    const blob: Message = { type: "blob", bytes: new Uint8Array(64 * 1024) };
    athens.channel.send("byzantium", { type: "note", producer: "athens", n: 0 });
    await eventually(() => athens.channel.status("byzantium")?.state === "connected");

    let full: unknown;
    let sent = 0;
    // Send in steps, letting the writer flush between them, until the queue refuses (guarded).
    for (let step = 0; step < 4_000 && full === undefined; step++) {
      try {
        athens.channel.send("byzantium", blob);
        sent++;
      } catch (error) {
        full = error;
      }
      if (step % 8 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(full).toBeInstanceOf(SendQueueFullError);
    expect(full).toBeInstanceOf(UnreachableError);
    expect((full as SendQueueFullError).sendQueueBytesMax).toBe(sendQueueBytesMax);
    const status = athens.channel.status("byzantium");
    expect(status?.state).toBe("connected");
    expect(status?.queuedBytes).toBeLessThanOrEqual(sendQueueBytesMax);
    expect(status?.queuedBytes).toBeGreaterThan(sendQueueBytesMax - 2 * 64 * 1024);
    // Some of it went out before the socket stopped draining: the queue held back the rest.
    expect(athens.channel.metrics.writes).toBeGreaterThan(1);
    expect(athens.channel.metrics.sendQueueFull).toBe(1);

    peer.resume();
    await eventually(() => athens.channel.status("byzantium")?.queuedBytes === 0, 20_000);
    athens.channel.send("byzantium", blob);
    sent++;
    await eventually(() => peer.receivedBytes() >= sent * 64 * 1024, 20_000);
  }, 60_000);
});
