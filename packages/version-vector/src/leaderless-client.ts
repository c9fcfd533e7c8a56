import {
  ClosedError,
  InvalidArgumentError,
  UnreachableError,
  type Codec,
  type Env,
  type NodeId,
  type Scheduler,
  type Transport,
} from "@pods/core-interfaces";
import { createMsgpackCodec } from "@pods/codec";
import { asContext, CausalContext } from "./causal-context.ts";
import { compareDots } from "./dot.ts";
import { causalContextCodec, createSiblingsCodec, versionVectorCodec } from "./encoding.ts";
import { NotEnoughReplicasError, ObsoleteVersionError, TooManySiblingsError } from "./errors.ts";
import {
  parseVersionVectorMessage,
  type PutFailure,
  type VersionVectorMessage,
} from "./messages.ts";
import { assertKey, type PutResult } from "./replica-store.ts";
import type { ReadResult } from "./resolvers.ts";
import { mergeSiblings, readContext, type Sibling, type SiblingMode } from "./siblings.ts";
import type { VersionVector } from "./version-vector.ts";

/** Options of {@link LeaderlessClient}. */
export interface LeaderlessClientOptions<V> {
  /** The network; the client's own node id is `transport.localId`. */
  readonly transport: Transport<VersionVectorMessage>;
  /**
   * Timers for request deadlines, and randomness for the first request id (so a restarted client
   * never reuses an id a replica still remembers the answer to).
   */
  readonly env: Pick<Env, "scheduler" | "random">;
  /** The replicas that hold `key`, in the order to try them as coordinators. */
  readonly preferenceList: (key: string) => readonly NodeId[];
  /** The replicas' mode (reads merge answers by its rules). Default `"dotted"`. */
  readonly mode?: SiblingMode;
  /** R: replicas whose answers a read merges before returning. Default 1. */
  readonly readQuorum?: number;
  /**
   * How long to wait for one coordinator's answer to a put, or for R answers to a read, in ms.
   * Keep it above the servers' `replicationTimeoutMs` so a coordinator short of W replicas can
   * say so before the client gives up on it. Default 500.
   */
  readonly requestTimeoutMs?: number;
  /** Send the merged siblings back to answering replicas that lacked some. Default true. */
  readonly readRepair?: boolean;
  /** Encodes values on the wire. Default: MessagePack. */
  readonly valueCodec?: Codec<V>;
}

/** Request ids start at a random number below this (2^48), then count up. */
const firstRequestIdMax = 2 ** 48;

type Reply = Extract<VersionVectorMessage, { type: "put-ok" | "put-failed" | "get-ok" }>;

interface Waiter {
  readonly onReply: (reply: Reply, from: NodeId) => void;
  readonly onClose: () => void;
}

function failureError(failure: PutFailure, key: string): Error {
  switch (failure.reason) {
    case "obsolete":
      return new ObsoleteVersionError(
        versionVectorCodec.decode(failure.stored),
        versionVectorCodec.decode(failure.attempted),
      );
    case "too-many-siblings":
      return new TooManySiblingsError(failure.siblingsMax);
    case "not-enough-replicas":
      return new NotEnoughReplicasError(`put ${key}`, failure.needed, failure.answered, {
        outcome: failure.answered > 0 ? "indefinite" : "definite",
      });
  }
}

function sameDots(a: readonly Sibling<unknown>[], b: readonly Sibling<unknown>[]): boolean {
  return (
    a.length === b.length &&
    a.every((s, i) => compareDots(s.dot, (b[i] as Sibling<unknown>).dot) === 0)
  );
}

/**
 * A client of a leaderless store. A put goes to the first replica of the key's preference list
 * that answers (that replica coordinates it). A read asks every replica of the list, merges the
 * first R answers — concurrent versions stay siblings, superseded ones drop out — and repairs
 * the answering replicas that missed something.
 */
export class LeaderlessClient<V> {
  readonly #transport: Transport<VersionVectorMessage>;
  readonly #scheduler: Scheduler;
  readonly #preferenceList: (key: string) => readonly NodeId[];
  readonly #mode: SiblingMode;
  readonly #readQuorum: number;
  readonly #requestTimeoutMs: number;
  readonly #readRepair: boolean;
  readonly #valueCodec: Codec<V>;
  readonly #siblingsCodec: Codec<readonly Sibling<V>[]>;
  readonly #waiting = new Map<number, Waiter>();
  readonly #unsubscribe: () => void;
  #nextId: number;
  #closed = false;

  /** @throws `InvalidArgumentError` for a bad option. */
  constructor(options: LeaderlessClientOptions<V>) {
    this.#transport = options.transport;
    this.#scheduler = options.env.scheduler;
    this.#nextId = options.env.random.int(1, firstRequestIdMax);
    this.#preferenceList = options.preferenceList;
    this.#mode = options.mode ?? "dotted";
    this.#readQuorum = options.readQuorum ?? 1;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 500;
    this.#readRepair = options.readRepair ?? true;
    if (!Number.isSafeInteger(this.#readQuorum) || this.#readQuorum < 1) {
      throw new InvalidArgumentError(
        `readQuorum must be an integer >= 1, got ${this.#readQuorum}.`,
      );
    }
    if (!Number.isFinite(this.#requestTimeoutMs) || this.#requestTimeoutMs <= 0) {
      throw new InvalidArgumentError(
        `requestTimeoutMs must be a number > 0, got ${this.#requestTimeoutMs}.`,
      );
    }
    this.#valueCodec = options.valueCodec ?? createMsgpackCodec<V>();
    this.#siblingsCodec = createSiblingsCodec({ valueCodec: this.#valueCodec, mode: this.#mode });
    this.#unsubscribe = this.#transport.onMessage((from, raw) => this.#receive(from, raw));
  }

  /**
   * Writes `value` with `context` (a read's or the previous put's; default: none, a blind write).
   * Tries the key's replicas in order until one answers.
   *
   * @returns the new version's dot and the context to write with next.
   * @throws `ObsoleteVersionError` or `TooManySiblingsError` (definite): nothing was written.
   * @throws {@link NotEnoughReplicasError} when no replica answered, or fewer than W stored it;
   *   `indefinite` when the write may have been stored.
   * @throws `InvalidArgumentError` for a bad key or a value the codec cannot encode.
   */
  async put(key: string, value: V, context?: CausalContext | VersionVector): Promise<PutResult> {
    assertKey(key);
    const valueBytes = this.#valueCodec.encode(value);
    const contextBytes = causalContextCodec.encode(
      context === undefined ? CausalContext.empty : asContext(context),
    );
    let mayHaveStored = false;
    for (const replica of this.#preferenceList(key)) {
      const reply = await this.#ask(replica, (id) => ({
        type: "put",
        id,
        key,
        value: valueBytes,
        context: contextBytes,
      }));
      if (reply === "unreachable") continue;
      if (reply === "timeout") {
        mayHaveStored = true;
        continue;
      }
      if (reply.type === "put-ok") {
        return { dot: reply.dot, context: causalContextCodec.decode(reply.context) };
      }
      if (reply.type === "put-failed") throw failureError(reply.failure, key);
    }
    throw new NotEnoughReplicasError(`put ${key}`, 1, 0, {
      outcome: mayHaveStored ? "indefinite" : "definite",
    });
  }

  /**
   * Reads `key` from R replicas: their siblings merged, and the context to write with next.
   *
   * @throws {@link NotEnoughReplicasError} (definite) when fewer than R answered in time.
   */
  get(key: string): Promise<ReadResult<V>> {
    assertKey(key);
    if (this.#closed) return Promise.reject(new ClosedError("leaderless client"));
    return new Promise((resolve, reject) => {
      const answers: { replica: NodeId; siblings: readonly Sibling<V>[] }[] = [];
      const ids: number[] = [];
      const finish = (): void => {
        cancel();
        for (const id of ids) this.#waiting.delete(id);
      };
      const cancel = this.#scheduler.after(this.#requestTimeoutMs, () => {
        finish();
        reject(new NotEnoughReplicasError(`get ${key}`, this.#readQuorum, answers.length));
      });
      const waiter: Waiter = {
        onReply: (reply, from) => {
          if (reply.type !== "get-ok" || answers.some(({ replica }) => replica === from)) return;
          try {
            answers.push({ replica: from, siblings: this.#siblingsCodec.decode(reply.siblings) });
          } catch {
            return;
          }
          if (answers.length < this.#readQuorum) return;
          finish();
          resolve(this.#merge(key, answers));
        },
        onClose: () => {
          finish();
          reject(new ClosedError("leaderless client"));
        },
      };
      let sent = 0;
      for (const replica of this.#preferenceList(key)) {
        const id = this.#nextId++;
        this.#waiting.set(id, waiter);
        ids.push(id);
        if (this.#trySend(replica, { type: "get", id, key })) sent++;
      }
      if (sent < this.#readQuorum) {
        finish();
        reject(new NotEnoughReplicasError(`get ${key}`, this.#readQuorum, 0));
      }
    });
  }

  /** Stops the client; pending calls fail with `ClosedError`. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe();
    for (const waiter of [...this.#waiting.values()]) waiter.onClose();
    this.#waiting.clear();
  }

  #merge(
    key: string,
    answers: readonly { replica: NodeId; siblings: readonly Sibling<V>[] }[],
  ): ReadResult<V> {
    let merged: readonly Sibling<V>[] = [];
    for (const answer of answers) merged = mergeSiblings(merged, answer.siblings, this.#mode);
    if (this.#readRepair) {
      const stale = answers.filter((answer) => !sameDots(answer.siblings, merged));
      if (stale.length > 0) {
        const entries = [{ key, siblings: this.#siblingsCodec.encode(merged) }];
        for (const { replica } of stale)
          this.#trySend(replica, { type: "replicate", ackId: 0, entries });
      }
    }
    return { siblings: merged, context: readContext(merged) };
  }

  #trySend(to: NodeId, message: VersionVectorMessage): boolean {
    try {
      this.#transport.send(to, message);
      return true;
    } catch (error) {
      if (error instanceof UnreachableError) return false;
      throw error;
    }
  }

  /** Sends one request and waits for its reply, a timeout, or an immediate send failure. */
  #ask(
    to: NodeId,
    build: (id: number) => VersionVectorMessage,
  ): Promise<Reply | "timeout" | "unreachable"> {
    if (this.#closed) return Promise.reject(new ClosedError("leaderless client"));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const cancel = this.#scheduler.after(this.#requestTimeoutMs, () => {
        this.#waiting.delete(id);
        resolve("timeout");
      });
      this.#waiting.set(id, {
        onReply: (reply, from) => {
          if (from !== to || reply.type === "get-ok") return;
          this.#waiting.delete(id);
          cancel();
          resolve(reply);
        },
        onClose: () => {
          cancel();
          reject(new ClosedError("leaderless client"));
        },
      });
      if (!this.#trySend(to, build(id))) {
        this.#waiting.delete(id);
        cancel();
        resolve("unreachable");
      }
    });
  }

  #receive(from: NodeId, raw: VersionVectorMessage): void {
    let message: VersionVectorMessage;
    try {
      message = parseVersionVectorMessage(raw);
    } catch {
      return;
    }
    if (message.type !== "put-ok" && message.type !== "put-failed" && message.type !== "get-ok") {
      return;
    }
    this.#waiting.get(message.id)?.onReply(message, from);
  }
}
