import type { Env, NodeId, Transport } from "@pods/core-interfaces";
import { nodeNames, Simulation, type SimNode } from "@pods/simulation";
import { expect } from "vitest";
import {
  compareLamportTimestamps,
  LamportClock,
  maxLamportTimestamp,
  PersistentLamportClock,
  type LamportTimestamp,
} from "../src/index.ts";
import { happenedBefore, mergeVectors, type VectorClock } from "./arbitraries.ts";

// Nodes that count local events and exchange stamped messages with Lamport clocks over a lossy,
// duplicating, reordering network. The test keeps a vector clock per node beside each Lamport
// clock, so it knows exactly which recorded events happened before which.

export type Message = { type: "stamp"; timestamp: LamportTimestamp; vector: VectorClock };

export interface ClusterOptions {
  readonly seed: number;
  /** Persistent clocks, and crashes with power loss followed by restarts. */
  readonly crashes: boolean;
  readonly durationMs: number;
}

/** One event the history kept: its Lamport timestamp and its vector clock. */
export interface RecordedEvent {
  readonly node: NodeId;
  readonly timestamp: LamportTimestamp;
  readonly vector: VectorClock;
}

export interface ClusterResult {
  readonly events: readonly RecordedEvent[];
  readonly restarts: number;
  readonly uncovered: number;
  readonly traceHash: string;
}

interface NodeState {
  readonly index: number;
  /** The test's vector clock of the node (it lives across incarnations, like the history). */
  vector: number[];
  /** The latest timestamp the current incarnation issued. */
  latest: LamportTimestamp | undefined;
  /** The largest timestamp recorded by any incarnation. */
  recorded: LamportTimestamp | undefined;
  /** What the recorded events knew: the element-wise maximum of their vector clocks. */
  recordedVector: number[];
}

export async function runCluster(options: ClusterOptions): Promise<ClusterResult> {
  const { seed, crashes, durationMs } = options;
  const sim = new Simulation<Message>({
    seed,
    network: { lossRate: 0.1, duplicateRate: 0.05, latency: { minMs: 1, maxMs: 40 } },
  });
  const ids = nodeNames.slice(0, 5);
  const events: RecordedEvent[] = [];
  let restarts = 0;
  let uncovered = 0;
  const nodes: SimNode<Message, LamportClock>[] = [];
  ids.forEach((id, index) => {
    const state: NodeState = {
      index,
      vector: new Array<number>(ids.length).fill(0),
      latest: undefined,
      recorded: undefined,
      recordedVector: new Array<number>(ids.length).fill(0),
    };
    const node = sim.addNode<LamportClock>(id, {
      boot: async ({ env, transport }) => {
        // A crash loses the events that were never recorded, and what they had learnt.
        state.latest = undefined;
        state.vector = [...state.recordedVector];
        const clock = crashes
          ? await PersistentLamportClock.open({ disk: env.disk, nodeId: id, ceilingBlock: 20 })
          : new LamportClock({ nodeId: id });
        startNode(id, env, transport, clock, state, ids, events);
        return clock;
      },
    });
    nodes.push(node);
  });
  if (crashes) {
    for (let crash = 0; crash < 8; crash++) {
      const node = sim.random.pick(nodes);
      const downMs = sim.random.int(0, 100);
      sim.at(sim.random.int(0, durationMs), `crash ${node.id}`, () => {
        if (!node.isBooted) return;
        uncovered += (node.instance as PersistentLamportClock).persistence.uncovered;
        node.crash();
        sim.at(sim.now + downMs, `restart ${node.id}`, () => {
          restarts++;
          void node.restart();
        });
      });
    }
  }
  await sim.runFor(durationMs);
  return { events, restarts, uncovered, traceHash: sim.traceHash };
}

function startNode(
  id: NodeId,
  env: Env,
  transport: Transport<Message>,
  clock: LamportClock,
  state: NodeState,
  ids: readonly NodeId[],
  events: RecordedEvent[],
): void {
  /** An event: check the timestamp, advance the vector clock, and record it once durable. */
  const event = (timestamp: LamportTimestamp, received?: VectorClock): Promise<VectorClock> => {
    const earlier = state.latest ?? state.recorded;
    if (earlier !== undefined) {
      expect(compareLamportTimestamps(timestamp, earlier)).toBeGreaterThan(0);
    }
    state.latest = timestamp;
    const vector = received === undefined ? state.vector : mergeVectors(state.vector, received);
    vector[state.index] = (vector[state.index] ?? 0) + 1;
    state.vector = vector;
    const snapshot = [...vector];
    // A persistent node acknowledges (records, sends) an event only once its timestamp is
    // covered by the durable ceiling; one that crashes first never happened for the history.
    const durable = clock instanceof PersistentLamportClock ? clock.persisted() : Promise.resolve();
    return durable.then(() => {
      events.push({ node: id, timestamp, vector: snapshot });
      state.recordedVector = mergeVectors(state.recordedVector, snapshot);
      state.recorded =
        state.recorded === undefined ? timestamp : maxLamportTimestamp(state.recorded, timestamp);
      return snapshot;
    });
  };

  transport.onMessage((_from, message) => {
    const received = clock.receive(message.timestamp);
    expect(received.counter).toBeGreaterThan(message.timestamp.counter);
    void event(received, message.vector);
  });

  const step = (): void => {
    const timestamp = clock.tick();
    const peers = ids.filter((peer) => peer !== id);
    const to = env.random.float() < 0.6 ? peers[env.random.int(0, peers.length)] : undefined;
    void event(timestamp).then((vector) => {
      if (to !== undefined) transport.send(to, { type: "stamp", timestamp, vector });
    });
    env.scheduler.after(env.random.int(1, 20), step);
  };
  step();
}

/** Counts happens-before pairs of `events` and returns the first whose timestamps disagree. */
export function checkHappensBefore(events: readonly RecordedEvent[]): {
  pairs: number;
  violation: [RecordedEvent, RecordedEvent] | undefined;
} {
  let pairs = 0;
  for (const a of events) {
    for (const b of events) {
      if (!happenedBefore(a.vector, b.vector)) continue;
      pairs++;
      if (a.timestamp.counter >= b.timestamp.counter) return { pairs, violation: [a, b] };
    }
  }
  return { pairs, violation: undefined };
}
