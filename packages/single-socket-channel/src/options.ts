import {
  assertNodeId,
  InvalidArgumentError,
  noopLogger,
  type Clock,
  type Codec,
  type Logger,
  type NodeId,
  type Random,
  type Scheduler,
} from "@pods/core-interfaces";
import { createMsgpackCodec, defaultFrameBytesMax, frameBytesMaxCeiling } from "@pods/codec";
import { assertClusterId } from "./handshake.ts";
import type { StreamDriver } from "./stream.ts";
import { envelopeBytesMax } from "./wire.ts";

/** The ports a channel uses: a subset of `Env`, so `createNodeEnv` or a simulated node's env fit. */
export interface ChannelEnv {
  /** Monotonic time for liveness and backoff. */
  readonly clock: Clock;
  /** Timers for heartbeats, timeouts and reconnect backoff. */
  readonly scheduler: Scheduler;
  /** Jitter for the reconnect backoff and the channel's instance id. */
  readonly random: Random;
  /** Where refused handshakes, lost connections and handler failures are reported. */
  readonly logger?: Logger;
}

/** The default heartbeat interval: 100 ms. */
export const defaultHeartbeatIntervalMs = 100;
/** The default bound of each peer's send queue: 32 MiB. */
export const defaultSendQueueBytesMax = 32 * 1024 * 1024;
/** The default bound of the queue of requests waiting for the request handler: 1000. */
export const defaultRequestQueueMax = 1000;

/**
 * Options of a {@link ChannelNode}.
 *
 * @typeParam M - the message type.
 * @typeParam A - the driver's address type.
 */
export interface ChannelOptions<M, A> {
  /** This node's id; it must be unique in the cluster. */
  readonly nodeId: NodeId;
  /** The cluster's id; connections from nodes of another cluster are refused. */
  readonly clusterId: string;
  /** Opens and accepts the byte streams (TCP: `createTcpDriver`). */
  readonly driver: StreamDriver<A>;
  /** Clock, scheduler, random and logger. */
  readonly env: ChannelEnv;
  /** Turns messages into bytes and back. Default `createMsgpackCodec<M>()` from `@pods/codec`. */
  readonly codec?: Codec<M>;
  /** The peers this node may dial, with their addresses. More can be added with `setPeer`. */
  readonly peers?: Readonly<Record<NodeId, A>>;
  /** Idle connections send a ping after this long without writing. Default 100 ms. */
  readonly heartbeatIntervalMs?: number;
  /**
   * Dialing, the handshake and a graceful close must finish within this. Default: the heartbeat
   * interval.
   */
  readonly connectTimeoutMs?: number;
  /**
   * A connection that receives no bytes for this long is closed and its pending requests fail.
   * Default: 10 × the heartbeat interval. More than `heartbeatIntervalMs`.
   */
  readonly readIdleTimeoutMs?: number;
  /** The reconnect delay after the first failed attempt. Default: the heartbeat interval. */
  readonly reconnectBackoffBaseMs?: number;
  /** The longest reconnect delay. Default: `readIdleTimeoutMs`. */
  readonly reconnectBackoffMaxMs?: number;
  /**
   * Bytes of frames that may wait for each peer's socket to drain (or to connect); beyond it a
   * send fails with {@link SendQueueFullError}. Default 32 MiB (or 2 × `frameBytesMax` if more). At
   * least `frameBytesMax` + 8 (one frame and its header).
   */
  readonly sendQueueBytesMax?: number;
  /** The largest frame payload sent or accepted. Default 16 MiB; at most 1 GiB. */
  readonly frameBytesMax?: number;
  /**
   * Requests accepted and waiting for (or in) the request handler; beyond it a request is answered
   * with a `QUEUE_FULL` failure. Default 1000.
   */
  readonly requestQueueMax?: number;
}

/** Options with defaults applied and checked. @internal */
export interface ResolvedOptions<M> {
  readonly nodeId: NodeId;
  readonly clusterId: string;
  readonly codec: Codec<M>;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly random: Random;
  readonly logger: Logger;
  readonly heartbeatIntervalMs: number;
  readonly connectTimeoutMs: number;
  readonly readIdleTimeoutMs: number;
  readonly reconnectBackoffBaseMs: number;
  readonly reconnectBackoffMaxMs: number;
  readonly sendQueueBytesMax: number;
  readonly frameBytesMax: number;
  readonly requestQueueMax: number;
}

function positiveMs(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(`${name} must be a finite number of ms > 0, got ${value}.`);
  }
  return value;
}

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(
      `${name} must be an integer from ${min} to ${max}, got ${String(value)}.`,
    );
  }
  return value;
}

/**
 * Applies defaults and checks every option.
 *
 * @throws InvalidArgumentError naming the first bad option.
 * @internal
 */
export function resolveOptions<M, A>(options: ChannelOptions<M, A>): ResolvedOptions<M> {
  assertNodeId(options.nodeId, "nodeId");
  assertClusterId(options.clusterId);
  const { env } = options;
  if (env === undefined || env.clock === undefined || env.scheduler === undefined) {
    throw new InvalidArgumentError("env needs a clock, a scheduler and a random source.");
  }
  const heartbeatIntervalMs = positiveMs(
    "heartbeatIntervalMs",
    options.heartbeatIntervalMs ?? defaultHeartbeatIntervalMs,
  );
  const readIdleTimeoutMs = positiveMs(
    "readIdleTimeoutMs",
    options.readIdleTimeoutMs ?? 10 * heartbeatIntervalMs,
  );
  if (readIdleTimeoutMs <= heartbeatIntervalMs) {
    throw new InvalidArgumentError(
      `readIdleTimeoutMs (${readIdleTimeoutMs}) must be more than heartbeatIntervalMs ` +
        `(${heartbeatIntervalMs}), or idle peers would be dropped between their pings; ` +
        "10 × is the default.",
    );
  }
  const reconnectBackoffBaseMs = positiveMs(
    "reconnectBackoffBaseMs",
    options.reconnectBackoffBaseMs ?? heartbeatIntervalMs,
  );
  const reconnectBackoffMaxMs = positiveMs(
    "reconnectBackoffMaxMs",
    options.reconnectBackoffMaxMs ?? Math.max(readIdleTimeoutMs, reconnectBackoffBaseMs),
  );
  if (reconnectBackoffMaxMs < reconnectBackoffBaseMs) {
    throw new InvalidArgumentError(
      `reconnectBackoffMaxMs (${reconnectBackoffMaxMs}) must be at least reconnectBackoffBaseMs ` +
        `(${reconnectBackoffBaseMs}).`,
    );
  }
  const frameBytesMax = integerIn(
    "frameBytesMax",
    options.frameBytesMax ?? defaultFrameBytesMax,
    1 + envelopeBytesMax,
    frameBytesMaxCeiling,
  );
  const sendQueueBytesMax = integerIn(
    "sendQueueBytesMax",
    options.sendQueueBytesMax ?? Math.max(defaultSendQueueBytesMax, 2 * frameBytesMax),
    frameBytesMax + 8,
    Number.MAX_SAFE_INTEGER,
  );
  return {
    nodeId: options.nodeId,
    clusterId: options.clusterId,
    codec: options.codec ?? createMsgpackCodec<M>(),
    clock: env.clock,
    scheduler: env.scheduler,
    random: env.random,
    logger: env.logger ?? noopLogger,
    heartbeatIntervalMs,
    connectTimeoutMs: positiveMs(
      "connectTimeoutMs",
      options.connectTimeoutMs ?? heartbeatIntervalMs,
    ),
    readIdleTimeoutMs,
    reconnectBackoffBaseMs,
    reconnectBackoffMaxMs,
    sendQueueBytesMax,
    frameBytesMax,
    requestQueueMax: integerIn(
      "requestQueueMax",
      options.requestQueueMax ?? defaultRequestQueueMax,
      1,
      Number.MAX_SAFE_INTEGER,
    ),
  };
}

/**
 * The delay before reconnect attempt number `failures` + 1: exponential from the base, capped,
 * with "equal jitter" (half fixed, half random) so that peers that failed together spread out
 * without ever retrying at once.
 *
 * @internal
 */
export function reconnectDelayMs(
  failures: number,
  options: Pick<
    ResolvedOptions<unknown>,
    "reconnectBackoffBaseMs" | "reconnectBackoffMaxMs" | "random"
  >,
): number {
  if (failures <= 0) return 0;
  const capped = Math.min(
    options.reconnectBackoffMaxMs,
    options.reconnectBackoffBaseMs * 2 ** Math.min(failures - 1, 40),
  );
  return capped / 2 + (options.random.float() * capped) / 2;
}
