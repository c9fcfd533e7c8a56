import type { NodeId } from "@pods/core-interfaces";
import { nodeNames, Simulation, type SimNode } from "@pods/simulation";
import {
  countInboundMessages,
  FixedTimeoutDetector,
  HeartbeatScheduler,
  heartbeatDefaults,
  PhiAccrualDetector,
  sendToPeers,
  type BaseFailureDetector,
  type PeerStatusChange,
} from "../src/index.ts";

// All-to-all heartbeats among four nodes, each running both detectors, under loss, duplication,
// latency jitter, clock drift, process pauses, a partition and a crash — everything drawn from
// the seed. Messages carry the true time they were sent, for the checker only.

export type ClusterMessage = { readonly type: "heartbeat"; readonly sentAtMs: number };

export const latency = { minMs: 1, maxMs: 25 } as const;
export const driftPpmMax = 500;
export const members = nodeNames.slice(0, 4);

/** A verdict of one detector, with the true time it was announced at. */
export type Verdict = PeerStatusChange & {
  readonly detector: "fixed" | "phi";
  readonly observer: NodeId;
  readonly trueMs: number;
};

/** One message handled by `observer`: who sent it and when (true time). */
export interface Handled {
  readonly observer: NodeId;
  readonly from: NodeId;
  readonly sentAtMs: number;
}

export interface Member {
  readonly fixed: FixedTimeoutDetector;
  readonly phi: PhiAccrualDetector;
  readonly beats: HeartbeatScheduler;
}

/** A pause of one node, in true time. */
export interface Pause {
  readonly node: NodeId;
  readonly fromMs: number;
  readonly toMs: number;
}

export interface ClusterRun {
  readonly sim: Simulation<ClusterMessage>;
  readonly nodes: ReadonlyMap<NodeId, SimNode<ClusterMessage, Member>>;
  readonly verdicts: readonly Verdict[];
  readonly handled: readonly Handled[];
  readonly pauses: readonly Pause[];
  readonly crashed: NodeId;
  readonly crashAtMs: number;
  readonly endMs: number;
}

/**
 * Runs the cluster for 50 s: pauses of 0.4–5 s (all above the 300 ms pause threshold) before
 * 33 s, a 1.5–3 s isolation before 28 s, a drift change at 20 s, and one node crashed for good
 * at 35 s.
 */
export async function runCluster(
  seed: number,
  options: { pauseAware: boolean },
): Promise<ClusterRun> {
  const sim = new Simulation<ClusterMessage>({
    seed,
    network: { lossRate: 0.05, duplicateRate: 0.02, latency },
  });
  const verdicts: Verdict[] = [];
  const handled: Handled[] = [];
  const pauseThreshold = options.pauseAware ? {} : { pauseThresholdMs: Number.POSITIVE_INFINITY };
  const nodes = new Map<NodeId, SimNode<ClusterMessage, Member>>();
  for (const id of members) {
    const peers = members.filter((peer) => peer !== id);
    const node = sim.addNode(id, {
      clock: { driftPpm: sim.random.int(-driftPpmMax, driftPpmMax + 1) },
      boot: ({ env, transport }) => {
        transport.onMessage((from, message) => {
          handled.push({ observer: id, from, sentAtMs: message.sentAtMs });
        });
        const record = (detector: BaseFailureDetector, name: Verdict["detector"]) => {
          countInboundMessages(transport, detector);
          detector.onStatusChange((change) => {
            verdicts.push({ ...change, detector: name, observer: id, trueMs: sim.now });
          });
          detector.start();
        };
        const fixed = new FixedTimeoutDetector({ env, peers, ...pauseThreshold });
        const phi = new PhiAccrualDetector({ env, peers, ...pauseThreshold });
        record(fixed, "fixed");
        record(phi, "phi");
        const beats = new HeartbeatScheduler({
          env,
          jitterMs: 10,
          beat: sendToPeers({
            transport,
            peers: () => peers,
            message: () => ({ type: "heartbeat", sentAtMs: sim.now }),
          }),
        });
        beats.start();
        return { fixed, phi, beats };
      },
    });
    nodes.set(id, node);
  }

  const pauses: Pause[] = [];
  for (let n = 0; n < 4; n++) {
    const node = sim.random.pick(members);
    const fromMs = sim.random.int(2000, 28_000);
    const toMs = fromMs + sim.random.int(400, 5000);
    pauses.push({ node, fromMs, toMs });
    sim.at(fromMs, `pause ${node}`, () => {
      sim.node(node).pause();
    });
    sim.at(toMs, `resume ${node}`, () => {
      sim.node(node).resume();
    });
  }
  const isolated = sim.random.pick(members);
  const isolateAtMs = sim.random.int(5000, 25_000);
  sim.at(isolateAtMs, `isolate ${isolated}`, () => {
    const heal = sim.network.isolate(isolated);
    sim.at(isolateAtMs + sim.random.int(1500, 3000), `heal ${isolated}`, heal);
  });
  const drifting = sim.random.pick(members);
  sim.at(20_000, `change the drift of ${drifting}`, () => {
    sim.node(drifting).clock.setDriftPpm(sim.random.int(-driftPpmMax, driftPpmMax + 1));
  });
  const crashed = sim.random.pick(members);
  const crashAtMs = 35_000;
  sim.at(crashAtMs, `crash ${crashed}`, () => {
    sim.node(crashed).crash();
  });

  const endMs = 50_000;
  await sim.runFor(endMs);
  return { sim, nodes, verdicts, handled, pauses, crashed, crashAtMs, endMs };
}

/**
 * The smallest silence, in true ms, that a down verdict of `detector` implies with the default
 * options: the fixed timeout, or for phi the acceptable pause (phi ≥ 8 needs a silence past the
 * mean plus the acceptable pause); local time runs at most `driftPpmMax` fast.
 */
export function impliedSilenceMs(detector: Verdict["detector"]): number {
  const localMs =
    detector === "fixed"
      ? heartbeatDefaults.timeoutMs
      : heartbeatDefaults.acceptablePauseIntervals * heartbeatDefaults.heartbeatIntervalMs;
  return localMs / (1 + driftPpmMax / 1e6);
}

/**
 * The messages from `verdict.peer` that certainly arrived at the observer within the silence its
 * down verdict implies — evidence that the verdict blamed the peer for the observer's own
 * inattention. Arrival lies within [sent + latency.minMs, sent + latency.maxMs].
 */
export function contradictingMessages(run: ClusterRun, verdict: Verdict): Handled[] {
  if (verdict.status !== "down") return [];
  const silenceMs = impliedSilenceMs(verdict.detector);
  return run.handled.filter(
    (message) =>
      message.observer === verdict.observer &&
      message.from === verdict.peer &&
      message.sentAtMs + latency.maxMs <= verdict.trueMs &&
      message.sentAtMs + latency.minMs > verdict.trueMs - silenceMs,
  );
}
