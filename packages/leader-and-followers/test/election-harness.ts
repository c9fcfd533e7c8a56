import type { Clock, NodeId } from "@pods/core-interfaces";
import { QuorumSet } from "@pods/majority-quorum";
import { SeededRandom } from "@pods/simulation";
import {
  Election,
  MemoryGenerationStore,
  type ElectionMessage,
  type ElectionTiming,
  type LogPosition,
} from "../src/index.ts";

// Elections wired to each other by hand: a manual clock and an explicit list of messages in
// flight, so unit tests decide exactly what is delivered, dropped or duplicated, and when.

/** A clock that moves only when told. */
export class ManualClock implements Clock {
  nowMs = 0;
  monotonicMs(): number {
    return this.nowMs;
  }
  wallMs(): number {
    return this.nowMs;
  }
}

/** One message in flight. */
export interface InFlight {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly message: ElectionMessage;
}

/** A node of the harness: its election, its store, and its fake log position. */
export interface HarnessNode {
  readonly id: NodeId;
  readonly election: Election;
  readonly store: MemoryGenerationStore;
  position: LogPosition;
  heartbeats: number;
  caughtUp: boolean;
}

/** Options of {@link ElectionHarness}. */
export interface HarnessOptions extends ElectionTiming {
  readonly voters: readonly NodeId[];
  readonly learners?: readonly NodeId[];
  readonly seed?: number;
}

/** A cluster of elections with a manual clock and a manual network. */
export class ElectionHarness {
  readonly clock = new ManualClock();
  readonly nodes = new Map<NodeId, HarnessNode>();
  inFlight: InFlight[] = [];

  constructor(options: HarnessOptions) {
    const random = new SeededRandom(options.seed ?? 1);
    const quorumSet = QuorumSet.majority(options.voters, { learners: options.learners ?? [] });
    for (const id of [...options.voters, ...(options.learners ?? [])]) {
      const store = new MemoryGenerationStore();
      const node: HarnessNode = {
        id,
        store,
        position: { index: 0, generation: 0 },
        heartbeats: 0,
        caughtUp: true,
        election: undefined as unknown as Election,
      };
      (node as { election: Election }).election = new Election({
        ...options,
        selfId: id,
        quorumSet,
        clock: this.clock,
        random: random.fork(id),
        store,
        host: {
          lastLogPosition: () => node.position,
          send: (to, message) => this.inFlight.push({ from: id, to, message }),
          heartbeat: () => {
            node.heartbeats++;
          },
          isCaughtUp: () => node.caughtUp,
        },
      });
      this.nodes.set(id, node);
    }
  }

  node(id: NodeId): HarnessNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  election(id: NodeId): Election {
    return this.node(id).election;
  }

  /** Delivers every message in flight (and those they cause) until none is left. */
  deliverAll(filter: (message: InFlight) => boolean = () => true): void {
    for (let rounds = 0; this.inFlight.length > 0; rounds++) {
      if (rounds > 1000) throw new Error("messages keep flowing");
      const batch = this.inFlight;
      this.inFlight = [];
      for (const item of batch) if (filter(item)) this.deliver(item);
    }
  }

  deliver(item: InFlight): void {
    const target = this.nodes.get(item.to);
    if (target === undefined) return;
    target.election.heardFrom(item.from);
    target.election.step(item.from, item.message);
  }

  /** Advances the clock to `nowMs`, ticking every election at each deadline passed. */
  advanceTo(nowMs: number): void {
    for (;;) {
      const next = Math.min(...[...this.nodes.values()].map((n) => n.election.nextDeadlineMs));
      if (next > nowMs) break;
      this.clock.nowMs = Math.max(this.clock.nowMs, next);
      for (const node of this.nodes.values()) node.election.tick();
    }
    this.clock.nowMs = nowMs;
  }

  /** The leader heartbeats to everyone: followers accept it (as a replicated log's appends do). */
  heartbeatFrom(leaderId: NodeId): void {
    const leader = this.election(leaderId);
    for (const node of this.nodes.values()) {
      if (node.id === leaderId) continue;
      node.election.leaderContact(leaderId, leader.generation);
      leader.heardFrom(node.id);
    }
  }

  leaders(): NodeId[] {
    return [...this.nodes.values()].filter((n) => n.election.isLeader).map((n) => n.id);
  }
}
