import { createMsgpackCodec } from "@pods/codec";
import { BatchReceiver, RequestBatcher, type BatchWire } from "@pods/request-batch";
import { createCryptoRandom, createTimerScheduler, systemClock } from "@pods/runtime-node";
import { createSocketChannel } from "@pods/single-socket-channel";

type Message = { type: "put"; key: string; value: number } | { type: "stored"; key: string };

const env = { clock: systemClock, scheduler: createTimerScheduler(), random: createCryptoRandom() };
const codec = createMsgpackCodec<Message>();

// The receiver handles each request of a batch in order, as if it had come alone.
const server = createSocketChannel<BatchWire<Message>>({
  nodeId: "byzantium",
  clusterId: "demo",
  env,
});
const store = new Map<string, number>();
const receiver = new BatchReceiver<Message>(
  (_from, request) => {
    if (request.type !== "put") throw new Error("not a put");
    store.set(request.key, request.value);
    return { type: "stored", key: request.key };
  },
  { codec },
);
server.onRequest(receiver.requestHandler());
const address = await server.listen({ host: "127.0.0.1", port: 0 });

// The sender coalesces what is sent within lingerMs into batches of at most 64 requests.
const client = createSocketChannel<BatchWire<Message>>({
  nodeId: "athens",
  clusterId: "demo",
  env,
  peers: { byzantium: address },
});
const batcher = new RequestBatcher(client, { peer: "byzantium", env, codec, batchCountMax: 64 });
const answers = await Promise.all(
  Array.from({ length: 100 }, (_, n) => batcher.send({ type: "put", key: `k${n}`, value: n })),
);
console.log(answers.length, store.size, batcher.metrics.batchesSent); // 100 100 2

await batcher.close();
await client.close();
await server.close();
