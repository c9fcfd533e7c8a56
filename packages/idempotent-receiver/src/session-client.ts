import {
  ClosedError,
  isPodsError,
  TimeoutError,
  type Cancel,
  type FailureOutcome,
  type PodsError,
} from "@pods/core-interfaces";
import { RequestQueueFullError, SessionExpiredError, SessionRequestFailedError } from "./errors.ts";
import {
  resolveClientOptions,
  retryDelayMs,
  type ResolvedClientOptions,
  type SessionClientOptions,
} from "./session-client-options.ts";
import { sessionCommandCodec, type SessionCommand } from "./session-command.ts";
import { sessionResultCodec, sessionResultError, type SessionResult } from "./session-result.ts";

/** Counters of what a {@link SessionClient} did. */
export interface SessionClientStats {
  /** Sessions registered (the first, and one after each expiry). */
  readonly registrations: number;
  /** Commands handed to the log port, first attempts and retries alike. */
  readonly attempts: number;
  /** Retries after a failed attempt. */
  readonly retries: number;
  /** Keep-alives sent. */
  readonly keepAlives: number;
  /** Sessions the replicas reported expired. */
  readonly expirations: number;
}

interface Request {
  readonly command: Uint8Array;
  readonly resolve: (response: Uint8Array) => void;
  readonly reject: (error: PodsError) => void;
  sequence: number;
  settled: boolean;
}

/** What a series of attempts ended with. */
type Attempted =
  | {
      readonly kind: "result";
      readonly result: SessionResult;
      readonly attempts: number;
      readonly mayHaveApplied: boolean;
    }
  | { readonly kind: "abandoned" };

/** The error for a result that does not answer the command it came back for. */
function unexpected(result: SessionResult): Error {
  return new Error(`the log answered with an unexpected ${result.type} result`);
}

/** Errors worth retrying with the same bytes (the port's contract, {@link SessionLog.submit}). */
function isRetryable(error: unknown): boolean {
  return (
    isPodsError(error) &&
    (error.outcome === "indefinite" || error.code === "NOT_LEADER" || error.code === "UNREACHABLE")
  );
}

/**
 * The client side of the idempotent receiver. It registers a session through the log, numbers
 * requests 1, 2, 3, … and keeps up to `inflightMax` of them in flight, tells the replicas its
 * `firstUnacknowledged` sequence with every command, retries failed attempts with the same
 * sequence, sends keep-alives while idle, and re-registers when the replicas report the session
 * expired.
 *
 * `request` resolves with the wrapped state machine's response, or rejects with an error whose
 * `outcome` says whether the request may have been applied (`definite` only if no attempt can
 * have been): `SessionExpiredError` (the client re-registers), `RequestTooOldError`,
 * `SessionRequestFailedError` (retries exhausted, or a port error retrying cannot fix),
 * `RequestQueueFullError` and `ClosedError`.
 */
export class SessionClient {
  readonly #options: ResolvedClientOptions;
  readonly #queue: Request[] = [];
  /** Sent and not settled, by sequence; sequences are assigned in order, so the first is lowest. */
  readonly #inFlight = new Map<number, Request>();
  readonly #timers = new Set<Cancel>();
  #clientId: number | undefined;
  #registering = false;
  #nextSequence = 1;
  /** The lowest sequence in flight, or `#nextSequence` when none is: kept, not searched for. */
  #lowestInFlight = 1;
  #sentSinceKeepAlive = false;
  #cancelKeepAlive: Cancel | undefined;
  #closed = false;
  readonly #stats = { registrations: 0, attempts: 0, retries: 0, keepAlives: 0, expirations: 0 };

  /**
   * @param options - the log port, the scheduler and limits.
   * @throws `InvalidArgumentError` on a bad option.
   */
  constructor(options: SessionClientOptions) {
    this.#options = resolveClientOptions(options);
  }

  /**
   * Sends `command` to the wrapped state machine through the session, and resolves with its
   * response. Registers a session first if there is none.
   */
  request(command: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      if (this.#closed) return reject(new ClosedError("the session client"));
      if (this.#queue.length >= this.#options.queuedMax) {
        return reject(new RequestQueueFullError(this.#options.queuedMax));
      }
      this.#queue.push({ command, resolve, reject, sequence: 0, settled: false });
      this.#pump();
    });
  }

  /** Stops keep-alives and fails every unsettled request with `ClosedError`. Idempotent. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    for (const cancel of this.#timers) cancel();
    this.#timers.clear();
    this.#cancelKeepAlive?.();
    for (const request of this.#queue.splice(0)) {
      this.#settle(request, new ClosedError("the session client"));
    }
    for (const request of [...this.#inFlight.values()]) {
      this.#settle(request, new ClosedError("the session client", { outcome: "indefinite" }));
    }
    return Promise.resolve();
  }

  /** The current session's client id, or `undefined` while there is none. */
  get clientId(): number | undefined {
    return this.#clientId;
  }

  /** The sequence the next request will get. */
  get nextSequence(): number {
    return this.#nextSequence;
  }

  /** The lowest sequence whose response this client still awaits (the next one if none). */
  get firstUnacknowledged(): number {
    return this.#lowestInFlight;
  }

  /** Requests sent and not yet settled. */
  get inFlightCount(): number {
    return this.#inFlight.size;
  }

  /** Requests waiting for the window or for registration. */
  get queuedCount(): number {
    return this.#queue.length;
  }

  /** What this client did so far. */
  get stats(): SessionClientStats {
    return { ...this.#stats };
  }

  #pump(): void {
    if (this.#closed || this.#queue.length === 0) return;
    const clientId = this.#clientId;
    if (clientId === undefined) return this.#register();
    while (
      this.#queue.length > 0 &&
      this.#nextSequence < this.firstUnacknowledged + this.#options.inflightMax
    ) {
      const request = this.#queue.shift() as Request;
      request.sequence = this.#nextSequence++;
      this.#inFlight.set(request.sequence, request);
      void this.#send(clientId, request);
    }
  }

  async #send(clientId: number, request: Request): Promise<void> {
    const what = `request ${request.sequence} of session ${clientId}`;
    const attempted = await this.#attempt(
      what,
      () => ({
        type: "request",
        clientId,
        sequence: request.sequence,
        firstUnacknowledged: this.firstUnacknowledged,
        command: request.command,
      }),
      () => request.settled,
    ).catch((error: PodsError) => {
      this.#settle(request, error);
      return { kind: "abandoned" } as const;
    });
    if (attempted.kind === "abandoned" || request.settled) return;
    const { result, attempts, mayHaveApplied } = attempted;
    if (
      result.type === "applied" &&
      result.clientId === clientId &&
      result.sequence === request.sequence
    ) {
      return this.#settle(request, result.response);
    }
    // A refusal means this attempt executed nothing, and no later copy of it will execute:
    // whether the request took effect depends only on whether an earlier attempt may have.
    const outcome: FailureOutcome = mayHaveApplied ? "indefinite" : "definite";
    const refusal = sessionResultError(result, { outcome });
    this.#settle(
      request,
      refusal ?? new SessionRequestFailedError(what, attempts, "indefinite", unexpected(result)),
    );
    if (refusal instanceof SessionExpiredError) this.#sessionExpired(clientId);
  }

  #register(): void {
    if (this.#registering) return;
    this.#registering = true;
    void this.#attempt(
      "registering a session",
      () => ({ type: "register" }),
      () => this.#closed,
    )
      .then((attempted) => {
        if (attempted.kind === "abandoned") return;
        const { result } = attempted;
        if (result.type !== "registered") {
          throw sessionResultError(result) ?? unexpected(result);
        }
        this.#clientId = result.clientId;
        this.#nextSequence = 1;
        this.#lowestInFlight = 1;
        this.#stats.registrations++;
        this.#scheduleKeepAlive(result.clientId);
      })
      .catch((error: unknown) => {
        // The queued requests were never sent under any session: a definite failure.
        const failure = new SessionRequestFailedError(
          "a request waiting for a session",
          0,
          "definite",
          error,
        );
        for (const request of this.#queue.splice(0)) this.#settle(request, failure);
      })
      .finally(() => {
        this.#registering = false;
        this.#pump();
      });
  }

  #sessionExpired(clientId: number): void {
    if (this.#clientId !== clientId) return;
    this.#stats.expirations++;
    this.#clientId = undefined;
    this.#cancelKeepAlive?.();
    for (const request of [...this.#inFlight.values()]) {
      this.#settle(request, new SessionExpiredError(clientId, { outcome: "indefinite" }));
    }
    this.#pump();
  }

  #scheduleKeepAlive(clientId: number): void {
    this.#sentSinceKeepAlive = false;
    this.#cancelKeepAlive = this.#options.scheduler.after(this.#options.keepAliveIntervalMs, () => {
      if (this.#closed || this.#clientId !== clientId) return;
      if (!this.#sentSinceKeepAlive) void this.#keepAlive(clientId);
      this.#scheduleKeepAlive(clientId);
    });
  }

  async #keepAlive(clientId: number): Promise<void> {
    this.#stats.keepAlives++;
    const command: SessionCommand = {
      type: "keep-alive",
      clientId,
      firstUnacknowledged: this.firstUnacknowledged,
    };
    const result = await this.#submitOnce(sessionCommandCodec.encode(command), "a keep-alive")
      .then((bytes) => sessionResultCodec.decode(bytes))
      .catch(() => undefined); // a lost keep-alive is replaced by the next one
    if (result?.type === "session-expired") this.#sessionExpired(clientId);
  }

  /**
   * Submits `command()` (rebuilt per attempt, so it carries the latest `firstUnacknowledged`)
   * until the log answers, retrying retryable failures with backoff. Rejects with
   * `SessionRequestFailedError` when it gives up; `abandoned` when `abandoned()` turned true.
   */
  async #attempt(
    what: string,
    command: () => SessionCommand,
    abandoned: () => boolean,
  ): Promise<Attempted> {
    let mayHaveApplied = false;
    for (let attempt = 1; ; attempt++) {
      let bytes: Uint8Array;
      try {
        bytes = await this.#submitOnce(sessionCommandCodec.encode(command()), what);
      } catch (error) {
        if (abandoned()) return { kind: "abandoned" };
        mayHaveApplied ||= !(isPodsError(error) && error.outcome === "definite");
        const outcome = mayHaveApplied ? "indefinite" : "definite";
        if (!isRetryable(error) || attempt > this.#options.retriesMax) {
          throw new SessionRequestFailedError(what, attempt, outcome, error);
        }
        this.#stats.retries++;
        await this.#sleep(retryDelayMs(this.#options, attempt));
        if (abandoned()) return { kind: "abandoned" };
        continue;
      }
      if (abandoned()) return { kind: "abandoned" };
      try {
        const result = sessionResultCodec.decode(bytes);
        return { kind: "result", result, attempts: attempt, mayHaveApplied };
      } catch (error) {
        throw new SessionRequestFailedError(what, attempt, "indefinite", error);
      }
    }
  }

  /** One call of the port, failing with `TimeoutError` after `attemptTimeoutMs`. */
  #submitOnce(bytes: Uint8Array, what: string): Promise<Uint8Array> {
    this.#stats.attempts++;
    this.#sentSinceKeepAlive = true;
    const { attemptTimeoutMs, scheduler } = this.#options;
    return new Promise((resolve, reject) => {
      const cancel = scheduler.after(attemptTimeoutMs, () => {
        this.#timers.delete(cancel);
        reject(new TimeoutError(what, attemptTimeoutMs));
      });
      this.#timers.add(cancel);
      const done = (): void => {
        cancel();
        this.#timers.delete(cancel);
      };
      this.#options.log.submit(bytes).then(
        (result) => {
          done();
          resolve(result);
        },
        (error: unknown) => {
          done();
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  #sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.#options.scheduler.after(delayMs, () => {
        this.#timers.delete(cancel);
        resolve();
      });
      this.#timers.add(cancel);
    });
  }

  #settle(request: Request, outcome: Uint8Array | PodsError): void {
    if (request.settled) return;
    request.settled = true;
    if (request.sequence > 0) {
      this.#inFlight.delete(request.sequence);
      while (
        this.#lowestInFlight < this.#nextSequence &&
        !this.#inFlight.has(this.#lowestInFlight)
      ) {
        this.#lowestInFlight++;
      }
    }
    if (outcome instanceof Uint8Array) request.resolve(outcome);
    else request.reject(outcome);
    this.#pump();
  }
}
