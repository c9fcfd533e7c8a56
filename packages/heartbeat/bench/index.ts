// Benchmark of @pods/heartbeat, side by side with a baseline in the same process: the cost per
// call of heartbeatReceived and isAvailable on detectors watching 1,000 peers, against a bare
// Map of last-heard times compared with a timeout (the naive detector, with no validation, no
// events, no pause awareness and no statistics).
// Run with `pnpm bench`.
import type { Clock, Scheduler } from "@pods/core-interfaces";
import { FixedTimeoutDetector, PhiAccrualDetector, type FailureDetector } from "@pods/heartbeat";
import {
  compareThroughput,
  round,
  writeBenchReport,
  type BenchResult,
} from "../../../bench-kit.js";

const peerCount = 1000;
const peers = Array.from({ length: peerCount }, (_, index) => `node-${index}`);
const chunk = 10_000;
/** Each call moves time on by 0.1 ms: every peer is heard every 100 ms, as with real heartbeats. */
let nowMs = 0;
const clock: Clock = { monotonicMs: () => nowMs, wallMs: () => nowMs };
const scheduler: Scheduler = { after: () => () => undefined }; // the check loop is not started
let sink = 0;
let cursor = 0;

function nextPeer(): string {
  cursor = cursor + 1 === peerCount ? 0 : cursor + 1;
  nowMs += 0.1;
  return peers[cursor] ?? "";
}

const lastHeard = new Map<string, number>(peers.map((peer) => [peer, 0]));
const bareReceived = {
  name: "Map.set(peer, now)",
  work: () => {
    for (let i = 0; i < chunk; i++) lastHeard.set(nextPeer(), nowMs);
    return chunk;
  },
};
const bareAvailable = {
  name: "now - Map.get(peer) < timeout",
  work: () => {
    for (let i = 0; i < chunk; i++) if (nowMs - (lastHeard.get(nextPeer()) ?? 0) < 1000) sink++;
    return chunk;
  },
};

function warm(detector: FailureDetector): FailureDetector {
  for (let round = 0; round < 20; round++)
    for (let i = 0; i < peerCount; i++) detector.heartbeatReceived(nextPeer());
  return detector;
}

const detectors: [string, FailureDetector][] = [
  ["FixedTimeoutDetector", warm(new FixedTimeoutDetector({ env: { clock, scheduler }, peers }))],
  ["PhiAccrualDetector", warm(new PhiAccrualDetector({ env: { clock, scheduler }, peers }))],
];

const results: BenchResult[] = [];
for (const [name, detector] of detectors) {
  for (const [call, baseline, work] of [
    ["heartbeatReceived", bareReceived, () => detector.heartbeatReceived(nextPeer())],
    ["isAvailable", bareAvailable, () => (sink += detector.isAvailable(nextPeer()) ? 1 : 0)],
  ] as const) {
    const result = await compareThroughput({
      name: `${name}.${call}, ${peerCount} peers`,
      subject: {
        work: () => {
          for (let i = 0; i < chunk; i++) work();
          return chunk;
        },
      },
      baseline,
    });
    results.push({ ...result, nsPerCall: round(1e9 / result.value, 1) });
  }
}

writeBenchReport("heartbeat", "@pods/heartbeat", results);
if (sink < 0) console.log(sink);
