import { InvalidArgumentError } from "@pods/core-interfaces";

/** Default {@link SessionStateMachineOptions.sessionTimeoutMs}: one minute of cluster time. */
export const defaultSessionTimeoutMs = 60_000;
/** Default {@link SessionStateMachineOptions.responsesPerClientMax}. */
export const defaultResponsesPerClientMax = 16;
/** Default {@link SessionStateMachineOptions.sessionsMax}. */
export const defaultSessionsMax = 10_000;

/**
 * Configuration of a {@link SessionStateMachine}. Every replica of a log must use the same values:
 * they decide what `apply` does, and they are not part of snapshots.
 */
export interface SessionStateMachineOptions {
  /**
   * A session with no command (request or keep-alive) for this many ms of cluster time expires:
   * every replica removes it while applying the first command stamped at or after
   * `lastActiveMs + sessionTimeoutMs`. Default {@link defaultSessionTimeoutMs}.
   */
  readonly sessionTimeoutMs?: number;
  /**
   * Responses saved per session; beyond it the lowest sequence's response is discarded (and a
   * retry of it refused with `RequestTooOldError`). Must be at least the clients' `inflightMax`.
   * Default {@link defaultResponsesPerClientMax}.
   */
  readonly responsesPerClientMax?: number;
  /**
   * Sessions kept at once; registering one more evicts the least recently active session (as if
   * it had expired). Default {@link defaultSessionsMax}.
   */
  readonly sessionsMax?: number;
}

/** {@link SessionStateMachineOptions} with every default filled in and validated. */
export interface ResolvedSessionOptions {
  /** See {@link SessionStateMachineOptions.sessionTimeoutMs}. */
  readonly sessionTimeoutMs: number;
  /** See {@link SessionStateMachineOptions.responsesPerClientMax}. */
  readonly responsesPerClientMax: number;
  /** See {@link SessionStateMachineOptions.sessionsMax}. */
  readonly sessionsMax: number;
}

/**
 * Fills in defaults and validates.
 *
 * @throws `InvalidArgumentError` naming the first bad option.
 */
export function resolveSessionOptions(
  options: SessionStateMachineOptions = {},
): ResolvedSessionOptions {
  const resolved = {
    sessionTimeoutMs: options.sessionTimeoutMs ?? defaultSessionTimeoutMs,
    responsesPerClientMax: options.responsesPerClientMax ?? defaultResponsesPerClientMax,
    sessionsMax: options.sessionsMax ?? defaultSessionsMax,
  };
  assertMsOption("sessionTimeoutMs", resolved.sessionTimeoutMs, 1);
  assertIntegerOption("responsesPerClientMax", resolved.responsesPerClientMax, 1);
  assertIntegerOption("sessionsMax", resolved.sessionsMax, 1);
  return resolved;
}

/**
 * Checks that `value` is an integer ≥ `min` (a count, a number of attempts).
 *
 * @throws `InvalidArgumentError` naming `name`.
 */
export function assertIntegerOption(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new InvalidArgumentError(`${name} must be an integer >= ${min}, got ${value}.`);
  }
}

/**
 * Checks that `value` is a finite number of ms ≥ `min`.
 *
 * @throws `InvalidArgumentError` naming `name`.
 */
export function assertMsOption(name: string, value: number, min: number): void {
  if (!Number.isFinite(value) || value < min) {
    throw new InvalidArgumentError(
      `${name} must be a finite number of ms >= ${min}, got ${value}.`,
    );
  }
}
