import {
  assertNodeId,
  InvalidArgumentError,
  noopLogger,
  UnreachableError,
  type Cancel,
  type Codec,
  type Env,
  type Logger,
  type NodeId,
  type Transport,
} from "@pods/core-interfaces";
import { createMsgpackCodec } from "@pods/codec";
import { causalContextCodec, createSiblingsCodec, versionVectorCodec } from "./encoding.ts";
import { ObsoleteVersionError, TooManySiblingsError } from "./errors.ts";
import {
  parseVersionVectorMessage,
  type PutFailure,
  type ReplicateEntry,
  type VersionVectorMessage,
} from "./messages.ts";
import type { ReplicaStore } from "./replica-store.ts";
import type { Sibling } from "./siblings.ts";

/** Options of {@link ReplicaServer}. */
export interface ReplicaServerOptions<V> {
  /** The replica's storage; its `replicaId` must be the transport's `localId`. */
  readonly store: ReplicaStore<V>;
  /** The network. */
  readonly transport: Transport<VersionVectorMessage>;
  /** Timers, randomness (anti-entropy peers) and logging. */
  readonly env: Pick<Env, "scheduler" | "random"> & { readonly logger?: Logger };
  /** Every replica of the cluster, this one included: the anti-entropy peers. */
  readonly replicas: readonly NodeId[];
  /** The replicas that hold `key` (N of them). Default: all {@link ReplicaServerOptions.replicas}. */
  readonly preferenceList?: (key: string) => readonly NodeId[];
  /** W: replicas, the coordinator included, that must store a put before it is acknowledged. Default 1. */
  readonly writeQuorum?: number;
  /** How long a coordinator waits for W - 1 acknowledgements, in ms. Default 200. */
  readonly replicationTimeoutMs?: number;
  /** The time between anti-entropy rounds, in ms. Default 500. */
  readonly antiEntropyIntervalMs?: number;
  /** The most keys one anti-entropy round sends to its peer. Default 64. */
  readonly antiEntropyKeysMax?: number;
  /** Encodes values on the wire. Default: MessagePack. */
  readonly valueCodec?: Codec<V>;
  /** The most puts waiting for acknowledgements at once; more are refused. Default 1024. */
  readonly pendingWritesMax?: number;
  /** How many answered puts are remembered to answer duplicates alike. Default 4096. */
  readonly answeredPutsMax?: number;
}

interface PendingWrite {
  readonly acks: Set<NodeId>;
  readonly replicas: readonly NodeId[];
  readonly done: () => void;
  readonly cancel: Cancel;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(`${name} must be an integer >= 1, got ${value}.`);
  }
  return value;
}

/**
 * Puts a {@link ReplicaStore} on the network: it coordinates the puts clients send it, answers
 * reads, replicates each write to the key's other replicas (waiting for W of them), merges what
 * other replicas send, and runs anti-entropy: every interval it pushes a batch of keys to a random
 * peer, so every replica converges once the network lets messages through.
 */
export class ReplicaServer<V> {
  /** The replica's storage (read-only use: introspection). */
  readonly store: ReplicaStore<V>;
  readonly #transport: Transport<VersionVectorMessage>;
  readonly #env: Pick<Env, "scheduler" | "random">;
  readonly #logger: Logger;
  readonly #peers: readonly NodeId[];
  readonly #preferenceList: (key: string) => readonly NodeId[];
  readonly #writeQuorum: number;
  readonly #replicationTimeoutMs: number;
  readonly #antiEntropyIntervalMs: number;
  readonly #antiEntropyKeysMax: number;
  readonly #pendingWritesMax: number;
  readonly #answeredPutsMax: number;
  readonly #valueCodec: Codec<V>;
  readonly #siblingsCodec: Codec<readonly Sibling<V>[]>;
  readonly #pending = new Map<number, PendingWrite>();
  readonly #answered = new Map<string, VersionVectorMessage | "pending">();
  readonly #unsubscribe: () => void;
  #nextAckId = 1;
  #roundKeys: string[] = [];
  #roundCursor = 0;
  #cancelRound: Cancel = () => undefined;
  #closed = false;

  /** Starts serving. @throws `InvalidArgumentError` for a bad option. */
  constructor(options: ReplicaServerOptions<V>) {
    const { store, transport } = options;
    if (store.replicaId !== transport.localId) {
      throw new InvalidArgumentError(
        `the store's replicaId "${store.replicaId}" differs from the transport's localId ` +
          `"${transport.localId}"; give both the node's id.`,
      );
    }
    for (const replica of options.replicas) assertNodeId(replica, "replica");
    this.store = store;
    this.#transport = transport;
    this.#env = options.env;
    this.#logger = (options.env.logger ?? noopLogger).child({ replica: store.replicaId });
    this.#peers = options.replicas.filter((replica) => replica !== store.replicaId);
    const replicas = options.replicas;
    this.#preferenceList = options.preferenceList ?? (() => replicas);
    this.#writeQuorum = positiveInteger("writeQuorum", options.writeQuorum ?? 1);
    if (this.#writeQuorum > Math.max(1, replicas.length)) {
      throw new InvalidArgumentError(
        `writeQuorum ${this.#writeQuorum} exceeds the ${replicas.length} replicas.`,
      );
    }
    this.#replicationTimeoutMs = positiveInteger(
      "replicationTimeoutMs",
      options.replicationTimeoutMs ?? 200,
    );
    this.#antiEntropyIntervalMs = positiveInteger(
      "antiEntropyIntervalMs",
      options.antiEntropyIntervalMs ?? 500,
    );
    this.#antiEntropyKeysMax = positiveInteger(
      "antiEntropyKeysMax",
      options.antiEntropyKeysMax ?? 64,
    );
    this.#pendingWritesMax = positiveInteger("pendingWritesMax", options.pendingWritesMax ?? 1024);
    this.#answeredPutsMax = positiveInteger("answeredPutsMax", options.answeredPutsMax ?? 4096);
    this.#valueCodec = options.valueCodec ?? createMsgpackCodec<V>();
    this.#siblingsCodec = createSiblingsCodec({ valueCodec: this.#valueCodec, mode: store.mode });
    this.#unsubscribe = transport.onMessage((from, raw) => this.#receive(from, raw));
    this.#scheduleRound();
  }

  /** Stops serving: no more answers, replication or anti-entropy. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe();
    this.#cancelRound();
    for (const pending of this.#pending.values()) pending.cancel();
    this.#pending.clear();
  }

  #send(to: NodeId, message: VersionVectorMessage): void {
    if (this.#closed) return;
    try {
      this.#transport.send(to, message);
    } catch (error) {
      if (!(error instanceof UnreachableError)) throw error;
      this.#logger.debug("send.unreachable", { to, type: message.type });
    }
  }

  #receive(from: NodeId, raw: VersionVectorMessage): void {
    let message: VersionVectorMessage;
    try {
      message = parseVersionVectorMessage(raw);
    } catch (error) {
      this.#logger.warn("message.invalid", { from, problem: (error as Error).message });
      return;
    }
    switch (message.type) {
      case "put":
        this.#onPut(from, message);
        return;
      case "get":
        this.#send(from, {
          type: "get-ok",
          id: message.id,
          siblings: this.#siblingsCodec.encode(this.store.get(message.key).siblings),
        });
        return;
      case "replicate":
        this.#onReplicate(from, message.ackId, message.entries);
        return;
      case "replicate-ack":
        this.#onAck(from, message.ackId);
        return;
      case "put-ok":
      case "put-failed":
      case "get-ok":
        this.#logger.debug("message.unexpected", { from, type: message.type });
        return;
    }
  }

  #onPut(from: NodeId, message: Extract<VersionVectorMessage, { type: "put" }>): void {
    const answerKey = `${from}#${message.id}`;
    const answered = this.#answered.get(answerKey);
    if (answered !== undefined) {
      if (answered !== "pending") this.#send(from, answered);
      return;
    }
    const reply = (answer: VersionVectorMessage): void => {
      this.#answered.set(answerKey, answer);
      this.#send(from, answer);
    };
    const fail = (failure: PutFailure): void =>
      reply({ type: "put-failed", id: message.id, failure });
    const waits = this.#writeQuorum > 1;
    if (waits && this.#pending.size >= this.#pendingWritesMax) {
      // Refused before storing anything: answered 0 tells the client the outcome is definite.
      this.#logger.warn("put.overloaded", { pending: this.#pending.size });
      this.#remember(answerKey);
      fail({ reason: "not-enough-replicas", needed: this.#writeQuorum, answered: 0 });
      return;
    }
    let result;
    try {
      const value = this.#valueCodec.decode(message.value);
      const context = causalContextCodec.decode(message.context);
      result = this.store.put(message.key, value, context);
    } catch (error) {
      this.#remember(answerKey);
      if (error instanceof ObsoleteVersionError) {
        fail({
          reason: "obsolete",
          stored: versionVectorCodec.encode(error.stored),
          attempted: versionVectorCodec.encode(error.attempted),
        });
      } else if (error instanceof TooManySiblingsError) {
        fail({ reason: "too-many-siblings", siblingsMax: error.siblingsMax });
      } else {
        this.#answered.delete(answerKey);
        this.#logger.warn("put.invalid", { from, problem: (error as Error).message });
      }
      return;
    }
    this.#remember(answerKey);
    const ok: VersionVectorMessage = {
      type: "put-ok",
      id: message.id,
      dot: result.dot,
      context: causalContextCodec.encode(result.context),
    };
    const replicas = this.#preferenceList(message.key).filter((id) => id !== this.store.replicaId);
    const ackId = waits ? this.#nextAckId++ : 0;
    if (waits) {
      const acks = new Set<NodeId>();
      const cancel = this.#env.scheduler.after(this.#replicationTimeoutMs, () => {
        this.#pending.delete(ackId);
        const answered = 1 + acks.size;
        fail({ reason: "not-enough-replicas", needed: this.#writeQuorum, answered });
      });
      this.#pending.set(ackId, { acks, replicas, done: () => reply(ok), cancel });
    }
    const entry = { key: message.key, siblings: this.#encode(message.key) };
    for (const replica of replicas)
      this.#send(replica, { type: "replicate", ackId, entries: [entry] });
    if (!waits) reply(ok);
  }

  /** Marks a put as being answered, forgetting the oldest answers beyond the bound. */
  #remember(answerKey: string): void {
    this.#answered.set(answerKey, "pending");
    while (this.#answered.size > this.#answeredPutsMax) {
      const oldest = this.#answered.keys().next().value as string;
      this.#answered.delete(oldest);
    }
  }

  #onAck(from: NodeId, ackId: number): void {
    const pending = this.#pending.get(ackId);
    if (pending === undefined || !pending.replicas.includes(from)) return;
    pending.acks.add(from);
    if (1 + pending.acks.size < this.#writeQuorum) return;
    this.#pending.delete(ackId);
    pending.cancel();
    pending.done();
  }

  #onReplicate(from: NodeId, ackId: number, entries: readonly ReplicateEntry[]): void {
    let merged = true;
    for (const { key, siblings } of entries) {
      try {
        this.store.merge(key, this.#siblingsCodec.decode(siblings));
      } catch (error) {
        merged = false;
        this.#logger.warn("replicate.invalid", { from, key, problem: (error as Error).message });
      }
    }
    if (ackId > 0 && merged) this.#send(from, { type: "replicate-ack", ackId });
  }

  #encode(key: string): Uint8Array {
    return this.#siblingsCodec.encode(this.store.get(key).siblings);
  }

  #scheduleRound(): void {
    this.#cancelRound = this.#env.scheduler.after(this.#antiEntropyIntervalMs, () => {
      this.#antiEntropyRound();
      this.#scheduleRound();
    });
  }

  /** Pushes the next batch of keys to a random peer that holds them. */
  #antiEntropyRound(): void {
    if (this.#peers.length === 0) return;
    const peer = this.#peers[this.#env.random.int(0, this.#peers.length)] as NodeId;
    if (this.#roundCursor >= this.#roundKeys.length) {
      this.#roundKeys = [...this.store.keys()];
      this.#roundCursor = 0;
    }
    const end = Math.min(this.#roundKeys.length, this.#roundCursor + this.#antiEntropyKeysMax);
    const entries: ReplicateEntry[] = [];
    for (; this.#roundCursor < end; this.#roundCursor++) {
      const key = this.#roundKeys[this.#roundCursor] as string;
      if (this.#preferenceList(key).includes(peer)) {
        entries.push({ key, siblings: this.#encode(key) });
      }
    }
    if (entries.length > 0) this.#send(peer, { type: "replicate", ackId: 0, entries });
  }
}
