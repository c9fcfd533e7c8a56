import { createCryptoRandom, createTimerScheduler, systemClock } from "@pods/runtime-node";
import { createSocketChannel } from "@pods/single-socket-channel";

type Message =
  | { type: "put"; key: string; value: string }
  | { type: "ok"; version: number }
  | { type: "note"; text: string };

const env = { clock: systemClock, scheduler: createTimerScheduler(), random: createCryptoRandom() };
const athens = createSocketChannel<Message>({ nodeId: "athens", clusterId: "demo", env });
const byzantium = createSocketChannel<Message>({ nodeId: "byzantium", clusterId: "demo", env });

// byzantium handles requests one at a time, in arrival order, and receives one-way messages.
let version = 0;
byzantium.onRequest(() => ({ type: "ok", version: ++version }));
byzantium.onMessage((from, message) => console.log(`${from} says`, message));
const address = await byzantium.listen({ host: "127.0.0.1", port: 0 });

// athens dials on its first send; everything to byzantium travels on one connection, in order.
athens.setPeer("byzantium", address);
athens.send("byzantium", { type: "note", text: "hello" });
const replies = await Promise.all([
  athens.request("byzantium", { type: "put", key: "a", value: "1" }),
  athens.request("byzantium", { type: "put", key: "b", value: "2" }),
]);
console.log(replies); // [ { type: 'ok', version: 1 }, { type: 'ok', version: 2 } ]
console.log(athens.status("byzantium")?.state); // connected

await athens.close();
await byzantium.close();
