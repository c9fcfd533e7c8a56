import type { Env, NodeId, Transport } from "@pods/core-interfaces";
import { nodeNames, Simulation, type SimNode } from "@pods/simulation";
import { expect } from "vitest";
import {
  compareHybridTimestamps,
  HybridClock,
  HybridClockOffsetError,
  maxHybridTimestamp,
  PersistentHybridClock,
  type HybridTimestamp,
} from "../src/index.ts";

// A cluster of nodes whose wall clocks are offset by up to minutes, drift by hundreds of ppm and
// jump either way, stamping local events and messages with hybrid clocks over a lossy,
// duplicating, reordering network. Every check runs inside the simulation, so a violation stops
// the run and reports the seed.

export type Message = { type: "stamp"; sent: HybridTimestamp };

export interface ClusterOptions {
  readonly seed: number;
  /** Persistent clocks, crashes (power loss) and wall clocks set back across restarts. */
  readonly crashes: boolean;
  readonly maxOffsetMs: number;
  readonly persistWindowMs: number;
  readonly durationMs: number;
}

/** What a run saw, for checks across seeds. */
export interface ClusterTally {
  accepted: number;
  rejected: number;
  restarts: number;
  held: number;
  uncovered: number;
  /** The simulation's trace hash: the same seed must give the same run. */
  traceHash: string;
}

interface NodeState {
  /** The highest wall reading any incarnation of the node has seen, in ms. */
  highestWallMs: number;
  /** The latest timestamp the current incarnation issued. */
  latest: HybridTimestamp | undefined;
  /** The largest timestamp of earlier incarnations that their persisted bound covered. */
  coveredBeforeRestart: HybridTimestamp | undefined;
  /** The largest timestamp sent after `persisted()` resolved. */
  exposed: HybridTimestamp | undefined;
}

const minuteMs = 60_000;

export async function runCluster(options: ClusterOptions): Promise<ClusterTally> {
  const { seed, crashes, maxOffsetMs, persistWindowMs, durationMs } = options;
  const sim = new Simulation<Message>({
    seed,
    network: { lossRate: 0.1, duplicateRate: 0.05, latency: { minMs: 1, maxMs: 40 } },
  });
  const tally: ClusterTally = {
    accepted: 0,
    rejected: 0,
    restarts: 0,
    held: 0,
    uncovered: 0,
    traceHash: "",
  };
  const ids = nodeNames.slice(0, 5);
  const states = new Map<NodeId, NodeState>();
  const nodes: SimNode<Message, HybridClock>[] = [];

  for (const id of ids) {
    const state: NodeState = {
      highestWallMs: 0,
      latest: undefined,
      coveredBeforeRestart: undefined,
      exposed: undefined,
    };
    states.set(id, state);
    const node = sim.addNode<HybridClock>(id, {
      clock: {
        offsetMs: sim.random.int(-3 * minuteMs, 3 * minuteMs),
        driftPpm: sim.random.int(-400, 401),
      },
      boot: async ({ env, transport }) => {
        const clock = crashes
          ? await PersistentHybridClock.open({
              clock: env.clock,
              disk: env.disk,
              nodeId: id,
              maxOffsetMs,
              persistWindowMs,
            })
          : new HybridClock({ clock: env.clock, nodeId: id, maxOffsetMs });
        startNode(id, env, transport, clock, state, ids, maxOffsetMs, persistWindowMs, tally);
        return clock;
      },
    });
    nodes.push(node);
  }

  for (let jump = 0; jump < 8; jump++) {
    const node = sim.random.pick(nodes);
    const deltaMs = sim.random.int(-2 * minuteMs, 2 * minuteMs);
    sim.at(sim.random.int(0, durationMs), `jump ${node.id} ${deltaMs}`, () =>
      node.clock.jumpWall(deltaMs),
    );
  }
  if (crashes) {
    for (let crash = 0; crash < 6; crash++) {
      const node = sim.random.pick(nodes);
      const state = states.get(node.id);
      const backMs = sim.random.int(0, 2 * minuteMs);
      const downMs = sim.random.int(0, 200);
      sim.at(sim.random.int(0, durationMs), `crash ${node.id}`, () => {
        if (!node.isBooted || state === undefined) return;
        const clock = node.instance as PersistentHybridClock;
        tally.held += clock.persistence.held;
        tally.uncovered += clock.persistence.uncovered;
        // What the durable bound covers: every timestamp issued below (boundMs, 0).
        const latest = state.latest;
        if (latest !== undefined && latest.wallMs < clock.persistence.boundMs) {
          state.coveredBeforeRestart = maxOf(state.coveredBeforeRestart, latest);
        }
        state.latest = undefined;
        node.crash();
        node.clock.jumpWall(-backMs);
        sim.at(sim.now + downMs, `restart ${node.id}`, () => {
          tally.restarts++;
          void node.restart();
        });
      });
    }
  }
  await sim.runFor(durationMs);
  tally.traceHash = sim.traceHash;
  return tally;
}

function maxOf(a: HybridTimestamp | undefined, b: HybridTimestamp): HybridTimestamp {
  return a === undefined ? b : maxHybridTimestamp(a, b);
}

function startNode(
  id: NodeId,
  env: Env,
  transport: Transport<Message>,
  clock: HybridClock,
  state: NodeState,
  ids: readonly NodeId[],
  maxOffsetMs: number,
  persistWindowMs: number,
  tally: ClusterTally,
): void {
  const readWall = (): number => {
    const wallMs = Math.floor(env.clock.wallMs());
    state.highestWallMs = Math.max(state.highestWallMs, wallMs);
    return wallMs;
  };
  /** Checks a new timestamp of this node against everything it issued before. */
  const issued = (timestamp: HybridTimestamp): void => {
    const earlier = state.latest ?? state.coveredBeforeRestart;
    if (earlier !== undefined)
      expect(compareHybridTimestamps(timestamp, earlier)).toBeGreaterThan(0);
    if (state.exposed !== undefined) {
      expect(compareHybridTimestamps(timestamp, state.exposed)).toBeGreaterThan(0);
    }
    // Never further ahead of the wall clock than a tolerated remote (or, after a restart, the
    // persisted bound) could have pushed it.
    expect(timestamp.wallMs).toBeLessThanOrEqual(
      state.highestWallMs +
        maxOffsetMs +
        (clock instanceof PersistentHybridClock ? persistWindowMs : 0),
    );
    state.latest = timestamp;
  };

  transport.onMessage((_from, message) => {
    const wallMs = readWall();
    const before = clock.peek();
    try {
      const received = clock.update(message.sent);
      expect(compareHybridTimestamps(received, message.sent)).toBeGreaterThan(0);
      expect(message.sent.wallMs - wallMs).toBeLessThanOrEqual(maxOffsetMs);
      tally.accepted++;
      issued(received);
    } catch (error) {
      if (!(error instanceof HybridClockOffsetError)) throw error;
      expect(error.offsetMs).toBe(message.sent.wallMs - wallMs);
      expect(error.offsetMs).toBeGreaterThan(maxOffsetMs);
      expect(error.local).toEqual(before);
      expect(clock.peek()).toEqual(before);
      tally.rejected++;
    }
  });

  const step = (): void => {
    readWall();
    const timestamp = clock.now();
    issued(timestamp);
    if (env.random.float() < 0.6) {
      const peers = ids.filter((peer) => peer !== id);
      const to = peers[env.random.int(0, peers.length)] ?? id;
      if (clock instanceof PersistentHybridClock) {
        // Expose a timestamp only once it is covered by the durable bound.
        void clock.persisted().then(() => {
          state.exposed = maxOf(state.exposed, timestamp);
          transport.send(to, { type: "stamp", sent: timestamp });
        });
      } else {
        transport.send(to, { type: "stamp", sent: timestamp });
      }
    }
    env.scheduler.after(env.random.int(1, 20), step);
  };
  step();
}
