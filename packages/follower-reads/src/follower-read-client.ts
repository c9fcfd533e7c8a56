import { InvalidArgumentError, isPodsError, type Clock, type NodeId } from "@pods/core-interfaces";
import { NoReplicaAvailableError, type ReplicaFailure } from "./errors.ts";
import type { ReadOptions, ReadResult } from "./read-types.ts";
import { checkVersion } from "./options.ts";
import type { ReplicaDescriptor, ReplicaSelector } from "./replica-selector.ts";
import { SessionToken } from "./session-token.ts";

/**
 * How a client reaches a replica's {@link FollowerReader}: sends `request` with `options` to
 * `replica` and returns what its `read` returned, or rejects with what it rejected with
 * (`ReplicaLaggingError`, `TooStaleError`, …) or with a network failure (`UnreachableError`,
 * `TimeoutError`, `ClosedError`).
 *
 * @typeParam Q - what a read asks for (a key, a query).
 * @typeParam R - what a read returns.
 */
export interface ReplicaReadPort<Q, R> {
  /** Reads `request` on `replica`. */
  read(replica: ReplicaDescriptor, request: Q, options: ReadOptions): Promise<ReadResult<R>>;
}

/** Options of {@link FollowerReadClient}. */
export interface FollowerReadClientOptions<Q, R> {
  /** Chooses the replicas, in order of preference. */
  readonly selector: ReplicaSelector;
  /** Reaches a replica. */
  readonly port: ReplicaReadPort<Q, R>;
  /** The client's clock, to time round trips for the selector. */
  readonly clock: Clock;
  /** The session's token. Default: a new one, at version 0. */
  readonly session?: SessionToken;
  /** Replicas tried per read, at most. Default: all of them. */
  readonly attemptsMax?: number;
}

/** What {@link FollowerReadClient.read} returns. */
export interface ClientReadResult<R> extends ReadResult<R> {
  /** The replica that served the read. */
  readonly nodeId: NodeId;
}

/** Error codes after which the client tries the next replica. */
const refusals = new Set(["REPLICA_LAGGING", "TOO_STALE"]);
/** Error codes that say the replica could not be reached: it is also marked down. */
const networkFailures = new Set(["UNREACHABLE", "TIMEOUT", "CLOSED"]);

/**
 * The client side of follower reads: sends each read to the best replica (same region, lowest
 * latency, not down), with the session token as its minimum version, and on `ReplicaLaggingError`,
 * `TooStaleError` or a network failure tries the next one. Replicas that cannot be reached are
 * marked down; round trips (less the time a read waited on the replica) feed the selector's
 * latency. Every version a read returns goes into the session token, so reads are monotonic.
 */
export class FollowerReadClient<Q, R> {
  readonly #selector: ReplicaSelector;
  readonly #port: ReplicaReadPort<Q, R>;
  readonly #clock: Clock;
  readonly #session: SessionToken;
  readonly #attemptsMax: number;

  /**
   * @param options - the selector, the port, the clock, the session and the limits.
   * @throws `InvalidArgumentError` for a bad option.
   */
  constructor(options: FollowerReadClientOptions<Q, R>) {
    if (typeof options.port?.read !== "function") {
      throw new InvalidArgumentError("A FollowerReadClient needs a port to reach replicas.");
    }
    if (typeof options.clock?.monotonicMs !== "function") {
      throw new InvalidArgumentError("A FollowerReadClient needs a clock (the client's Env).");
    }
    this.#selector = options.selector;
    this.#port = options.port;
    this.#clock = options.clock;
    this.#session = options.session ?? new SessionToken();
    const attemptsMax = options.attemptsMax ?? options.selector.replicas.length;
    if (!Number.isSafeInteger(attemptsMax) || attemptsMax < 1) {
      throw new InvalidArgumentError(
        `attemptsMax must be a safe integer >= 1, got ${String(attemptsMax)}.`,
      );
    }
    this.#attemptsMax = attemptsMax;
  }

  /** The session's token: the highest version this client has seen. */
  get session(): SessionToken {
    return this.#session;
  }

  /**
   * Records the version a write returned, so later reads see it (read-your-writes).
   *
   * @returns the session's version after it.
   * @throws `InvalidArgumentError` unless `version` is a safe integer ≥ 0.
   */
  observeWrite(version: number): number {
    return this.#session.observe(version);
  }

  /**
   * Reads `request` from the best replica that can serve it, trying up to `attemptsMax` replicas
   * in the selector's order. The minimum version sent is the larger of `options.minVersion` and
   * the session's.
   *
   * Rejects with `NoReplicaAvailableError` when none served it, or at once with any other error
   * a replica's read rejected with (a bad request, say).
   */
  async read(request: Q, options: ReadOptions = {}): Promise<ClientReadResult<R>> {
    const readOptions: ReadOptions = {
      ...options,
      minVersion: Math.max(
        checkVersion("minVersion", options.minVersion ?? 0),
        this.#session.version,
      ),
    };
    const failures: ReplicaFailure[] = [];
    for (const replica of this.#selector.rank().slice(0, this.#attemptsMax)) {
      const startMs = this.#clock.monotonicMs();
      try {
        const result = await this.#port.read(replica, request, readOptions);
        this.#answered(replica, startMs, result.waitedMs);
        this.#session.observe(result.version);
        return { ...result, nodeId: replica.nodeId };
      } catch (error) {
        if (!isPodsError(error)) throw error;
        if (refusals.has(error.code)) {
          const waitedMs = (error as { waitedMs?: unknown }).waitedMs;
          this.#answered(replica, startMs, typeof waitedMs === "number" ? waitedMs : 0);
        } else if (networkFailures.has(error.code)) {
          this.#selector.markDown(replica.nodeId);
        } else {
          throw error;
        }
        failures.push({ nodeId: replica.nodeId, error });
      }
    }
    throw new NoReplicaAvailableError(failures);
  }

  /** The replica answered: it is up, and the round trip less its wait is a latency sample. */
  #answered(replica: ReplicaDescriptor, startMs: number, waitedMs: number): void {
    this.#selector.markUp(replica.nodeId);
    this.#selector.recordLatency(
      replica.nodeId,
      Math.max(0, this.#clock.monotonicMs() - startMs - waitedMs),
    );
  }
}
