import { createMsgpackCodec } from "@pods/codec";
import { createCryptoRandom, createTimerScheduler, systemClock } from "@pods/runtime-node";
import {
  ConnectionLostError,
  createSocketChannel,
  type ChannelNode,
  type SocketAddress,
} from "@pods/single-socket-channel";
import { afterEach, describe, expect, it } from "vitest";
import { BatchFailedError, BatchReceiver, RequestBatcher, type BatchWire } from "../src/index.ts";

// Real TCP on 127.0.0.1 with ephemeral ports. Timeouts are failure guards only.

type Message =
  | { readonly type: "put"; readonly n: number; readonly pad: string }
  | { readonly type: "stored"; readonly n: number };
type Wire = BatchWire<Message>;

const env = { clock: systemClock, scheduler: createTimerScheduler(), random: createCryptoRandom() };
const codec = createMsgpackCodec<Message>();
const open: ChannelNode<Wire, SocketAddress>[] = [];

async function pair(onApply: (n: number, server: ChannelNode<Wire, SocketAddress>) => void) {
  const server = createSocketChannel<Wire>({ nodeId: "byzantium", clusterId: "pods-test", env });
  open.push(server);
  const receiver = new BatchReceiver<Message>(
    (_from, request) => {
      onApply(request.n, server);
      return { type: "stored", n: request.n };
    },
    { codec },
  );
  server.onRequest(receiver.requestHandler());
  const address = await server.listen({ host: "127.0.0.1", port: 0 });
  const client = createSocketChannel<Wire>({
    nodeId: "athens",
    clusterId: "pods-test",
    env,
    peers: { byzantium: address },
    connectTimeoutMs: 5_000,
  });
  open.push(client);
  return { server, client, receiver };
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((channel) => channel.close()));
});

function put(n: number): Message {
  return { type: "put", n, pad: "x".repeat((n * 37) % 900) };
}

describe("request batch over TCP", () => {
  it("batches 2 000 requests of mixed sizes, in order, each answered; single requests still work", async () => {
    const applied: number[] = [];
    const { client, receiver } = await pair((n) => applied.push(n));
    const batcher = new RequestBatcher<Message>(client, { peer: "byzantium", env, codec });
    const answers = await Promise.all(
      Array.from({ length: 2_000 }, async (_, n) => {
        const answer = await batcher.send(put(n));
        return answer.n;
      }),
    );
    const expected = Array.from({ length: 2_000 }, (_, n) => n);
    expect(answers).toEqual(expected);
    expect(applied).toEqual(expected);
    const metrics = batcher.metrics;
    expect(metrics.batchesSent).toBeLessThan(2_000 / 8);
    expect(metrics.largestBatchBytes).toBeLessThanOrEqual(16 * 1_024);
    expect(receiver.metrics.batchedRequests).toBe(2_000);
    // A request sent alone reaches the same handler.
    expect(await client.request("byzantium", put(5_000))).toEqual({ type: "stored", n: 5_000 });
    expect(receiver.metrics.singleRequests).toBe(1);
    await batcher.close();
  }, 30_000);

  it("fails only the batch in flight when the connection drops", async () => {
    let dropped = false;
    const { client } = await pair((n, server) => {
      if (n === 15 && !dropped) {
        dropped = true;
        server.disconnect("athens", "cut by the test");
      }
    });
    const batcher = new RequestBatcher<Message>(client, {
      peer: "byzantium",
      env,
      codec,
      batchCountMax: 10,
      inflightBatchesMax: 1,
    });
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, n) =>
        batcher.send(put(n)).then(
          (answer) => answer.n,
          (error: unknown) => error,
        ),
      ),
    );
    expect(outcomes.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, n) => n));
    for (const error of outcomes.slice(10, 20)) {
      expect(error).toBeInstanceOf(BatchFailedError);
      expect((error as Error).cause).toBeInstanceOf(ConnectionLostError);
    }
    expect(outcomes.slice(20)).toEqual(Array.from({ length: 10 }, (_, n) => 20 + n));
  }, 30_000);
});
