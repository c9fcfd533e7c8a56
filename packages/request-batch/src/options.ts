import { assertNodeId, InvalidArgumentError, type Codec, type NodeId } from "@pods/core-interfaces";
import { inflightMaxCeiling, type PipelineEnv } from "@pods/request-pipeline";
import { batchEnvelopeBytes, batchItemOverheadBytes } from "./batch-message.ts";

/** What a send does when `bufferedBytesMax` is reached. */
export type BufferOverflowPolicy = "wait" | "reject";

/**
 * Options of a {@link RequestBatcher}.
 *
 * @typeParam M - the request and answer type.
 */
export interface RequestBatcherOptions<M> {
  /** Where every batch goes. */
  readonly peer: NodeId;
  /** Clock, scheduler (the linger timer, batch deadlines) and logger. */
  readonly env: PipelineEnv;
  /** Encodes requests (their size is what the byte limits count) and decodes answers. */
  readonly codec: Codec<M>;
  /**
   * Bytes of a batch at most, envelope and per-item overhead included: a request that would take
   * a batch past it goes in the next one. A single larger request is sent alone. Default 16 KiB.
   */
  readonly batchBytesMax?: number;
  /** Requests in a batch at most. Default 64. */
  readonly batchCountMax?: number;
  /**
   * How long the oldest request of a batch waits for company before the batch goes, in ms;
   * 0 sends on the next scheduler turn everything sent in the same turn. Default 1.
   */
  readonly lingerMs?: number;
  /**
   * Bytes of requests accepted and not yet answered (waiting for their batch, or in flight) at
   * most; beyond it a send waits, or fails by policy. Default 16 MiB.
   */
  readonly bufferedBytesMax?: number;
  /** When `bufferedBytesMax` is reached: `"wait"` in FIFO order (default) or `"reject"`. */
  readonly overflow?: BufferOverflowPolicy;
  /** Sends that may wait for buffer space; one more fails with `BufferFullError`. Default 1000. */
  readonly waitingSendsMax?: number;
  /** Batches in flight at once on the pipeline (its `inflightMax`). Default 5. */
  readonly inflightBatchesMax?: number;
  /**
   * Each batch is answered within this many ms of being handed to the pipeline, or its requests
   * fail (the pipeline's `requestTimeoutMs`). Default 5000.
   */
  readonly batchTimeoutMs?: number;
}

/** The default `batchBytesMax`: 16 KiB. */
export const defaultBatchBytesMax = 16 * 1024;
/** The default `batchCountMax`: 64 requests. */
export const defaultBatchCountMax = 64;
/** The default `lingerMs`: 1 ms. */
export const defaultLingerMs = 1;
/** The default `bufferedBytesMax`: 16 MiB. */
export const defaultBufferedBytesMax = 16 * 1024 * 1024;
/** The default `waitingSendsMax`: 1000 sends. */
export const defaultWaitingSendsMax = 1_000;
/** The default `inflightBatchesMax`: 5 batches. */
export const defaultInflightBatchesMax = 5;
/** The default `batchTimeoutMs`: 5 s. */
export const defaultBatchTimeoutMs = 5_000;

/** Options with defaults applied and checked. @internal */
export interface ResolvedBatcherOptions<M> {
  readonly peer: NodeId;
  readonly env: PipelineEnv;
  readonly codec: Codec<M>;
  readonly batchBytesMax: number;
  readonly batchCountMax: number;
  readonly lingerMs: number;
  readonly bufferedBytesMax: number;
  readonly overflow: BufferOverflowPolicy;
  readonly waitingSendsMax: number;
  readonly inflightBatchesMax: number;
  readonly batchTimeoutMs: number;
}

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(
      `${name} must be an integer from ${min} to ${max}, got ${String(value)}.`,
    );
  }
  return value;
}

function milliseconds(name: string, value: number, min: "zero" | "positive"): number {
  if (!Number.isFinite(value) || value < 0 || (min === "positive" && value === 0)) {
    throw new InvalidArgumentError(
      `${name} must be a finite number of ms ${min === "zero" ? ">= 0" : "> 0"}, got ${String(value)}.`,
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
export function resolveBatcherOptions<M>(
  options: RequestBatcherOptions<M>,
): ResolvedBatcherOptions<M> {
  assertNodeId(options.peer, "peer");
  const { env, codec } = options;
  if (env?.clock === undefined || env.scheduler === undefined) {
    throw new InvalidArgumentError("env needs a clock and a scheduler.");
  }
  if (typeof codec?.encode !== "function" || typeof codec.decode !== "function") {
    throw new InvalidArgumentError("codec must have encode and decode (a Codec of the requests).");
  }
  const batchBytesMax = integerIn(
    "batchBytesMax",
    options.batchBytesMax ?? defaultBatchBytesMax,
    batchEnvelopeBytes + batchItemOverheadBytes + 1,
    2 ** 30,
  );
  const overflow = options.overflow ?? "wait";
  if (overflow !== "wait" && overflow !== "reject") {
    throw new InvalidArgumentError(
      `overflow must be "wait" or "reject", got ${JSON.stringify(overflow)}.`,
    );
  }
  return {
    peer: options.peer,
    env,
    codec,
    batchBytesMax,
    batchCountMax: integerIn(
      "batchCountMax",
      options.batchCountMax ?? defaultBatchCountMax,
      1,
      65_536,
    ),
    lingerMs: milliseconds("lingerMs", options.lingerMs ?? defaultLingerMs, "zero"),
    bufferedBytesMax: integerIn(
      "bufferedBytesMax",
      options.bufferedBytesMax ?? Math.max(defaultBufferedBytesMax, batchBytesMax),
      batchBytesMax,
      Number.MAX_SAFE_INTEGER,
    ),
    overflow,
    waitingSendsMax: integerIn(
      "waitingSendsMax",
      options.waitingSendsMax ?? defaultWaitingSendsMax,
      0,
      Number.MAX_SAFE_INTEGER,
    ),
    inflightBatchesMax: integerIn(
      "inflightBatchesMax",
      options.inflightBatchesMax ?? defaultInflightBatchesMax,
      1,
      inflightMaxCeiling,
    ),
    batchTimeoutMs: milliseconds(
      "batchTimeoutMs",
      options.batchTimeoutMs ?? defaultBatchTimeoutMs,
      "positive",
    ),
  };
}
