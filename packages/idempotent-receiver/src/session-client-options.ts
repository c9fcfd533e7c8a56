import type { Random, Scheduler } from "@pods/core-interfaces";
import { assertIntegerOption, assertMsOption } from "./options.ts";

/**
 * The port between a {@link SessionClient} and the replicated log: the example store plugs its
 * log client in here (which finds the leader and proposes).
 */
export interface SessionLog {
  /**
   * Proposes `command` to the replicated log and resolves, once it is committed and applied, with
   * what `SessionStateMachine.apply` returned for it.
   *
   * Failures the client retries with the same bytes: `NotLeaderError` (the implementation should
   * direct the next call to the hinted leader), `UnreachableError`, and any Pods error whose
   * outcome is `indefinite` (`TimeoutError`, a connection lost after sending). Other errors end
   * the request.
   */
  submit(command: Uint8Array): Promise<Uint8Array>;
}

/** Default {@link SessionClientOptions.inflightMax}: equal to the default `responsesPerClientMax`. */
export const defaultInflightMax = 16;
/** Default {@link SessionClientOptions.queuedMax}. */
export const defaultQueuedMax = 1_024;
/** Default {@link SessionClientOptions.retriesMax}. */
export const defaultRetriesMax = 8;
/** Default {@link SessionClientOptions.retryBackoffMs}. */
export const defaultRetryBackoffMs = 20;
/** Default {@link SessionClientOptions.retryBackoffMaxMs}. */
export const defaultRetryBackoffMaxMs = 2_000;
/** Default {@link SessionClientOptions.attemptTimeoutMs}. */
export const defaultAttemptTimeoutMs = 5_000;
/** Default {@link SessionClientOptions.keepAliveIntervalMs}. */
export const defaultKeepAliveIntervalMs = 10_000;

/** Configuration of a {@link SessionClient}. */
export interface SessionClientOptions {
  /** Where commands go: the replicated log. */
  readonly log: SessionLog;
  /** Timers for retries, attempt timeouts and keep-alives. */
  readonly scheduler: Scheduler;
  /** Jitters the retry backoff when given (recommended with many clients); exact otherwise. */
  readonly random?: Random;
  /**
   * The window of sequences in flight: request n is sent only once every request below
   * n − inflightMax + 1 is answered. Must not exceed the replicas' `responsesPerClientMax`, so no
   * response the client awaits is ever evicted. Default {@link defaultInflightMax}.
   */
  readonly inflightMax?: number;
  /** Requests waiting for the window (or for registration); one more is refused. Default {@link defaultQueuedMax}. */
  readonly queuedMax?: number;
  /** Retries of one command after its first attempt, with the same sequence. Default {@link defaultRetriesMax}. */
  readonly retriesMax?: number;
  /** Backoff before the first retry, in ms; it doubles per retry. Default {@link defaultRetryBackoffMs}. */
  readonly retryBackoffMs?: number;
  /** Largest backoff between retries, in ms. Default {@link defaultRetryBackoffMaxMs}. */
  readonly retryBackoffMaxMs?: number;
  /**
   * An attempt that has not settled after this many ms counts as timed out (indefinite) and is
   * retried; a late answer to it is ignored. Default {@link defaultAttemptTimeoutMs}.
   */
  readonly attemptTimeoutMs?: number;
  /**
   * A keep-alive is sent when a whole interval of this many ms passed without any command sent.
   * Keep it well below the replicas' `sessionTimeoutMs` (a third or less). Default
   * {@link defaultKeepAliveIntervalMs}.
   */
  readonly keepAliveIntervalMs?: number;
}

/** {@link SessionClientOptions} with defaults filled in and validated. */
export type ResolvedClientOptions = Required<Omit<SessionClientOptions, "random">> &
  Pick<SessionClientOptions, "random">;

/**
 * Fills in defaults and validates.
 *
 * @throws `InvalidArgumentError` naming the first bad option.
 */
export function resolveClientOptions(options: SessionClientOptions): ResolvedClientOptions {
  const resolved: ResolvedClientOptions = {
    ...options,
    inflightMax: options.inflightMax ?? defaultInflightMax,
    queuedMax: options.queuedMax ?? defaultQueuedMax,
    retriesMax: options.retriesMax ?? defaultRetriesMax,
    retryBackoffMs: options.retryBackoffMs ?? defaultRetryBackoffMs,
    retryBackoffMaxMs: options.retryBackoffMaxMs ?? defaultRetryBackoffMaxMs,
    attemptTimeoutMs: options.attemptTimeoutMs ?? defaultAttemptTimeoutMs,
    keepAliveIntervalMs: options.keepAliveIntervalMs ?? defaultKeepAliveIntervalMs,
  };
  assertIntegerOption("inflightMax", resolved.inflightMax, 1);
  assertIntegerOption("queuedMax", resolved.queuedMax, 0);
  assertIntegerOption("retriesMax", resolved.retriesMax, 0);
  assertMsOption("retryBackoffMs", resolved.retryBackoffMs, 0);
  assertMsOption("retryBackoffMaxMs", resolved.retryBackoffMaxMs, resolved.retryBackoffMs);
  assertMsOption("attemptTimeoutMs", resolved.attemptTimeoutMs, 1);
  assertMsOption("keepAliveIntervalMs", resolved.keepAliveIntervalMs, 1);
  return resolved;
}

/** The wait before retry number `retry` (1-based): doubling from `retryBackoffMs`, capped, jittered. */
export function retryDelayMs(options: ResolvedClientOptions, retry: number): number {
  const exact = Math.min(
    options.retryBackoffMaxMs,
    options.retryBackoffMs * 2 ** Math.min(retry - 1, 30),
  );
  return options.random === undefined ? exact : exact / 2 + (exact / 2) * options.random.float();
}
