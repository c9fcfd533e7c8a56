import { Simulation } from "@pods/simulation";

type Message = { type: "ping" | "pong"; n: number };

// Everything random — latencies, losses, crash outcomes — derives from the seed.
const sim = new Simulation<Message>({ seed: 42, network: { lossRate: 0.1 } });
let pongs = 0;
for (const [id, peer] of [
  ["athens", "byzantium"],
  ["byzantium", "athens"],
] as const) {
  sim.addNode(id, {
    boot: ({ transport, env }) => {
      transport.onMessage((from, message) => {
        if (message.type === "ping") transport.send(from, { type: "pong", n: message.n });
        else pongs++;
      });
      const ping = (n: number): void => {
        transport.send(peer, { type: "ping", n });
        env.scheduler.after(10, () => ping(n + 1)); // virtual ms: nothing really waits
      };
      ping(0);
    },
  });
}

await sim.runFor(1_000);
const heal = sim.network.partition(["athens"], ["byzantium"]);
await sim.runFor(500); // no message crosses the partition
heal();
sim.node("byzantium").crash(); // its memory and unsynced disk writes are gone
await sim.node("byzantium").restart(); // a new incarnation boots on the surviving disk
await sim.runFor(1_000);

console.log(`${pongs} pongs by ${sim.now} ms of virtual time; trace ${sim.traceHash}`);
// The same seed prints the same line on every run and every machine.
