import { InvalidArgumentError, type Codec, type NodeId, type Random } from "@pods/core-interfaces";

/** The link a latency is drawn for. */
export interface LatencyContext {
  /** The sender. */
  readonly from: NodeId;
  /** The destination. */
  readonly to: NodeId;
  /** The network's random stream: draw from it to stay deterministic. */
  readonly random: Random;
}

/**
 * One-way delivery latency: uniform in [minMs, maxMs], or a function returning milliseconds
 * (any distribution; it must draw only from the given random stream).
 */
export type LatencyModel =
  { readonly minMs: number; readonly maxMs: number } | ((context: LatencyContext) => number);

/** Options of the simulated network. */
export interface NetworkOptions<M> {
  /** One-way latency per message. Default uniform 1–5 ms. */
  readonly latency?: LatencyModel;
  /** Probability that a message is lost, in [0, 1]. Default 0. */
  readonly lossRate?: number;
  /** Probability that a message is delivered twice, in [0, 1]. Default 0. */
  readonly duplicateRate?: number;
  /**
   * Deliver each link's messages in the order they were sent (as over one TCP connection); a
   * delayed message then holds back later ones. Default `false`: jitter reorders messages.
   */
  readonly fifo?: boolean;
  /**
   * Copy messages through this codec (encode at send, decode at delivery), which also proves
   * every message serialisable. Default: a deep copy at send with the semantics of
   * `structuredClone`.
   */
  readonly codec?: Codec<M>;
  /** Messages in flight at most; more are dropped as `"overflow"`. Default 100000. */
  readonly inFlightMax?: number;
}

/** Why the network dropped a message. */
export type DropReason =
  | "loss"
  | "rule"
  | "link-blocked"
  | "link-cut-in-flight"
  | "sender-down"
  | "destination-down"
  | "no-handler"
  | "closed"
  | "overflow";

export const dropReasons: readonly DropReason[] = [
  "loss",
  "rule",
  "link-blocked",
  "link-cut-in-flight",
  "sender-down",
  "destination-down",
  "no-handler",
  "closed",
  "overflow",
];

/** Counters of the simulated network (a snapshot). */
export interface NetworkStats {
  /** Messages accepted by `send()` (refused ones excluded; duplicates counted once). */
  readonly sent: number;
  /** Messages handed to a handler (each duplicate counted). */
  readonly delivered: number;
  /** Extra copies created by duplication. */
  readonly duplicated: number;
  /** Sends that threw `UnreachableError`. */
  readonly refused: number;
  /** Copies scheduled but not yet arrived. */
  readonly inFlight: number;
  /** Dropped copies, by reason. */
  readonly dropped: Readonly<Record<DropReason, number>>;
}

export function assertRate(rate: number, what: string): void {
  if (!(rate >= 0 && rate <= 1)) {
    throw new InvalidArgumentError(`${what} must be a probability in [0, 1], got ${rate}.`);
  }
}

export function validateLatency(latency: LatencyModel): void {
  if (typeof latency === "function") return;
  const { minMs, maxMs } = latency;
  if (!Number.isFinite(minMs) || !Number.isFinite(maxMs) || minMs < 0 || maxMs < minMs) {
    throw new InvalidArgumentError(
      `latency needs finite 0 <= minMs <= maxMs, got minMs ${minMs}, maxMs ${maxMs}.`,
    );
  }
}
