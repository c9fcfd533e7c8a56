// Benchmark of @pods/lamport-clock, side by side with a baseline in the same process:
// LamportClock.tick() and receive() against bare counter arithmetic that builds the same
// timestamp object.
// Run with `pnpm bench`.
import { LamportClock, lamportTimestamp } from "@pods/lamport-clock";
import { compareThroughput, writeBenchReport, type BenchResult } from "../../../bench-kit.js";

/** Keeps results alive so the engine cannot skip the work. */
let sink = 0;
const chunk = 10_000;
const results: BenchResult[] = [];

let bare = 0;
const bareIncrement = {
  name: "bare counter increment building { counter, nodeId }",
  work: () => {
    for (let i = 0; i < chunk; i++) sink ^= { counter: ++bare, nodeId: "athens" }.counter;
    return chunk;
  },
};

const clock = new LamportClock({ nodeId: "athens" });
results.push(
  await compareThroughput({
    name: "LamportClock.tick()",
    subject: {
      work: () => {
        for (let i = 0; i < chunk; i++) sink ^= clock.tick().counter;
        return chunk;
      },
    },
    baseline: bareIncrement,
  }),
);

const receiver = new LamportClock({ nodeId: "byzantium" });
const remote = lamportTimestamp(1000, "athens");
let bareReceived = 0;
results.push(
  await compareThroughput({
    name: "LamportClock.receive(remote) (validates the remote timestamp)",
    subject: {
      work: () => {
        for (let i = 0; i < chunk; i++) sink ^= receiver.receive(remote).counter;
        return chunk;
      },
    },
    baseline: {
      name: "bare max + 1 building { counter, nodeId }, no validation",
      work: () => {
        for (let i = 0; i < chunk; i++) {
          bareReceived = Math.max(bareReceived, remote.counter) + 1;
          sink ^= { counter: bareReceived, nodeId: "byzantium" }.counter;
        }
        return chunk;
      },
    },
  }),
);

writeBenchReport("lamport-clock", "@pods/lamport-clock", results);
if (sink === 0.5) console.log(sink);
