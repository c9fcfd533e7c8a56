// Benchmarks of @pods/simulation (DESIGN.md, "Benchmarks"): how fast the simulator moves a cluster
// through virtual time, each figure beside a baseline measured in the same process.
import { compareThroughput, writeBenchReport } from "../../../bench-kit.js";
import { Simulation } from "@pods/simulation";
import { drainMicrotasks } from "../src/drain.ts";
import { EventQueue } from "../src/event-queue.ts";
import { SeededRandom } from "../src/seeded-random.ts";

type Ping = { type: "ping" | "pong"; n: number };

const nodeIds = ["athens", "byzantium", "cyrene", "delphi", "ephesus"];
const messagesInFlight = 100;

/** Five nodes ping-ponging 100 messages at a time, latency 1–5 ms, no loss. */
async function pingPongWorld(): Promise<Simulation<Ping>> {
  const sim = new Simulation<Ping>({ seed: 1, network: { latency: { minMs: 1, maxMs: 5 } } });
  for (const id of nodeIds) {
    const peers = nodeIds.filter((peer) => peer !== id);
    sim.addNode(id, {
      boot: ({ env, transport }) => {
        transport.onMessage((from, message) => {
          if (message.type === "ping") transport.send(from, { type: "pong", n: message.n });
          else transport.send(peers[env.random.int(0, peers.length)]!, { type: "ping", n: 0 });
        });
        for (let n = 0; n < messagesInFlight / nodeIds.length; n++) {
          transport.send(peers[n % peers.length]!, { type: "ping", n });
        }
      },
    });
  }
  await sim.runFor(1);
  return sim;
}

/** Timers only: 100 chains of `scheduler.after` with jittered delays on one node. */
async function timerWorld(): Promise<Simulation> {
  const sim = new Simulation({ seed: 1 });
  sim.addNode("athens", {
    boot: ({ env }) => {
      const tick = (): void => {
        env.scheduler.after(1 + env.random.float() * 4, tick);
      };
      for (let chain = 0; chain < messagesInFlight; chain++) tick();
    },
  });
  await sim.runFor(1);
  return sim;
}

/**
 * The baseline: a plain heap holding 100 events, each pop pushing a replacement 1–5 ms later
 * (the same event pattern), with no network, node or trace logic and no microtask drain.
 */
function bareHeap(): { run: (events: number) => number } {
  const queue = new EventQueue();
  const random = new SeededRandom(1);
  let now = 0;
  const reschedule = (): void => {
    queue.push(now + 1 + random.float() * 4, reschedule);
  };
  for (let index = 0; index < messagesInFlight; index++) reschedule();
  return {
    run: (events) => {
      for (let index = 0; index < events; index++) {
        const event = queue.pop();
        if (event === undefined) break;
        now = event.timeMs;
        event.run();
      }
      return events;
    },
  };
}

const chunkMs = 20;
const pingPong = await pingPongWorld();
const timers = await timerWorld();
const heap = bareHeap();
const drained = bareHeap();

const deliveries = await compareThroughput({
  name: "simulated message deliveries, 5 nodes ping-ponging, latency 1–5 ms",
  subject: {
    work: async () => {
      const before = pingPong.network.stats.delivered;
      await pingPong.runFor(chunkMs);
      return pingPong.network.stats.delivered - before;
    },
  },
  baseline: {
    name: "bare binary heap push/pop, no network, no drain",
    work: () => heap.run(2_000),
  },
});

const timerEvents = await compareThroughput({
  name: "simulated timer events (scheduler.after chains on one node)",
  subject: {
    work: async () => {
      const before = timers.eventCount;
      await timers.runFor(chunkMs);
      return timers.eventCount - before;
    },
  },
  baseline: {
    name: "bare binary heap push/pop, no network, no drain",
    work: () => heap.run(2_000),
  },
});

const drain = await compareThroughput({
  name: "heap events with a microtask drain (one setImmediate) after each",
  subject: {
    work: async () => {
      for (let index = 0; index < 500; index++) {
        drained.run(1);
        await drainMicrotasks();
      }
      return 500;
    },
  },
  baseline: { name: "the same heap events without the drain", work: () => heap.run(2_000) },
});

writeBenchReport("simulation", "@pods/simulation", [
  { ...deliveries, unit: "deliveries/s" },
  { ...timerEvents, unit: "events/s" },
  { ...drain, unit: "events/s" },
]);
