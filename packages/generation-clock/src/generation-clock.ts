import {
  assertNodeId,
  InvalidArgumentError,
  noopLogger,
  type Disk,
  type Logger,
  type NodeId,
} from "@pods/core-interfaces";
import { assertGeneration, judgeGeneration, type GenerationVerdict } from "./fencing.ts";
import { RecordFile, type RecordFormat } from "./record-file.ts";

/** What a node must remember across restarts to vote safely. */
export interface GenerationState {
  /** The current generation (term): never decreases. */
  readonly generation: number;
  /** The candidate this node voted for in `generation`, if it voted. */
  readonly votedFor: NodeId | undefined;
}

/** Options of {@link GenerationClock.open}. */
export interface GenerationClockOptions {
  /** Where the state file lives (the node's disk). */
  readonly disk: Disk;
  /** The state file. Default `"generation-clock/state"`. */
  readonly path?: string;
  /**
   * The node's log, when it has one: a generation below the log's last entry's generation is
   * raised to it at open (the write-ahead log's `lastGeneration` survives restarts).
   */
  readonly log?: { readonly lastGeneration: number };
  /** Receives `generation-clock.behind-log`. Default none. */
  readonly logger?: Logger;
}

/** The default state file. */
export const defaultGenerationPath = "generation-clock/state";

interface StoredState {
  readonly generation: number;
  readonly votedFor: NodeId | null;
}

const stateFormat: RecordFormat<StoredState> = {
  magic: "PGCS",
  description: "the generation clock's state (current generation and vote)",
  repairAdvice:
    "restore it from a backup; if that is impossible, write a generation above any this cluster " +
    "has used with no vote — deleting it would let this node vote twice in one generation",
  validate(value) {
    const { generation, votedFor } = (value ?? {}) as Partial<Record<keyof StoredState, unknown>>;
    assertGeneration(generation as number);
    if (votedFor !== null) assertNodeId(votedFor, "votedFor");
    return { generation: generation as number, votedFor };
  },
};

/**
 * The generation clock of one node: its current generation (term) and the vote it cast in it,
 * kept in memory and durably on disk, **written together**. Every change updates memory at once
 * (so the next message handled sees it) and returns a promise that resolves once the change is
 * durable: await it before sending any message that depends on it (a vote, an acknowledgement).
 *
 * Rules: the generation never decreases; a higher generation clears the vote; one vote per
 * generation. The file is replaced atomically (temporary file, sync, rename) and checksummed; a
 * damaged file is a `CorruptionError` naming it, with advice.
 */
export class GenerationClock {
  readonly #file: RecordFile<StoredState>;
  #generation: number;
  #votedFor: NodeId | undefined;

  private constructor(file: RecordFile<StoredState>, state: StoredState) {
    this.#file = file;
    this.#generation = state.generation;
    this.#votedFor = state.votedFor ?? undefined;
  }

  /**
   * Reads the state a previous run left (generation 0 and no vote on a first start). With `log`,
   * a generation behind the log's last generation is raised to it, durably, before resolving.
   *
   * @throws `CorruptionError` for a damaged state file; `IOError` when the disk fails.
   */
  static async open(options: GenerationClockOptions): Promise<GenerationClock> {
    const file = await RecordFile.open(
      options.disk,
      options.path ?? defaultGenerationPath,
      stateFormat,
    );
    const clock = new GenerationClock(file, file.value ?? { generation: 0, votedFor: null });
    const logGeneration = options.log?.lastGeneration;
    if (logGeneration !== undefined && logGeneration > clock.#generation) {
      (options.logger ?? noopLogger).warn("generation-clock.behind-log", {
        stored: clock.#generation,
        log: logGeneration,
        advice: "the state file lagged the log (restored from an old backup?); raised to the log",
      });
      await clock.adopt(logGeneration);
    }
    return clock;
  }

  /** The current generation (possibly not durable yet: see {@link GenerationClock.durable}). */
  get generation(): number {
    return this.#generation;
  }

  /** The vote cast in the current generation, if any. */
  get votedFor(): NodeId | undefined {
    return this.#votedFor;
  }

  /** The current state. */
  get state(): GenerationState {
    return { generation: this.#generation, votedFor: this.#votedFor };
  }

  /** The state known durable. */
  get durable(): GenerationState {
    const stored = this.#file.durableValue ?? { generation: 0, votedFor: null };
    return { generation: stored.generation, votedFor: stored.votedFor ?? undefined };
  }

  /** How a received generation compares with the current one (no change). */
  judge(received: number): GenerationVerdict {
    return judgeGeneration(this.#generation, received);
  }

  /**
   * Adopts `generation` if it is higher than the current one, forgetting the vote; resolves with
   * whether it did, once durable. A lower or equal generation changes nothing (the generation
   * never decreases, whatever order messages arrive in).
   */
  async adopt(generation: number): Promise<boolean> {
    assertGeneration(generation);
    if (generation <= this.#generation) {
      await this.flushed();
      return false;
    }
    await this.#set(generation, undefined);
    return true;
  }

  /**
   * Starts a campaign: moves to the next generation and votes for `candidateId` (this node), in
   * one durable write. Resolves with the new generation.
   */
  async campaign(candidateId: NodeId): Promise<number> {
    assertNodeId(candidateId, "candidateId");
    const generation = this.#generation + 1;
    await this.#set(generation, candidateId);
    return generation;
  }

  /**
   * Casts this node's vote for `candidateId` in `generation`, if the rules allow: a lower
   * generation is refused; a higher one is adopted first (in the same write); within a generation
   * only the candidate already voted for may be granted again. Resolves with whether the vote is
   * granted, once it is durable. Checking that the candidate's log is up to date is the caller's
   * job, before calling.
   */
  async vote(generation: number, candidateId: NodeId): Promise<boolean> {
    assertGeneration(generation);
    assertNodeId(candidateId, "candidateId");
    if (generation < this.#generation) return false;
    if (generation === this.#generation && this.#votedFor !== undefined) {
      await this.flushed();
      return this.#votedFor === candidateId;
    }
    await this.#set(generation, candidateId);
    return true;
  }

  /**
   * Resolves once every change made so far is durable.
   *
   * @throws `ClosedError` (with the disk's error as cause) once a write has failed: restart the
   *   node, which reopens from what is durable.
   */
  flushed(): Promise<void> {
    return this.#file.flushed();
  }

  #set(generation: number, votedFor: NodeId | undefined): Promise<void> {
    if (generation < this.#generation) {
      throw new InvalidArgumentError(
        `The generation cannot go back from ${this.#generation} to ${generation}.`,
      );
    }
    this.#generation = generation;
    this.#votedFor = votedFor;
    return this.#file.save({ generation, votedFor: votedFor ?? null });
  }
}
