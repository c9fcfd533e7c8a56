import {
  assertNodeId,
  compareNodeIds,
  InvalidArgumentError,
  type Clock,
  type NodeId,
} from "@pods/core-interfaces";
import { checkDurationMs } from "./options.ts";

/** A replica a client may read from. */
export interface ReplicaDescriptor {
  /** The replica's node id. */
  readonly nodeId: NodeId;
  /** Where to reach it (the port decides what this means: `host:port`, a URL). */
  readonly address: string;
  /** Its region (or zone): replicas in the client's region are preferred. */
  readonly region: string;
}

/** Options of {@link ReplicaSelector}. */
export interface ReplicaSelectorOptions {
  /** The client's clock: a replica marked down stays down for `downForMs` of its monotonic time. */
  readonly clock: Clock;
  /** The client's region. */
  readonly localRegion: string;
  /** The replicas to choose from (at least one, distinct node ids). */
  readonly replicas: readonly ReplicaDescriptor[];
  /** How long a replica marked down is skipped, in ms. Default 5000. */
  readonly downForMs?: number;
  /** Replicas at most. Default 1000. */
  readonly replicasMax?: number;
}

/** What the selector knows of one replica. */
export interface ReplicaStatus {
  /** The replica. */
  readonly replica: ReplicaDescriptor;
  /** Smoothed latency in ms (new = 0.8 · old + 0.2 · sample), `undefined` before the first sample. */
  readonly smoothedLatencyMs: number | undefined;
  /** Whether it is marked down now. */
  readonly down: boolean;
}

/** The smoothing weight of a new latency sample. */
export const latencySampleWeight = 0.2;

interface Entry {
  readonly replica: ReplicaDescriptor;
  smoothedLatencyMs: number | undefined;
  /** Monotonic ms until which the replica is skipped. */
  downUntilMs: number;
}

/**
 * Chooses the replica a client reads from: replicas in the client's region first, then the one
 * with the lowest smoothed latency (an exponentially weighted mean: new = 0.8 · old + 0.2 ·
 * sample, the first sample taken as is), skipping replicas marked down. Replicas without a
 * latency sample come after measured ones of the same tier; ties go to the lower node id.
 */
export class ReplicaSelector {
  readonly #clock: Clock;
  readonly #localRegion: string;
  readonly #downForMs: number;
  readonly #entries = new Map<NodeId, Entry>();

  /**
   * @param options - the clock, the client's region, the replicas and the limits.
   * @throws `InvalidArgumentError` for a bad option or descriptor, or a repeated node id.
   */
  constructor(options: ReplicaSelectorOptions) {
    if (typeof options.clock?.monotonicMs !== "function") {
      throw new InvalidArgumentError("A ReplicaSelector needs a clock (the client's Env).");
    }
    this.#clock = options.clock;
    this.#localRegion = checkRegion("localRegion", options.localRegion);
    this.#downForMs = checkDurationMs("downForMs", options.downForMs ?? 5000);
    const replicasMax = options.replicasMax ?? 1000;
    if (!Number.isSafeInteger(replicasMax) || replicasMax < 1) {
      throw new InvalidArgumentError(
        `replicasMax must be a safe integer >= 1, got ${String(replicasMax)}.`,
      );
    }
    const replicas = options.replicas;
    const count = Array.isArray(options.replicas) ? options.replicas.length : 0;
    if (count === 0 || count > replicasMax) {
      throw new InvalidArgumentError(
        `replicas must list 1 to ${replicasMax} replica descriptors (replicasMax), got ${count}.`,
      );
    }
    for (const replica of replicas) {
      assertNodeId(replica?.nodeId, "replica nodeId");
      if (typeof replica.address !== "string" || replica.address === "") {
        throw new InvalidArgumentError(
          `replica "${replica.nodeId}" needs an address (a non-empty string).`,
        );
      }
      checkRegion(`region of replica "${replica.nodeId}"`, replica.region);
      if (this.#entries.has(replica.nodeId)) {
        throw new InvalidArgumentError(
          `replica "${replica.nodeId}" is listed twice; list each once.`,
        );
      }
      this.#entries.set(replica.nodeId, {
        replica: { nodeId: replica.nodeId, address: replica.address, region: replica.region },
        smoothedLatencyMs: undefined,
        downUntilMs: Number.NEGATIVE_INFINITY,
      });
    }
  }

  /** The client's region. */
  get localRegion(): string {
    return this.#localRegion;
  }

  /**
   * The replicas that are up, best first: same region, then lowest smoothed latency (unmeasured
   * last), then lowest node id.
   */
  rank(): ReplicaDescriptor[] {
    const nowMs = this.#clock.monotonicMs();
    return [...this.#entries.values()]
      .filter((entry) => entry.downUntilMs <= nowMs)
      .sort((a, b) => this.#compare(a, b))
      .map((entry) => entry.replica);
  }

  /** The best replica that is up, or `undefined` when all are marked down. */
  choose(): ReplicaDescriptor | undefined {
    return this.rank()[0];
  }

  /**
   * Adds a latency sample for `nodeId` (a read's round trip, a heartbeat's): the first is taken
   * as is, later ones move the mean by {@link latencySampleWeight} of the difference.
   *
   * @throws `InvalidArgumentError` for an unknown replica or a sample that is not a finite
   *   number ≥ 0.
   */
  recordLatency(nodeId: NodeId, sampleMs: number): void {
    const entry = this.#entry(nodeId);
    if (typeof sampleMs !== "number" || !Number.isFinite(sampleMs) || sampleMs < 0) {
      throw new InvalidArgumentError(
        `a latency sample must be a finite number of ms >= 0, got ${String(sampleMs)}.`,
      );
    }
    const old = entry.smoothedLatencyMs;
    entry.smoothedLatencyMs =
      old === undefined
        ? sampleMs
        : (1 - latencySampleWeight) * old + latencySampleWeight * sampleMs;
  }

  /**
   * Skips `nodeId` for `downForMs` from now (it failed to answer); it comes back by itself after
   * that, or at once with {@link ReplicaSelector.markUp}.
   *
   * @throws `InvalidArgumentError` for an unknown replica.
   */
  markDown(nodeId: NodeId): void {
    this.#entry(nodeId).downUntilMs = this.#clock.monotonicMs() + this.#downForMs;
  }

  /**
   * Stops skipping `nodeId` (it answered).
   *
   * @throws `InvalidArgumentError` for an unknown replica.
   */
  markUp(nodeId: NodeId): void {
    this.#entry(nodeId).downUntilMs = Number.NEGATIVE_INFINITY;
  }

  /**
   * What the selector knows of `nodeId`.
   *
   * @throws `InvalidArgumentError` for an unknown replica.
   */
  status(nodeId: NodeId): ReplicaStatus {
    const entry = this.#entry(nodeId);
    return {
      replica: entry.replica,
      smoothedLatencyMs: entry.smoothedLatencyMs,
      down: entry.downUntilMs > this.#clock.monotonicMs(),
    };
  }

  /** Every replica, in the order given. */
  get replicas(): ReplicaDescriptor[] {
    return [...this.#entries.values()].map((entry) => entry.replica);
  }

  #entry(nodeId: NodeId): Entry {
    const entry = this.#entries.get(nodeId);
    if (entry === undefined) {
      throw new InvalidArgumentError(
        `"${String(nodeId)}" is not one of the selector's replicas (${[...this.#entries.keys()].join(", ")}).`,
      );
    }
    return entry;
  }

  #compare(a: Entry, b: Entry): number {
    const local =
      Number(b.replica.region === this.#localRegion) -
      Number(a.replica.region === this.#localRegion);
    if (local !== 0) return local;
    const aMs = a.smoothedLatencyMs ?? Number.POSITIVE_INFINITY;
    const bMs = b.smoothedLatencyMs ?? Number.POSITIVE_INFINITY;
    if (aMs !== bMs) return aMs < bMs ? -1 : 1;
    return compareNodeIds(a.replica.nodeId, b.replica.nodeId);
  }
}

function checkRegion(name: string, region: string): string {
  if (typeof region !== "string" || region === "") {
    throw new InvalidArgumentError(
      `${name} must be a non-empty string, got ${JSON.stringify(region)}.`,
    );
  }
  return region;
}
