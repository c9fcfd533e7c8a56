import { PodsError, type FailureOutcome, type PodsErrorOptions } from "@pods/core-interfaces";

/**
 * The request's session does not exist: it expired (idle longer than `sessionTimeoutMs` of cluster
 * time), was evicted to make room (`sessionsMax`), or never existed. Nothing was applied by this
 * attempt. Register a new session and resend under it; `SessionClient` does the registering.
 *
 * The default outcome is `definite`; `SessionClient` reports `indefinite` for a request that an
 * earlier attempt may have applied before the session ended.
 */
export class SessionExpiredError extends PodsError {
  /** `"SESSION_EXPIRED"`: the stable, machine-readable name of this failure. */
  readonly code = "SESSION_EXPIRED";
  /** The client id of the session that is gone. */
  readonly clientId: number;

  /**
   * @param clientId - the session that is gone.
   * @param options - cause and outcome override.
   */
  constructor(clientId: number, options?: PodsErrorOptions) {
    super(
      `Session ${clientId} does not exist: it expired, was evicted or was never registered. ` +
        "Register a new session and send the request again under it.",
      "definite",
      options,
    );
    this.clientId = clientId;
  }
}

/**
 * The request's sequence is at or below the session's highest discarded sequence: the client
 * said it had the response (`firstUnacknowledged` passed it), or the response was evicted by
 * `responsesPerClientMax`. The request was not executed now, nor will any later copy be; an
 * earlier attempt may have executed it, and its response is gone — so the default outcome is
 * `indefinite` (`SessionClient` reports `definite` when no earlier attempt can have applied it).
 * A client that keeps its window (in-flight requests) within `responsesPerClientMax` never sees
 * this for a request it awaits.
 */
export class RequestTooOldError extends PodsError {
  /** `"REQUEST_TOO_OLD"`: the stable, machine-readable name of this failure. */
  readonly code = "REQUEST_TOO_OLD";
  /** The session's client id. */
  readonly clientId: number;
  /** The refused request's sequence. */
  readonly sequence: number;
  /** The session's highest discarded sequence when the request was refused. */
  readonly highestDiscarded: number;

  /**
   * @param clientId - the session.
   * @param sequence - the refused request's sequence.
   * @param highestDiscarded - the session's highest discarded sequence.
   * @param options - cause and outcome override.
   */
  constructor(
    clientId: number,
    sequence: number,
    highestDiscarded: number,
    options?: PodsErrorOptions,
  ) {
    super(
      `Request ${sequence} of session ${clientId} is too old: responses up to sequence ` +
        `${highestDiscarded} were discarded, so it was not executed again and its first outcome ` +
        "is unknown. Keep in-flight requests within responsesPerClientMax, and do not retry " +
        "requests whose responses were acknowledged.",
      "indefinite",
      options,
    );
    this.clientId = clientId;
    this.sequence = sequence;
    this.highestDiscarded = highestDiscarded;
  }
}

/**
 * `SessionClient` gave up on a request: its retries ran out (`retriesMax`) or the log port failed
 * with an error that retrying cannot fix. `outcome` is `indefinite` when any attempt may have
 * reached the log (the request may have been applied), `definite` otherwise; `cause` is the last
 * attempt's error.
 */
export class SessionRequestFailedError extends PodsError {
  /** `"SESSION_REQUEST_FAILED"`: the stable, machine-readable name of this failure. */
  readonly code = "SESSION_REQUEST_FAILED";
  /** How many times the request was submitted. */
  readonly attempts: number;

  /**
   * @param what - the request, e.g. `"request 7 of session 3"`.
   * @param attempts - how many times it was submitted.
   * @param outcome - whether it may have been applied.
   * @param cause - the last attempt's error.
   */
  constructor(what: string, attempts: number, outcome: FailureOutcome, cause: unknown) {
    super(
      `${what} failed after ${attempts} attempt${attempts === 1 ? "" : "s"} ` +
        `(${cause instanceof Error ? cause.message : String(cause)}); ` +
        (outcome === "indefinite"
          ? "it may have been applied: check before repeating it."
          : "it was not applied: it is safe to send it again."),
      outcome,
      { cause },
    );
    this.attempts = attempts;
  }
}

/**
 * `SessionClient` already holds `queuedMax` requests waiting for a place in its window; this one
 * was refused and not sent (a definite failure). Slow down, or raise `queuedMax`.
 */
export class RequestQueueFullError extends PodsError {
  /** `"REQUEST_QUEUE_FULL"`: the stable, machine-readable name of this failure. */
  readonly code = "REQUEST_QUEUE_FULL";
  /** The limit that was reached. */
  readonly queuedMax: number;

  /** @param queuedMax - the limit that was reached. */
  constructor(queuedMax: number) {
    super(
      `${queuedMax} requests already wait for a place in the session's window (queuedMax); ` +
        "this one was not sent. Wait for responses before sending more, or raise queuedMax.",
      "definite",
    );
    this.queuedMax = queuedMax;
  }
}
