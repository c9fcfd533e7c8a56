import { createCryptoRandom, createTimerScheduler, systemClock } from "@pods/runtime-node";
import { PipelinedConnection } from "@pods/request-pipeline";
import { createSocketChannel } from "@pods/single-socket-channel";

type Message = { type: "get"; key: string } | { type: "value"; key: string; value: string };

const env = { clock: systemClock, scheduler: createTimerScheduler(), random: createCryptoRandom() };
const server = createSocketChannel<Message>({ nodeId: "byzantium", clusterId: "demo", env });
server.onRequest((_from, request) =>
  request.type === "get"
    ? { type: "value", key: request.key, value: request.key.toUpperCase() }
    : request,
);
const address = await server.listen({ host: "127.0.0.1", port: 0 });
const client = createSocketChannel<Message>({
  nodeId: "athens",
  clusterId: "demo",
  env,
  peers: { byzantium: address },
});

// Up to 5 requests travel at once on the one connection; the rest wait their turn in order.
const pipeline = new PipelinedConnection(client, { peer: "byzantium", env, inflightMax: 5 });
const keys = ["a", "b", "c", "d", "e", "f", "g", "h"];
const values = await Promise.all(keys.map((key) => pipeline.send({ type: "get", key })));
console.log(values.map((value) => (value.type === "value" ? value.value : "?")).join("")); // ABCDEFGH
console.log(pipeline.metrics.inflightPeak, pipeline.metrics.succeeded); // 5 8

await pipeline.close();
await client.close();
await server.close();
