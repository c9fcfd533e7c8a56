import { InvalidArgumentError, type NodeId } from "@pods/core-interfaces";

/**
 * Where an election keeps its current generation and vote. Each change updates memory at once
 * (the next message handled sees it) and returns a promise that resolves once it is durable;
 * {@link GenerationStore.flushed} resolves once every change so far is.
 *
 * `GenerationClock` of `@pods/generation-clock` fits as it is (one checksummed file, replaced
 * atomically): use it for anything real. {@link MemoryGenerationStore} keeps nothing across
 * restarts, for tests and throwaway clusters.
 */
export interface GenerationStore {
  /** The current generation; never decreases. */
  readonly generation: number;
  /** The vote cast in the current generation, if any. */
  readonly votedFor: NodeId | undefined;
  /** Adopts a higher generation, forgetting the vote (a lower or equal one changes nothing). */
  adopt(generation: number): Promise<boolean>;
  /** Moves to the next generation voting for `candidateId`, in one write. */
  campaign(candidateId: NodeId): Promise<number>;
  /** Votes for `candidateId` in `generation` (adopting it first when higher). */
  vote(generation: number, candidateId: NodeId): Promise<boolean>;
  /** Resolves once every change so far is durable; rejects once a write has failed. */
  flushed(): Promise<void>;
}

/**
 * A {@link GenerationStore} in memory: every change is "durable" at once. A node using it can
 * vote twice in one generation after a restart, so use it only where nothing restarts (tests,
 * demos), and `GenerationClock` everywhere else.
 */
export class MemoryGenerationStore implements GenerationStore {
  #generation: number;
  #votedFor: NodeId | undefined;

  /**
   * @param generation - the starting generation. Default 0.
   * @param votedFor - the vote cast in it. Default none.
   */
  constructor(generation = 0, votedFor?: NodeId) {
    if (!Number.isSafeInteger(generation) || generation < 0) {
      throw new InvalidArgumentError(
        `generation must be a safe integer >= 0, got ${String(generation)}.`,
      );
    }
    this.#generation = generation;
    this.#votedFor = votedFor;
  }

  /** {@inheritDoc GenerationStore.generation} */
  get generation(): number {
    return this.#generation;
  }

  /** {@inheritDoc GenerationStore.votedFor} */
  get votedFor(): NodeId | undefined {
    return this.#votedFor;
  }

  /** {@inheritDoc GenerationStore.adopt} */
  adopt(generation: number): Promise<boolean> {
    if (generation <= this.#generation) return Promise.resolve(false);
    this.#generation = generation;
    this.#votedFor = undefined;
    return Promise.resolve(true);
  }

  /** {@inheritDoc GenerationStore.campaign} */
  campaign(candidateId: NodeId): Promise<number> {
    this.#generation++;
    this.#votedFor = candidateId;
    return Promise.resolve(this.#generation);
  }

  /** {@inheritDoc GenerationStore.vote} */
  vote(generation: number, candidateId: NodeId): Promise<boolean> {
    if (generation < this.#generation) return Promise.resolve(false);
    if (generation === this.#generation && this.#votedFor !== undefined) {
      return Promise.resolve(this.#votedFor === candidateId);
    }
    this.#generation = generation;
    this.#votedFor = candidateId;
    return Promise.resolve(true);
  }

  /** {@inheritDoc GenerationStore.flushed} */
  flushed(): Promise<void> {
    return Promise.resolve();
  }
}
