import * as tls from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import {
  ConnectionLostError,
  type ChannelNode,
  type HandshakeError,
  type SocketAddress,
} from "../src/index.ts";
import type { Message } from "./sim-cluster.ts";
import { certificates, eventually, loopback, rejectionOf, startTcpNode } from "./tcp-helpers.ts";

// Mutual TLS on 127.0.0.1: members of the cluster CA talk; a certificate from another CA, no
// certificate, a certificate naming another node, and plain TCP are refused, and the listener
// keeps serving its members.

const open: ChannelNode<Message, SocketAddress>[] = [];
async function node(...args: Parameters<typeof startTcpNode>) {
  const started = await startTcpNode(...args);
  open.push(started.channel);
  return started;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((channel) => channel.close()));
});

async function tlsByzantium() {
  const byzantium = await node("byzantium", { tls: certificates("byzantium") });
  byzantium.channel.onRequest((from, request) => ({
    type: "answer",
    n: request.type === "ask" ? request.n * 2 : -1,
  }));
  return { ...byzantium, peers: { byzantium: byzantium.address as SocketAddress } };
}

async function expectMemberStillServed(peers: { byzantium: SocketAddress }): Promise<void> {
  const athens = await node("athens", { tls: certificates("athens"), peers, port: false });
  expect(await athens.channel.request("byzantium", { type: "ask", n: 5 })).toEqual({
    type: "answer",
    n: 10,
  });
  expect(athens.channel.status("byzantium")?.state).toBe("connected");
}

describe("mutual TLS", () => {
  it("connects members of the cluster CA", async () => {
    const { peers } = await tlsByzantium();
    await expectMemberStillServed(peers);
  }, 30_000);

  it("refuses a client whose certificate another CA signed", async () => {
    const byzantium = await tlsByzantium();
    const stranger = await node("athens", {
      tls: certificates("stranger-athens"),
      peers: byzantium.peers,
      port: false,
    });
    stranger.channel.onMessage(() => undefined);
    const refused = await rejectionOf(stranger.channel.request("byzantium", { type: "ask", n: 1 }));
    expect(refused).toBeInstanceOf(ConnectionLostError);
    expect((refused as ConnectionLostError).outcome).toBe("definite");
    await eventually(() =>
      byzantium.logs.some(
        (line) => line.event === "channel.handshake-refused" && line["reason"] === "tls",
      ),
    );
    expect(byzantium.channel.metrics.requestsHandled).toBe(0);
    await expectMemberStillServed(byzantium.peers);
  }, 30_000);

  it("refuses a client without a certificate, and plain TCP", async () => {
    const byzantium = await tlsByzantium();
    const { port } = byzantium.peers.byzantium;
    const { ca } = certificates("byzantium");
    const closed = await new Promise<boolean>((resolve) => {
      const socket = tls.connect({
        host: loopback,
        port,
        ca: ca as string,
        checkServerIdentity: () => undefined,
      });
      socket.on("error", () => undefined);
      socket.on("secureConnect", () => socket.write("hello?"));
      socket.on("close", () => resolve(true));
    });
    expect(closed).toBe(true);
    const plain = await node("cyrene", { peers: byzantium.peers, port: false });
    const refused = await rejectionOf(plain.channel.request("byzantium", { type: "ask", n: 1 }));
    expect(refused).toBeInstanceOf(ConnectionLostError);
    await eventually(
      () =>
        byzantium.logs.filter(
          (line) => line.event === "channel.handshake-refused" && line["reason"] === "tls",
        ).length >= 2,
    );
    expect(byzantium.channel.metrics.requestsHandled).toBe(0);
    await expectMemberStillServed(byzantium.peers);
  }, 30_000);

  it("refuses a member whose certificate names another node", async () => {
    const byzantium = await tlsByzantium();
    const impostor = await node("cyrene", {
      tls: certificates("athens"),
      peers: byzantium.peers,
      port: false,
    });
    const refused = await rejectionOf(impostor.channel.request("byzantium", { type: "ask", n: 1 }));
    expect(refused).toBeInstanceOf(ConnectionLostError);
    expect(((refused as ConnectionLostError).cause as HandshakeError).reason).toBe("identity");
    expect(byzantium.logs).toContainEqual(
      expect.objectContaining({ event: "channel.handshake-refused", reason: "identity" }),
    );
    await expectMemberStillServed(byzantium.peers);
  }, 30_000);

  it("refuses a server whose certificate another CA signed", async () => {
    const stranger = await node("byzantium", { tls: certificates("stranger-athens") });
    const athens = await node("athens", {
      tls: certificates("athens"),
      peers: { byzantium: stranger.address as SocketAddress },
      port: false,
    });
    const refused = await rejectionOf(athens.channel.request("byzantium", { type: "ask", n: 1 }));
    expect(refused).toBeInstanceOf(ConnectionLostError);
    expect((refused as ConnectionLostError).outcome).toBe("definite");
    expect(athens.channel.metrics.connectionsEstablished).toBe(0);
  }, 30_000);

  it("refuses a server whose certificate names another node", async () => {
    const impostor = await node("byzantium", { tls: certificates("athens") });
    const athens = await node("athens", {
      tls: certificates("athens"),
      peers: { byzantium: impostor.address as SocketAddress },
      port: false,
    });
    const refused = await rejectionOf(athens.channel.request("byzantium", { type: "ask", n: 1 }));
    expect(refused).toBeInstanceOf(ConnectionLostError);
    expect(((refused as ConnectionLostError).cause as HandshakeError).reason).toBe("identity");
    expect(athens.logs).toContainEqual(
      expect.objectContaining({
        level: "error",
        event: "channel.connect-failed",
        reason: '"byzantium" presented a certificate for "athens"',
      }),
    );
  }, 30_000);
});
