import { IOError } from "@pods/core-interfaces";
import { afterEach, describe, expect, it } from "vitest";
import {
  ConnectionLostError,
  createTcpDriver,
  type ChannelNode,
  type HandshakeError,
  type SocketAddress,
} from "../src/index.ts";
import type { Message } from "./sim-cluster.ts";
import { eventually, rejectionOf, startTcpNode } from "./tcp-helpers.ts";

// Real TCP on 127.0.0.1 with ephemeral ports: restarts, ordering across reconnects, refusals, one
// connection per pair, clean close. Timeouts are failure guards only.

const open: ChannelNode<Message, SocketAddress>[] = [];
async function node(...args: Parameters<typeof startTcpNode>) {
  const started = await startTcpNode(...args);
  open.push(started.channel);
  return started;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((channel) => channel.close()));
});

function answering(channel: ChannelNode<Message, SocketAddress>): void {
  channel.onRequest((_from, request) => ({
    type: "answer",
    n: request.type === "ask" ? request.n * 2 : -1,
  }));
}

describe("single-socket channel over TCP", () => {
  it("reconnects after the peer restarts; pending requests fail as indefinite", async () => {
    const first = await node("byzantium");
    let release: (() => void) | undefined;
    first.channel.onRequest(async (_from, request) => {
      if (request.type === "ask" && request.n === 0)
        await new Promise<void>((resolve) => (release = resolve));
      return { type: "answer", n: request.type === "ask" ? request.n * 2 : -1 };
    });
    const address = first.address as SocketAddress;
    const athens = await node("athens", { peers: { byzantium: address }, port: false });
    expect(await athens.channel.request("byzantium", { type: "ask", n: 1 })).toEqual({
      type: "answer",
      n: 2,
    });
    const stuck = rejectionOf(athens.channel.request("byzantium", { type: "ask", n: 0 }));
    await eventually(() => release !== undefined);
    await first.channel.close();
    const lost = await stuck;
    expect(lost).toBeInstanceOf(ConnectionLostError);
    expect((lost as ConnectionLostError).outcome).toBe("indefinite");
    release?.();

    const second = await node("byzantium", { port: address.port });
    answering(second.channel);
    expect(await athens.channel.request("byzantium", { type: "ask", n: 21 })).toEqual({
      type: "answer",
      n: 42,
    });
    expect(athens.channel.status("byzantium")).toMatchObject({ state: "connected", epoch: 2 });
  }, 30_000);

  it("keeps send order across a reconnect", async () => {
    const received: number[][] = [[], []];
    const first = await node("byzantium");
    first.channel.onMessage(
      (_from, message) => message.type === "note" && received[0]?.push(message.n),
    );
    const address = first.address as SocketAddress;
    const athens = await node("athens", { peers: { byzantium: address }, port: false });
    for (let n = 0; n < 500; n++)
      athens.channel.send("byzantium", { type: "note", producer: "athens", n });
    await eventually(() => received[0]?.length === 500);
    await first.channel.close();
    await eventually(() => athens.channel.status("byzantium")?.state !== "connected");

    const second = await node("byzantium", { port: address.port });
    second.channel.onMessage(
      (_from, message) => message.type === "note" && received[1]?.push(message.n),
    );
    for (let n = 500; n < 1000; n++)
      athens.channel.send("byzantium", { type: "note", producer: "athens", n });
    await eventually(() => received[1]?.length === 500);
    expect(received.flat()).toEqual(Array.from({ length: 1000 }, (_, n) => n));
  }, 30_000);

  it("refuses a peer of another cluster with a clear log line and keeps serving", async () => {
    const athens = await node("athens");
    answering(athens.channel);
    const delivered: string[] = [];
    athens.channel.onMessage((from) => delivered.push(from));
    const peers = { athens: athens.address as SocketAddress };
    const sparta = await node("sparta", { clusterId: "another-cluster", peers, port: false });
    sparta.channel.send("athens", { type: "note", producer: "sparta", n: 0 });
    const refused = await rejectionOf(sparta.channel.request("athens", { type: "ask", n: 1 }));
    expect(refused).toBeInstanceOf(ConnectionLostError);
    expect((refused as ConnectionLostError).outcome).toBe("definite");
    expect(((refused as ConnectionLostError).cause as HandshakeError).reason).toBe("wrong-cluster");
    expect(athens.logs).toContainEqual(
      expect.objectContaining({
        level: "warn",
        event: "channel.handshake-refused",
        reason: "wrong-cluster",
        detail: expect.stringContaining(
          'node "sparta" belongs to cluster "another-cluster"',
        ) as unknown,
      }),
    );
    expect(sparta.logs).toContainEqual(
      expect.objectContaining({ level: "error", event: "channel.connect-failed", peer: "athens" }),
    );

    const byzantium = await node("byzantium", { peers, port: false });
    byzantium.channel.send("athens", { type: "note", producer: "byzantium", n: 0 });
    expect(await byzantium.channel.request("athens", { type: "ask", n: 2 })).toEqual({
      type: "answer",
      n: 4,
    });
    expect(delivered).toEqual(["byzantium"]);
  }, 30_000);

  it("keeps exactly one connection per pair when both sides connect at once", async () => {
    for (let round = 0; round < 5; round++) {
      const athens = await node("athens");
      const byzantium = await node("byzantium");
      athens.channel.setPeer("byzantium", byzantium.address as SocketAddress);
      byzantium.channel.setPeer("athens", athens.address as SocketAddress);
      const got: string[] = [];
      athens.channel.onMessage((from) => got.push(`${from}->athens`));
      byzantium.channel.onMessage((from) => got.push(`${from}->byzantium`));
      athens.channel.send("byzantium", { type: "note", producer: "athens", n: 0 });
      byzantium.channel.send("athens", { type: "note", producer: "byzantium", n: 0 });
      await eventually(
        () => got.length === 2 && athens.openStreams() === 1 && byzantium.openStreams() === 1,
      );
      expect(athens.channel.status("byzantium")).toMatchObject({
        state: "connected",
        epoch: 1,
        openedBy: "dialer",
      });
      expect(byzantium.channel.status("athens")).toMatchObject({
        state: "connected",
        epoch: 1,
        openedBy: "acceptor",
      });
      await Promise.all(open.splice(0).map((channel) => channel.close()));
    }
  }, 60_000);

  it("reports a port in use as an IOError", async () => {
    const first = await node("athens");
    const second = createTcpDriver();
    const listening = second.listen(first.address as SocketAddress, {
      accept: () => {
        throw new Error("no connection expected");
      },
      rejected: () => undefined,
      failed: () => undefined,
    });
    await expect(listening).rejects.toThrow(IOError);
    await expect(listening).rejects.toThrow(/EADDRINUSE/);
    await second.close();
  });

  it("closes cleanly: queued messages are delivered, pending requests fail, later sends are refused", async () => {
    const byzantium = await node("byzantium");
    const received: number[] = [];
    byzantium.channel.onMessage(
      (_from, message) => message.type === "note" && received.push(message.n),
    );
    byzantium.channel.onRequest(() => new Promise<Message>(() => undefined));
    const athens = await node("athens", {
      peers: { byzantium: byzantium.address as SocketAddress },
      port: false,
    });
    await eventually(() => {
      athens.channel.send("byzantium", { type: "note", producer: "athens", n: -1 });
      return athens.channel.status("byzantium")?.state === "connected";
    });
    const pending = rejectionOf(athens.channel.request("byzantium", { type: "ask", n: 1 }));
    for (let n = 0; n < 100; n++)
      athens.channel.send("byzantium", { type: "note", producer: "athens", n });
    await athens.channel.close();
    expect(await pending).toBeInstanceOf(ConnectionLostError);
    await eventually(() => received.filter((n) => n >= 0).length === 100);
    expect(received.filter((n) => n >= 0)).toEqual(Array.from({ length: 100 }, (_, n) => n));
    expect(() =>
      athens.channel.send("byzantium", { type: "note", producer: "athens", n: 0 }),
    ).toThrow(/closed/);
    // byzantium forgets a peer it has no address for once its connection is gone.
    await eventually(() => byzantium.channel.status("athens") === undefined);
    expect(athens.openStreams()).toBe(0);
  }, 30_000);
});
