import * as net from "node:net";
import { encodeFrame } from "@pods/codec";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import type { ChannelNode, SocketAddress } from "../src/index.ts";
import { encodeHandshake, protocolVersion } from "../src/handshake.ts";
import type { Message } from "./sim-cluster.ts";
import { loopback, startTcpNode } from "./tcp-helpers.ts";

// Random bytes thrown at a listening node over real TCP: every bad connection closes alone, and a
// legitimate peer still connects and exchanges messages afterwards.

const open: ChannelNode<Message, SocketAddress>[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((channel) => channel.close()));
});

const hello = encodeFrame(
  encodeHandshake({
    kind: "hello",
    nodeId: "fuzzer",
    clusterId: "pods-test",
    instance: 1,
    dialSeq: 1,
  }),
);

/** Writes `bytes` on a fresh connection, ends it, and resolves once the socket has closed. */
function throwAt(port: number, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: loopback, port }, () => {
      socket.write(bytes);
      socket.end();
    });
    socket.on("data", () => undefined);
    socket.on("error", () => undefined);
    socket.on("close", () => resolve());
  });
}

const garbage = fc.oneof(
  fc.uint8Array({ maxLength: 4096 }),
  // Starts like a Pods handshake, then goes wrong anywhere.
  fc
    .uint8Array({ maxLength: 256 })
    .map((tail) => Uint8Array.from([...hello.subarray(0, 12), ...tail])),
  // A valid hello, then arbitrary frames and bytes on the established connection.
  fc.uint8Array({ maxLength: 1024 }).map((tail) => Uint8Array.from([...hello, ...tail])),
  // A valid hello, then a header claiming up to 4 GiB.
  fc.integer({ min: 0, max: 0xffffffff }).map((length) => {
    const header = new Uint8Array(8);
    new DataView(header.buffer).setUint32(0, length);
    return Uint8Array.from([...hello, ...header]);
  }),
  // A handshake of another protocol version.
  fc.constant(Uint8Array.from([...hello.subarray(0, 12), protocolVersion + 1])),
);

describe("fuzzing a listening node", () => {
  it("survives random bytes and keeps serving legitimate peers", async () => {
    const target = await startTcpNode("athens", { frameBytesMax: 64 * 1024 });
    open.push(target.channel);
    target.channel.onRequest((_from, request) => ({
      type: "answer",
      n: request.type === "ask" ? request.n * 2 : -1,
    }));
    const { port } = target.address as SocketAddress;

    await fc.assert(
      fc.asyncProperty(garbage, async (bytes) => {
        await throwAt(port, bytes);
      }),
      { numRuns: 150 },
    );
    expect(target.channel.metrics.handshakesRefused).toBeGreaterThan(0);

    const peer = await startTcpNode("byzantium", {
      peers: { athens: { host: loopback, port } },
      port: false,
    });
    open.push(peer.channel);
    const notes: number[] = [];
    target.channel.onMessage((_from, message) => message.type === "note" && notes.push(message.n));
    for (let n = 0; n < 10; n++)
      peer.channel.send("athens", { type: "note", producer: "byzantium", n });
    expect(await peer.channel.request("athens", { type: "ask", n: 21 })).toEqual({
      type: "answer",
      n: 42,
    });
    expect(notes).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  }, 60_000);
});
