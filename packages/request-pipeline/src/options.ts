import {
  assertNodeId,
  InvalidArgumentError,
  noopLogger,
  type Clock,
  type Logger,
  type NodeId,
  type Scheduler,
} from "@pods/core-interfaces";
import type { ResponseReceiver } from "@pods/single-socket-channel";

/**
 * What a pipeline needs of a channel: a `ChannelNode` of `@pods/single-socket-channel` fits as it
 * is. `requestWith` reports each request's outcome to its receiver — the peer's answer, or the
 * failure (`ConnectionLostError` when its connection ends first) — exactly once; answers to
 * requests written on one connection arrive in the order the peer sent them.
 *
 * @typeParam M - the channel's message type.
 */
export interface PipelineChannel<M> {
  /**
   * Sends `message` to `to` as a request; its outcome goes to `receiver`, exactly once (possibly
   * before `requestWith` returns). Throws when the request cannot be queued at all.
   */
  requestWith(to: NodeId, message: M, receiver: ResponseReceiver<M>): void;
  /** Sends `message` to `to` one way (heartbeats); throws when it cannot be queued. */
  send(to: NodeId, message: M): void;
  /** Drops the connection to `peer` now; its pending requests fail. */
  disconnect(peer: NodeId, reason?: string): void;
}

/** The ports a pipeline uses: a subset of `Env`. */
export interface PipelineEnv {
  /** Monotonic time for deadlines and round-trip times. */
  readonly clock: Clock;
  /** The one timer that expires requests. */
  readonly scheduler: Scheduler;
  /** Where protocol errors and connection resets are reported. Default: none. */
  readonly logger?: Logger;
}

/** What a send into a full window does. */
export type OverflowPolicy = "wait" | "reject";

/** Options of a {@link PipelinedConnection}. */
export interface PipelineOptions {
  /** The peer every request goes to. */
  readonly peer: NodeId;
  /** Clock, scheduler and logger. */
  readonly env: PipelineEnv;
  /** Requests sent and not yet answered, at most. Default 5 (the book's). */
  readonly inflightMax?: number;
  /**
   * Every request settles within this many ms of `send` (waiting for a slot included): if no
   * answer arrived, it fails with `TimeoutError` — definite when it was never sent, indefinite
   * otherwise. Default 5000.
   */
  readonly requestTimeoutMs?: number;
  /**
   * For receivers that promise answers in send order: an answer that is not for the oldest
   * outstanding request is a protocol error that resets the connection and fails every request in
   * flight, and a timeout resets the connection too. Default `false`.
   */
  readonly strictOrder?: boolean;
  /** When every slot is taken: `"wait"` in FIFO order (default), or `"reject"` at once. */
  readonly overflow?: OverflowPolicy;
  /** Sends that may wait for a slot; one more fails with `PipelineFullError`. Default 1000. */
  readonly waitingMax?: number;
  /**
   * Drop the window to one request (a probe) after a transport failure or timeout, then widen it
   * by one per answer — doubling every round trip, as TCP's slow start — until it is `inflightMax`
   * again (raft's probe and replicate states). Default `false`.
   */
  readonly adaptiveWindow?: boolean;
}

/** The default `inflightMax`: 5. */
export const defaultInflightMax = 5;
/** The default `requestTimeoutMs`: 5 s. */
export const defaultRequestTimeoutMs = 5_000;
/** The default `waitingMax`: 1000 sends. */
export const defaultWaitingMax = 1_000;
/** The largest `inflightMax` accepted: 65 536. */
export const inflightMaxCeiling = 65_536;

/** Options with defaults applied and checked. @internal */
export interface ResolvedPipelineOptions {
  readonly peer: NodeId;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly inflightMax: number;
  readonly requestTimeoutMs: number;
  readonly strictOrder: boolean;
  readonly overflow: OverflowPolicy;
  readonly waitingMax: number;
  readonly adaptiveWindow: boolean;
}

/**
 * Checks that `value` is an integer in [min, max].
 *
 * @throws InvalidArgumentError naming the option.
 * @internal
 */
export function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(
      `${name} must be an integer from ${min} to ${max}, got ${String(value)}.`,
    );
  }
  return value;
}

function booleanOption(name: string, value: boolean): boolean {
  if (typeof value !== "boolean") {
    throw new InvalidArgumentError(`${name} must be a boolean, got ${String(value)}.`);
  }
  return value;
}

/**
 * Applies defaults and checks every option.
 *
 * @throws InvalidArgumentError naming the first bad option.
 * @internal
 */
export function resolvePipelineOptions(options: PipelineOptions): ResolvedPipelineOptions {
  assertNodeId(options.peer, "peer");
  const { env } = options;
  if (env?.clock === undefined || env.scheduler === undefined) {
    throw new InvalidArgumentError("env needs a clock and a scheduler.");
  }
  const requestTimeoutMs = options.requestTimeoutMs ?? defaultRequestTimeoutMs;
  if (!Number.isFinite(requestTimeoutMs) || requestTimeoutMs <= 0) {
    throw new InvalidArgumentError(
      `requestTimeoutMs must be a finite number of ms > 0, got ${String(requestTimeoutMs)}.`,
    );
  }
  const overflow = options.overflow ?? "wait";
  if (overflow !== "wait" && overflow !== "reject") {
    throw new InvalidArgumentError(
      `overflow must be "wait" or "reject", got ${JSON.stringify(overflow)}.`,
    );
  }
  return {
    peer: options.peer,
    clock: env.clock,
    scheduler: env.scheduler,
    logger: env.logger ?? noopLogger,
    inflightMax: integerIn(
      "inflightMax",
      options.inflightMax ?? defaultInflightMax,
      1,
      inflightMaxCeiling,
    ),
    requestTimeoutMs,
    strictOrder: booleanOption("strictOrder", options.strictOrder ?? false),
    overflow,
    waitingMax: integerIn(
      "waitingMax",
      options.waitingMax ?? defaultWaitingMax,
      0,
      Number.MAX_SAFE_INTEGER,
    ),
    adaptiveWindow: booleanOption("adaptiveWindow", options.adaptiveWindow ?? false),
  };
}
