import type { Env, NodeId, Transport } from "@pods/core-interfaces";
import { Simulation, type NetworkOptions } from "@pods/simulation";
import {
  countInboundMessages,
  FixedTimeoutDetector,
  HeartbeatScheduler,
  sendToPeers,
  type PeerStatusChange,
} from "../src/index.ts";

// A minimal stand-in for leader election, enough to show the detector's part of it: the leader
// beats with its generation and high-water mark, followers answer (so the leader can run
// CheckQuorum), and a follower that suspects the leader "starts an election" — here only a
// counter and a generation bump, not a real vote.

export type ElectionMessage =
  | { type: "heartbeat"; generation: number; highWaterMark: number }
  | { type: "heartbeat-response"; generation: number };

/** An election a follower started: its generation and when (local monotonic and true time). */
export interface ElectionStarted {
  readonly generation: number;
  readonly atMs: number;
  readonly trueMs: number;
  readonly leaderLastHeardMs: number;
}

export class Member {
  readonly id: NodeId;
  readonly detector: FixedTimeoutDetector;
  readonly elections: ElectionStarted[] = [];
  readonly heartbeats: HeartbeatScheduler | undefined;
  /** When the leader found it no longer hears from a majority (CheckQuorum), local ms. */
  quorumLostAtMs: number | undefined;
  generation = 1;

  constructor(
    id: NodeId,
    leader: NodeId,
    members: readonly NodeId[],
    env: Env,
    transport: Transport<ElectionMessage>,
    now: () => number,
  ) {
    this.id = id;
    const followers = members.filter((member) => member !== leader);
    this.detector = new FixedTimeoutDetector({
      env,
      peers: id === leader ? followers : [leader],
    });
    countInboundMessages(transport, this.detector);
    if (id === leader) {
      this.heartbeats = new HeartbeatScheduler({
        env,
        beat: sendToPeers({
          transport,
          peers: () => followers,
          message: (): ElectionMessage => ({
            type: "heartbeat",
            generation: this.generation,
            highWaterMark: 0,
          }),
        }),
      });
      this.heartbeats.start();
      this.detector.onStatusChange(() => {
        // CheckQuorum: the leader itself plus the followers it still hears from.
        const heard = 1 + followers.filter((peer) => this.detector.isAvailable(peer)).length;
        if (heard * 2 <= members.length && this.quorumLostAtMs === undefined) {
          this.quorumLostAtMs = env.clock.monotonicMs();
          this.heartbeats?.stop();
        }
      });
    } else {
      transport.onMessage((from, message) => {
        if (message.type === "heartbeat" && message.generation >= this.generation) {
          transport.send(from, { type: "heartbeat-response", generation: this.generation });
        }
      });
      this.detector.onStatusChange((change: PeerStatusChange) => {
        if (change.peer !== leader || change.status !== "down") return;
        this.generation++;
        this.elections.push({
          generation: this.generation,
          atMs: change.atMs,
          trueMs: now(),
          leaderLastHeardMs: change.lastHeardMs,
        });
      });
    }
    this.detector.start();
  }
}

export const members = ["athens", "byzantium", "cyrene"] as const;

/** Three members in a simulation; athens leads generation 1. */
export function electionCluster(seed: number, network: NetworkOptions<ElectionMessage> = {}) {
  const sim = new Simulation<ElectionMessage>({ seed, network });
  const add = (id: NodeId) =>
    sim.addNode(id, {
      boot: ({ env, transport }) =>
        new Member(id, "athens", members, env, transport, () => sim.now),
    });
  return { sim, athens: add("athens"), byzantium: add("byzantium"), cyrene: add("cyrene") };
}
