// The store's client library: finds a node that answers, retries safely, and numbers writes in a
// session so a retried write is applied once even across a leader change.
import { InvalidArgumentError, PodsError, type FailureOutcome } from "@pods/core-interfaces";
import { headers } from "./http-api.ts";
import type { KvStatus } from "./replica.ts";

/** A request the cluster refused or whose outcome is unknown. */
export class KvRequestError extends PodsError {
  /** The server's error code (e.g. `NOT_FOUND`, `TIMEOUT`), or `UNREACHABLE` when no node answered. */
  readonly code: string;
  /** The HTTP status of the last answer, 0 when no node answered. */
  readonly status: number;

  /**
   * @param code - the server's error code.
   * @param message - what happened and what to do.
   * @param status - the HTTP status of the last answer.
   * @param outcome - whether the request may have taken effect.
   */
  constructor(code: string, message: string, status: number, outcome: FailureOutcome) {
    super(message, outcome);
    this.code = code;
    this.status = status;
  }
}

/** Options of {@link KvClient}. */
export interface KvClientOptions {
  /** The nodes' HTTP addresses, e.g. `http://127.0.0.1:7001`. At least one. */
  readonly endpoints: readonly string[];
  /** Attempts per request beyond the first, across nodes. Default 10. */
  readonly retriesMax?: number;
  /** Time one attempt may take, in ms. Default 5000. */
  readonly attemptTimeoutMs?: number;
}

/** A write's acknowledgement. */
export interface WriteAck {
  /** The write's version: its log index. */
  readonly version: number;
  /** Whether the key held a value before. */
  readonly existed: boolean;
}

/** A value read, with its version. */
export interface ReadValue {
  /** The value's bytes. */
  readonly value: Uint8Array;
  /** The version (log index) of the write that stored it. */
  readonly version: number;
}

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

const retriableStatuses = new Set([502, 503, 504]);

function delayMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A client of the replicated store. Writes carry a session (registered on first use) with a new
 * sequence number per write and the same one on every retry, so the cluster applies each write
 * once. Local reads carry the highest version this client has seen, so reads never go back in
 * time when they switch nodes.
 */
export class KvClient {
  readonly #endpoints: readonly string[];
  readonly #retriesMax: number;
  readonly #attemptTimeoutMs: number;
  #preferred = 0;
  #clientId: Promise<number> | undefined;
  #nextSequence = 1;
  readonly #outstanding = new Set<number>();
  #highestVersionSeen = 0;

  /** @param options - endpoints and retry limits. */
  constructor(options: KvClientOptions) {
    const endpoints: readonly string[] = options.endpoints;
    if (endpoints.length === 0) {
      throw new InvalidArgumentError(
        "KvClient needs at least one endpoint URL, e.g. http://127.0.0.1:7001.",
      );
    }
    this.#endpoints = endpoints.map((endpoint) => new URL(endpoint).origin);
    this.#retriesMax = options.retriesMax ?? 10;
    this.#attemptTimeoutMs = options.attemptTimeoutMs ?? 5000;
  }

  /** The highest version this client has seen in a write or a read. */
  get highestVersionSeen(): number {
    return this.#highestVersionSeen;
  }

  /** Stores `value` under `key`; resolves once committed on a majority and applied. */
  async put(key: string, value: Uint8Array | string): Promise<WriteAck> {
    const bytes = typeof value === "string" ? new TextEncoder().encode(value) : value;
    return this.#write("PUT", key, bytes);
  }

  /** Deletes `key`; resolves once committed on a majority and applied. */
  async delete(key: string): Promise<WriteAck> {
    return this.#write("DELETE", key, new Uint8Array());
  }

  /**
   * Reads `key`: linearizable by default; `local` reads whatever the answering node has applied,
   * but never older than what this client has already seen.
   */
  async get(
    key: string,
    consistency: "linearizable" | "local" = "linearizable",
  ): Promise<ReadValue | undefined> {
    const path = `/kv/${encodeURIComponent(key)}?consistency=${consistency}`;
    const extra: Record<string, string> =
      consistency === "local" ? { [headers.minVersion]: String(this.#highestVersionSeen) } : {};
    const answer = await this.#send("GET", path, extra, undefined, "definite");
    if (answer.status === 404) return undefined;
    const version = Number(answer.headers.get(headers.version));
    this.#saw(version);
    return { value: answer.body, version };
  }

  /** Every node's `/status`, or the failure to reach it. */
  async status(): Promise<(KvStatus | { readonly endpoint: string; readonly error: string })[]> {
    return Promise.all(
      this.#endpoints.map(async (endpoint) => {
        try {
          const response = await fetch(`${endpoint}/status`, {
            signal: AbortSignal.timeout(this.#attemptTimeoutMs),
          });
          return (await response.json()) as KvStatus;
        } catch (error) {
          return { endpoint, error: String(error) };
        }
      }),
    );
  }

  async #write(method: "PUT" | "DELETE", key: string, body: Uint8Array): Promise<WriteAck> {
    const clientId = await this.#session();
    const sequence = this.#nextSequence++;
    this.#outstanding.add(sequence);
    try {
      const answer = await this.#send(
        method,
        `/kv/${encodeURIComponent(key)}`,
        {
          [headers.clientId]: String(clientId),
          [headers.sequence]: String(sequence),
          [headers.firstUnacknowledged]: String(Math.min(...this.#outstanding)),
        },
        body,
        "indefinite",
      );
      const ack = JSON.parse(new TextDecoder().decode(answer.body)) as WriteAck;
      this.#saw(ack.version);
      return ack;
    } catch (error) {
      if (error instanceof KvRequestError && error.code === "SESSION_EXPIRED")
        this.#clientId = undefined;
      throw error;
    } finally {
      this.#outstanding.delete(sequence);
    }
  }

  #session(): Promise<number> {
    this.#clientId ??= this.#send("POST", "/sessions", {}, new Uint8Array(), "indefinite").then(
      (answer) =>
        (JSON.parse(new TextDecoder().decode(answer.body)) as { clientId: number }).clientId,
    );
    this.#clientId.catch(() => {
      this.#clientId = undefined;
    });
    return this.#clientId;
  }

  #saw(version: number): void {
    if (Number.isSafeInteger(version))
      this.#highestVersionSeen = Math.max(this.#highestVersionSeen, version);
  }

  /**
   * Sends a request, moving to the next node on network errors and 502/503/504, with backoff.
   * `sentOutcome` is what an exhausted retry means once a request may have been sent.
   */
  async #send(
    method: string,
    path: string,
    extraHeaders: Record<string, string>,
    body: Uint8Array | undefined,
    sentOutcome: FailureOutcome,
  ): Promise<Answer> {
    let last: KvRequestError | undefined;
    for (let attempt = 0; attempt <= this.#retriesMax; attempt++) {
      if (attempt > 0) await delayMs(Math.min(1000, 25 * 2 ** attempt));
      const endpoint = this.#endpoints[this.#preferred % this.#endpoints.length]!;
      let answer: Answer;
      try {
        const response = await fetch(`${endpoint}${path}`, {
          method,
          headers: extraHeaders,
          ...(body === undefined ? {} : { body }),
          signal: AbortSignal.timeout(this.#attemptTimeoutMs),
        });
        answer = {
          status: response.status,
          headers: response.headers,
          body: new Uint8Array(await response.arrayBuffer()),
        };
      } catch (error) {
        last = new KvRequestError(
          "UNREACHABLE",
          `No answer from ${endpoint}: ${String(error)}.`,
          0,
          sentOutcome,
        );
        this.#preferred++;
        continue;
      }
      if (answer.status < 300 || answer.status === 404) return answer;
      const problem = JSON.parse(new TextDecoder().decode(answer.body) || "{}") as {
        error?: string;
        message?: string;
        outcome?: FailureOutcome;
      };
      last = new KvRequestError(
        problem.error ?? "HTTP",
        problem.message ?? `${endpoint} answered ${answer.status}.`,
        answer.status,
        problem.outcome ?? sentOutcome,
      );
      if (!retriableStatuses.has(answer.status)) throw last;
      this.#preferred++;
    }
    throw last!;
  }
}
