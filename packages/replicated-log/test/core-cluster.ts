import type { Clock, NodeId, Random } from "@pods/core-interfaces";
import { MemoryGenerationStore } from "@pods/leader-and-followers";
import type { LogEntry } from "../src/entry.ts";
import { membership } from "../src/membership.ts";
import type { RaftMessage } from "../src/messages.ts";
import type { RaftCoreOptions } from "../src/core-types.ts";
import { RaftCore } from "../src/raft-core.ts";
import type { ReadState } from "../src/read-rounds.ts";

// A cluster of protocol cores wired together in one process, with a manual clock and a network
// the test controls: deliver everything, drop by predicate, cut nodes off. Persistence is
// immediate. For unit tests of the core; the simulator tests the driver.

interface InFlight {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly message: RaftMessage;
}

/** A deterministic `Random` (a linear congruential generator). */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0 || 1;
  const float = (): number => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
  return { float, int: (min, max) => min + Math.floor(float() * (max - min)) };
}

/** Cores of `ids` exchanging messages in memory. */
export class CoreCluster {
  nowMs = 0;
  readonly cores = new Map<NodeId, RaftCore>();
  readonly applied = new Map<NodeId, LogEntry[]>();
  readonly readStates = new Map<NodeId, ReadState[]>();
  readonly cut = new Set<NodeId>();
  /** Messages sent, by type (counted when sent). */
  readonly sent = new Map<string, number>();
  dropIf: (message: InFlight) => boolean = () => false;
  #queue: InFlight[] = [];
  readonly clock: Clock = { monotonicMs: () => this.nowMs, wallMs: () => this.nowMs };

  constructor(
    readonly ids: readonly NodeId[],
    options: Partial<RaftCoreOptions> = {},
  ) {
    ids.forEach((id, n) => {
      const core = new RaftCore({
        electionTimeoutMs: 100,
        heartbeatIntervalMs: 10,
        ...options,
        selfId: id,
        membership: options.membership ?? membership({ voters: ids }),
        store: new MemoryGenerationStore(),
        clock: this.clock,
        random: seededRandom(n + 1),
      });
      this.cores.set(id, core);
      this.applied.set(id, []);
      this.readStates.set(id, []);
    });
  }

  core(id: NodeId): RaftCore {
    return this.cores.get(id)!;
  }

  /** The node that leads in the highest generation, if any. */
  leader(): RaftCore | undefined {
    let found: RaftCore | undefined;
    for (const core of this.cores.values()) {
      if (core.isLeader && (found === undefined || core.generation > found.generation))
        found = core;
    }
    return found;
  }

  /** Runs every ready and delivers messages until nothing moves. */
  settle(): void {
    for (let round = 0; round < 10_000; round++) {
      let moved = false;
      for (const [id, core] of this.cores) {
        const ready = core.ready();
        if (ready === undefined) continue;
        moved = true;
        for (const { to, message } of [...ready.messages, ...ready.messagesAfterPersist]) {
          this.sent.set(message.type, (this.sent.get(message.type) ?? 0) + 1);
          this.#queue.push({ from: id, to, message });
        }
        if (ready.logChanges.length > 0)
          core.persisted(core.log.lastIndex, core.log.lastGeneration);
        this.applied.get(id)!.push(...ready.committedEntries);
        this.readStates.get(id)!.push(...ready.readStates);
      }
      const queue = this.#queue;
      this.#queue = [];
      for (const message of queue) {
        if (this.cut.has(message.from) || this.cut.has(message.to) || this.dropIf(message))
          continue;
        this.core(message.to).step(message.from, message.message);
        moved = true;
      }
      if (!moved) return;
    }
    throw new Error("the core cluster did not settle");
  }

  /** Advances time by `ms` in 1 ms steps, ticking and settling. */
  advance(ms: number): void {
    for (let i = 0; i < ms; i++) {
      this.nowMs++;
      for (const core of this.cores.values()) if (this.nowMs >= core.nextDeadlineMs) core.tick();
      this.settle();
    }
  }

  /** Advances until `predicate` holds, at most `ms`. */
  advanceUntil(predicate: () => boolean, ms = 5_000): void {
    for (let i = 0; i < ms && !predicate(); i++) this.advance(1);
    if (!predicate()) throw new Error(`condition not reached within ${ms} ms`);
  }

  /** Proposes a string at the leader; returns its index. */
  propose(text: string): number {
    const leader = this.leader();
    if (leader === undefined) throw new Error("no leader");
    return leader.propose([new TextEncoder().encode(text)]).firstIndex;
  }

  /** The data commands `id` applied, as strings. */
  appliedTexts(id: NodeId): string[] {
    return this.applied
      .get(id)!
      .filter((entry) => entry.type === 0)
      .map((entry) => new TextDecoder().decode(entry.payload));
  }

  /** `[index, generation]` of every entry of `id`'s log. */
  logOf(id: NodeId): [number, number][] {
    const log = this.core(id).log;
    const out: [number, number][] = [];
    for (let i = log.firstIndex; i <= log.lastIndex; i++) out.push([i, log.generationAt(i)]);
    return out;
  }
}
