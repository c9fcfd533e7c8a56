import { delay } from "@pods/core-interfaces";
import { createCryptoRandom, createTimerScheduler, systemClock } from "@pods/runtime-node";
import {
  ConnectionLostError,
  createSocketChannel,
  type ChannelNode,
  type SocketAddress,
} from "@pods/single-socket-channel";
import { afterEach, describe, expect, it } from "vitest";
import {
  OrderedPipeline,
  OrderedStreamReceiver,
  PipelinedConnection,
  type SequencedRequest,
} from "../src/index.ts";

// Real TCP on 127.0.0.1 with ephemeral ports: pipelining, ordering across reconnects, lost
// connections. Timeouts are failure guards only; nothing here measures speed.

type Message =
  { readonly type: "ask"; readonly n: number } | { readonly type: "answer"; readonly n: number };
type Wire = Message | SequencedRequest<Message>;

const env = { clock: systemClock, scheduler: createTimerScheduler(), random: createCryptoRandom() };
const open: ChannelNode<Wire, SocketAddress>[] = [];

async function pair() {
  const server = createSocketChannel<Wire>({ nodeId: "byzantium", clusterId: "pods-test", env });
  open.push(server);
  const address = await server.listen({ host: "127.0.0.1", port: 0 });
  const client = createSocketChannel<Wire>({
    nodeId: "athens",
    clusterId: "pods-test",
    env,
    peers: { byzantium: address },
    connectTimeoutMs: 5_000,
  });
  open.push(client);
  return { server, client };
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((channel) => channel.close()));
});

function n(message: Wire): number {
  if (message.type !== "answer") throw new Error(`not an answer: ${message.type}`);
  return message.n;
}

describe("request pipeline over TCP", () => {
  it("keeps a full window of requests in flight and matches every answer", async () => {
    const { server, client } = await pair();
    server.onRequest((_from, request) => ({ type: "answer", n: (request as { n: number }).n * 2 }));
    const pipeline = new PipelinedConnection(client, {
      peer: "byzantium",
      env,
      inflightMax: 16,
      strictOrder: true,
    });
    const answers = await Promise.all(
      Array.from({ length: 500 }, async (_, i) => n(await pipeline.send({ type: "ask", n: i }))),
    );
    expect(answers).toEqual(Array.from({ length: 500 }, (_, i) => 2 * i));
    expect(pipeline.metrics).toMatchObject({
      succeeded: 500,
      inflightPeak: 16,
      protocolErrors: 0,
      inflight: 0,
    });
    expect(pipeline.metrics.rttMsMean).toBeGreaterThan(0);
  }, 30_000);

  it("keeps an ordered stream in order across reconnects: resent, applied once each", async () => {
    const { server, client } = await pair();
    const applied: number[] = [];
    const receiver = new OrderedStreamReceiver<Message>((_from, request) => {
      const value = (request as { n: number }).n;
      applied.push(value);
      // Every 97 requests the server cuts the connection while answers are on their way.
      if (applied.length % 97 === 0) server.disconnect("athens", "cut by the test");
      return { type: "answer", n: value * 2 };
    });
    server.onRequest(receiver.requestHandler());
    const pipeline = new OrderedPipeline(client, {
      peer: "byzantium",
      env,
      inflightMax: 32,
      requestTimeoutMs: 20_000,
      resendsMax: 20,
    });
    const answers = await Promise.all(
      Array.from({ length: 1_000 }, async (_, i) => n(await pipeline.send({ type: "ask", n: i }))),
    );
    expect(answers).toEqual(Array.from({ length: 1_000 }, (_, i) => 2 * i));
    expect(applied).toEqual(Array.from({ length: 1_000 }, (_, i) => i));
    expect(pipeline.metrics.resent).toBeGreaterThan(0);
    expect(pipeline.position).toMatchObject({ epoch: 0, nextSequence: 1_000 });
    expect(client.status("byzantium")?.epoch).toBeGreaterThanOrEqual(10);
  }, 60_000);

  it("fails pending requests as unknown-outcome when the connection is lost", async () => {
    const { server, client } = await pair();
    let started = 0;
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    server.onRequest(async () => {
      started++;
      await held;
      return { type: "answer", n: 0 };
    });
    const pipeline = new PipelinedConnection(client, {
      peer: "byzantium",
      env,
      requestTimeoutMs: 30_000,
    });
    const pending = [1, 2, 3, 4, 5].map((i) =>
      pipeline.send({ type: "ask", n: i }).then(
        () => undefined,
        (error: unknown) => error,
      ),
    );
    while (started === 0) await delay(env.scheduler, 5);
    server.disconnect("athens", "cut by the test");
    for (const error of await Promise.all(pending)) {
      expect(error).toBeInstanceOf(ConnectionLostError);
      expect((error as ConnectionLostError).outcome).toBe("indefinite");
      expect((error as Error).message).toContain("may or may not have been handled");
    }
    release();
  }, 30_000);
});
