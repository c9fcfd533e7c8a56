import { assertNodeId, InvalidArgumentError, type Clock, type NodeId } from "@pods/core-interfaces";
import { defaultMaxOffsetMs } from "@pods/hybrid-clock";
import { ClockUnsafeError } from "./errors.ts";
import { msOption, requiredMs, requireMethod } from "./options.ts";
import type { ClockCheck } from "./store-checks.ts";

/** The share of `maxOffsetMs` beyond which a peer's offset counts against this node: 80 %. */
export const unsafeOffsetRatio = 0.8;

/** The default {@link ClockFenceOptions.measurementTtlMs}: 10 000 ms. */
export const defaultMeasurementTtlMs = 10_000;

/** One round trip to a peer, as a heartbeat exchange records it. */
export interface OffsetProbe {
  /** This node's monotonic clock when the request left, in ms. */
  readonly sentMonotonicMs: number;
  /** This node's wall clock when the request left, in ms since the epoch. */
  readonly sentWallMs: number;
  /** The peer's wall clock when it answered, as the answer carries it. */
  readonly peerWallMs: number;
  /** This node's monotonic clock when the answer arrived, in ms. */
  readonly receivedMonotonicMs: number;
}

/** A peer's clock offset, as one probe measured it. */
export interface OffsetMeasurement {
  /** How far the peer's wall clock is ahead of this node's (negative: behind), in ms. */
  readonly offsetMs: number;
  /** How wrong `offsetMs` can be, in ms: half the round trip. */
  readonly errorMs: number;
}

/**
 * The offset a probe measures: the peer read its clock somewhere within the round trip, so
 * against the round trip's midpoint on this node's wall clock the offset is off by at most half
 * the round trip.
 *
 * @throws `InvalidArgumentError` when a field is not finite or the answer arrived before the
 *   request left.
 */
export function measureOffset(probe: OffsetProbe): OffsetMeasurement {
  const { sentMonotonicMs, sentWallMs, peerWallMs, receivedMonotonicMs } = probe;
  for (const [name, value] of Object.entries({ sentMonotonicMs, sentWallMs, peerWallMs })) {
    if (!Number.isFinite(value)) {
      throw new InvalidArgumentError(`${name} must be a finite number, got ${String(value)}.`);
    }
  }
  const roundTripMs = requiredMs(receivedMonotonicMs - sentMonotonicMs, "the round trip");
  const errorMs = roundTripMs / 2;
  return { offsetMs: peerWallMs - (sentWallMs + errorMs), errorMs };
}

/** Options of {@link ClockFence}. */
export interface ClockFenceOptions {
  /** This node's clock port; `monotonicMs()` ages measurements. */
  readonly clock: Clock;
  /** The other nodes of the cluster (not this one). */
  readonly peers: readonly NodeId[];
  /** The largest tolerated offset between two clocks, in ms. Default 500 (as hybrid clocks). */
  readonly maxOffsetMs?: number;
  /** How long a measurement counts, in ms of monotonic time. Default 10 000. */
  readonly measurementTtlMs?: number;
}

/** The latest measurement of a peer, with its age. */
export interface PeerOffset extends OffsetMeasurement {
  /** The peer. */
  readonly peer: NodeId;
  /** When it was recorded, on this node's monotonic clock. */
  readonly recordedAtMs: number;
}

/**
 * Self-fencing: a node whose wall clock is too far from most of the cluster stops serving, since
 * the uncertainty bounds it relies on no longer hold. Feed it measurements from heartbeats
 * ({@link measureOffset}); {@link ClockFence.check} throws {@link ClockUnsafeError} (`reason`
 * `"peer-offsets"`) while the node's offset is certainly beyond 80 % of `maxOffsetMs` —
 * |offset| − error above it — to a majority of the cluster (this node agrees with itself, so in a
 * cluster of n nodes that takes ⌊n/2⌋ + 1 peers), and passes again once fresh measurements say
 * otherwise. Measurements older than `measurementTtlMs` do not count.
 */
export class ClockFence implements ClockCheck {
  /** The tolerated offset between two clocks, in ms. */
  readonly maxOffsetMs: number;
  /** How long a measurement counts, in ms. */
  readonly measurementTtlMs: number;
  /** How many peers must be too far for the node to fence itself. */
  readonly peersToFence: number;
  readonly #clock: Clock;
  readonly #offsets = new Map<NodeId, PeerOffset | undefined>();

  /**
   * @param options - the clock, the peers, and the limits.
   * @throws `InvalidArgumentError` for a bad option.
   */
  constructor(options: ClockFenceOptions) {
    requireMethod(options.clock, "monotonicMs", "ClockFence options.clock");
    if (!Array.isArray(options.peers)) {
      throw new InvalidArgumentError("ClockFence needs peers: the ids of the other nodes.");
    }
    for (const peer of options.peers) {
      assertNodeId(peer, "peer");
      if (this.#offsets.has(peer)) {
        throw new InvalidArgumentError(`Peer ${JSON.stringify(peer)} is listed twice.`);
      }
      this.#offsets.set(peer, undefined);
    }
    this.#clock = options.clock;
    this.maxOffsetMs = msOption(options.maxOffsetMs, defaultMaxOffsetMs, "maxOffsetMs");
    this.measurementTtlMs = msOption(
      options.measurementTtlMs,
      defaultMeasurementTtlMs,
      "measurementTtlMs",
    );
    this.peersToFence = Math.floor((options.peers.length + 1) / 2) + 1;
  }

  /**
   * Records the latest measurement of `peer`.
   *
   * @throws `InvalidArgumentError` for an unknown peer or a malformed measurement.
   */
  record(peer: NodeId, measurement: OffsetMeasurement): void {
    if (!this.#offsets.has(peer)) {
      throw new InvalidArgumentError(
        `${JSON.stringify(peer)} is not one of the fence's peers; list it in peers.`,
      );
    }
    if (!Number.isFinite(measurement.offsetMs)) {
      throw new InvalidArgumentError(
        `offsetMs must be a finite number, got ${String(measurement.offsetMs)}.`,
      );
    }
    requiredMs(measurement.errorMs, "errorMs");
    this.#offsets.set(peer, {
      peer,
      offsetMs: measurement.offsetMs,
      errorMs: measurement.errorMs,
      recordedAtMs: this.#clock.monotonicMs(),
    });
  }

  /** The latest measurement of each peer that has one, fresh or not. */
  peerOffsets(): PeerOffset[] {
    return [...this.#offsets.values()].filter((offset) => offset !== undefined);
  }

  /** Whether the node may serve now: {@link ClockFence.check} would not throw. */
  get safe(): boolean {
    return this.#offsetToMajority() <= this.maxOffsetMs * unsafeOffsetRatio;
  }

  /**
   * Returns when the node may serve.
   *
   * @throws {@link ClockUnsafeError} (`reason` `"peer-offsets"`) while the node is fenced.
   */
  check(): void {
    const offsetMs = this.#offsetToMajority();
    const limitMs = this.maxOffsetMs * unsafeOffsetRatio;
    if (offsetMs > limitMs) throw new ClockUnsafeError("peer-offsets", offsetMs, limitMs);
  }

  /**
   * The offset this node is certainly beyond to `peersToFence` peers: the `peersToFence`-th
   * largest |offset| − error among fresh measurements (0 when fewer are fresh).
   */
  #offsetToMajority(): number {
    const nowMs = this.#clock.monotonicMs();
    const certain = this.peerOffsets()
      .filter((offset) => nowMs - offset.recordedAtMs <= this.measurementTtlMs)
      .map((offset) => Math.abs(offset.offsetMs) - offset.errorMs)
      .sort((a, b) => b - a);
    return Math.max(0, certain[this.peersToFence - 1] ?? 0);
  }
}
