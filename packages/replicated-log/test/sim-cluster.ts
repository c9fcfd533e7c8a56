import type { CommittedCommand, NodeId } from "@pods/core-interfaces";
import { Simulation, type NetworkOptions, type SimNode } from "@pods/simulation";
import type { RaftMessage } from "../src/messages.ts";
import type { ReplicationOptions } from "../src/options.ts";
import { ReplicatedLog } from "../src/replicated-log.ts";
import { KvStateMachine, type KvApplied } from "./kv.ts";

// A replicated key-value cluster in the simulator, with the shared safety checkers of
// PATTERNS.md §10 registered as invariants: at most one leader per generation, log matching,
// leader completeness, state-machine safety, no acknowledged write lost.

/** The scenario node names, in id order. */
export const names = ["athens", "byzantium", "cyrene", "delphi", "ephesus", "sparta"] as const;

/** One node of the cluster: the replicated log and its key-value store. */
export interface KvNode {
  readonly log: ReplicatedLog<KvApplied>;
  readonly kv: KvStateMachine;
}

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  readonly seed: number;
  readonly size: number;
  readonly network?: NetworkOptions<RaftMessage>;
  readonly replication?: ReplicationOptions;
  /** The voters at start. Default every node. */
  readonly voters?: readonly NodeId[];
  /** Virtual ms between checks of the invariants that scan whole logs. Default 25. */
  readonly scanEveryMs?: number;
}

/** Fast timing for simulations: elections in 150–300 ms, heartbeats every 30 ms. */
export const fastTiming: ReplicationOptions = { electionTimeoutMs: 150, heartbeatIntervalMs: 30 };

/** Fast timing, and frequent snapshots keeping few entries, so that followers install them. */
export const snapshotting: ReplicationOptions = {
  ...fastTiming,
  snapshotEveryEntries: 20,
  entriesRetainedAfterSnapshot: 4,
};

/** A simulated cluster with its invariants. */
export class KvCluster {
  readonly sim: Simulation<RaftMessage>;
  readonly nodes: SimNode<RaftMessage, KvNode>[];
  readonly ids: NodeId[];
  /** The leader of each generation ever seen. */
  readonly leaders = new Map<number, NodeId>();
  /** Committed entries ever seen (acknowledged writes included), by index: generation. */
  readonly committed = new Map<number, number>();
  /** The generation by which each committed index was known committed (at most). */
  readonly committedBy = new Map<number, number>();
  /** The command applied at each index, by any node (state-machine safety). */
  readonly appliedAt = new Map<number, string>();
  #lastScanMs = Number.NEGATIVE_INFINITY;

  constructor(options: ClusterOptions) {
    this.sim = new Simulation<RaftMessage>({
      seed: options.seed,
      ...(options.network === undefined ? {} : { network: options.network }),
    });
    this.ids = names.slice(0, options.size);
    const replication = options.replication ?? fastTiming;
    this.nodes = this.ids.map((id) =>
      this.sim.addNode(id, {
        boot: async ({ env, transport }) => {
          const kv = new KvStateMachine((command) => this.#onApply(id, command));
          const log = await ReplicatedLog.start({
            ...replication,
            env,
            transport,
            voters: options.voters ?? this.ids,
            stateMachine: kv,
            requestTimeoutMs: 2_000,
          });
          return { log, kv };
        },
      }),
    );
    const scanEveryMs = options.scanEveryMs ?? 25;
    this.sim.addInvariant("one leader per generation", () => this.#checkLeaders());
    this.sim.addInvariant("logs match, committed entries stay", () => {
      if (this.sim.now - this.#lastScanMs < scanEveryMs) return;
      this.#lastScanMs = this.sim.now;
      this.checkLogs();
    });
  }

  /** The running nodes. */
  up(): KvNode[] {
    return this.nodes.filter((node) => node.isBooted).map((node) => node.instance);
  }

  /** The running members (voters and learners) as the leader sees them. */
  members(): KvNode[] {
    const leader = this.leader();
    if (leader === undefined) return [];
    const { voters, learners } = leader.log.membership;
    return this.up().filter((node) => [...voters, ...learners].includes(node.log.id));
  }

  /** The running node that leads in the highest generation, if any. */
  leader(): KvNode | undefined {
    let found: KvNode | undefined;
    for (const node of this.up()) {
      if (
        node.log.isLeader &&
        (found === undefined || node.log.generation > found.log.generation)
      ) {
        found = node;
      }
    }
    return found;
  }

  /** A client saw `result` acknowledged. */
  acknowledge(result: KvApplied, observerGeneration: number): void {
    this.#noteCommitted("a client", result.index, result.generation, observerGeneration);
  }

  /**
   * `index` holds `generation` and is committed, as seen by a node in `observerGeneration`: it
   * was committed in that generation or earlier, so every leader of a later one must hold it.
   */
  #noteCommitted(who: string, index: number, generation: number, observerGeneration: number): void {
    const known = this.committed.get(index);
    if (known !== undefined && known !== generation) {
      throw new Error(`${who} saw ${index}@${generation} committed, earlier ${index}@${known}`);
    }
    this.committed.set(index, generation);
    const by = this.committedBy.get(index) ?? Number.POSITIVE_INFINITY;
    this.committedBy.set(index, Math.min(by, observerGeneration));
  }

  #onApply(id: NodeId, command: CommittedCommand): void {
    const key = `${command.generation}:${new TextDecoder().decode(command.command)}`;
    const seen = this.appliedAt.get(command.index);
    if (seen !== undefined && seen !== key) {
      throw new Error(`${id} applied ${key} at ${command.index}, another node applied ${seen}`);
    }
    this.appliedAt.set(command.index, key);
  }

  #checkLeaders(): void {
    for (const node of this.up()) {
      if (!node.log.isLeader) continue;
      const known = this.leaders.get(node.log.generation);
      if (known !== undefined && known !== node.log.id) {
        throw new Error(
          `two leaders in generation ${node.log.generation}: ${known}, ${node.log.id}`,
        );
      }
      this.leaders.set(node.log.generation, node.log.id);
    }
  }

  /**
   * Log matching (two logs with an entry of the same index and generation agree on every entry
   * up to it), committed entries never change, and leaders of later generations hold every
   * committed entry (every acknowledged write among them).
   */
  checkLogs(): void {
    const up = this.up();
    for (const node of up) {
      const { log } = node.log.core;
      for (let index = log.firstIndex; index <= node.log.commitIndex; index++) {
        this.#noteCommitted(node.log.id, index, log.generationAt(index), node.log.generation);
      }
    }
    for (const node of up) {
      if (!node.log.isLeader) continue;
      const { log } = node.log.core;
      for (const [index, generation] of this.committed) {
        if (index < log.firstIndex || node.log.generation <= this.committedBy.get(index)!) continue;
        if (index > log.lastIndex || log.generationAt(index) !== generation) {
          throw new Error(`leader ${node.log.id} lacks committed entry ${index}@${generation}`);
        }
      }
    }
    for (let a = 0; a < up.length; a++) {
      for (let b = a + 1; b < up.length; b++) this.#checkMatching(up[a]!, up[b]!);
    }
  }

  #checkMatching(a: KvNode, b: KvNode): void {
    const left = a.log.core.log;
    const right = b.log.core.log;
    const first = Math.max(left.firstIndex, right.firstIndex);
    let top = Math.min(left.lastIndex, right.lastIndex);
    while (top >= first && left.generationAt(top) !== right.generationAt(top)) top--;
    for (let index = top; index >= first; index--) {
      const x = left.entry(index);
      const y = right.entry(index);
      if (x.generation !== y.generation || !sameBytes(x.payload, y.payload)) {
        throw new Error(`logs of ${a.log.id} and ${b.log.id} differ at ${index} below ${top}`);
      }
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Plain KV nodes in a fresh simulation, without the invariant checkers of {@link KvCluster}: for
 * scenario tests that drive the nodes themselves. `learners` boot as learners.
 */
export function plainKvNodes(
  ids: readonly string[],
  options: {
    seed: number;
    replication: ReplicationOptions;
    voters?: readonly string[];
    learners?: readonly string[];
  },
) {
  const sim = new Simulation<RaftMessage>({ seed: options.seed });
  const voters = options.voters ?? ids;
  const learners = options.learners ?? [];
  const nodes = ids.map((id) =>
    sim.addNode(id, {
      boot: async ({ env, transport }) => {
        const kv = new KvStateMachine();
        const log = await ReplicatedLog.start({
          ...options.replication,
          env,
          transport,
          voters,
          learners: learners.includes(id) ? [id] : [],
          stateMachine: kv,
        });
        return { log, kv };
      },
    }),
  );
  const leader = () => nodes.find((node) => node.isBooted && node.instance.log.isLeader);
  return { sim, nodes, leader };
}
