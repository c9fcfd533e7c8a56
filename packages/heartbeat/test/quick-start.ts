import {
  countInboundMessages,
  FixedTimeoutDetector,
  HeartbeatScheduler,
  sendToPeers,
} from "@pods/heartbeat";
import { Simulation } from "@pods/simulation";

// Two nodes in the deterministic simulator (virtual time: nothing really waits).
const sim = new Simulation<{ type: "heartbeat" }>({ seed: 7 });

// athens beats to byzantium every 100 ms, ± 10 ms...
sim.addNode("athens", {
  boot: ({ env, transport }) => {
    const beat = sendToPeers({
      transport,
      peers: () => ["byzantium"],
      message: () => ({ type: "heartbeat" }),
    });
    new HeartbeatScheduler({ env, intervalMs: 100, jitterMs: 10, beat }).start();
  },
});

// ...and byzantium suspects it after 1000 ms without any message from it.
const byzantium = sim.addNode("byzantium", {
  boot: ({ env, transport }) => {
    const detector = new FixedTimeoutDetector({ env, peers: ["athens"], timeoutMs: 1000 });
    countInboundMessages(transport, detector); // every inbound message counts as a heartbeat
    detector.onStatusChange(({ peer, status, atMs }) => {
      console.log(`${peer} ${status} at ${Math.round(atMs)} ms`);
    });
    detector.start();
    return detector;
  },
});

await sim.runFor(2000);
console.log(byzantium.instance.isAvailable("athens")); // true
sim.network.isolate("athens");
await sim.runFor(2000); // athens down at 3000 ms: one timeout after its last heartbeat
console.log(byzantium.instance.suspects()); // [ 'athens' ]
sim.network.heal();
await sim.runFor(500); // athens up at 4068 ms: its next heartbeat
