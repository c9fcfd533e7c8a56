import {
  ClosedError,
  InvalidArgumentError,
  noopLogger,
  type NodeId,
  type Scheduler,
  type Transport,
} from "@pods/core-interfaces";
import { TooManyPendingError } from "./errors.ts";
import {
  positive,
  type QuorumKvMessage,
  type QuorumKvMetrics,
  type QuorumKvStoreOptions,
  type ReadRepair,
} from "./quorum-kv-options.ts";
import { QuorumSet } from "./quorum-set.ts";
import { QuorumTracker, type QuorumAnswers } from "./quorum-tracker.ts";
import { ReplicaStore, type StoredValue } from "./replica-store.ts";
import type { VersionSource } from "./versions.ts";

/** A reply to a read (what the replica holds) or to a write (whether it stored it). */
type Reply<Val, Ver> = StoredValue<Val, Ver> | null | boolean;

/** The replicas' answers to a read: what each holds. */
type ReadReplies<Val, Ver> = ReadonlyMap<NodeId, StoredValue<Val, Ver> | null>;

interface Pending<Val, Ver> {
  readonly expects: "kv-read-reply" | "kv-write-reply";
  readonly tracker: QuorumTracker<Reply<Val, Ver>>;
}

const requestIdSpan = 2 ** 40;

/**
 * A leaderless (Dynamo-style) key-value store on one node of N replicas. Every node is a replica
 * and may coordinate requests: a write goes to all N and succeeds once W hold it; a read asks all
 * N and returns the newest of the first R answers, ties broken by the version's node id.
 * Replicas store a write only if its version is newer than theirs.
 *
 * **Limits.** R + W > N makes every read quorum meet every write quorum, but is **not**
 * linearizable on its own: a read may see a write still in progress and a later read miss it;
 * clock versions lose writes to clock skew; and a compare-and-set built from a read followed by
 * a write is unsafe (two may both "succeed") — that needs consensus. Quorum-read versions with
 * synchronous read repair (the ABD algorithm) make single-key reads and writes linearizable.
 */
export class QuorumKvStore<Val, Ver> {
  /** This node. */
  readonly nodeId: NodeId;
  /** N: the replicas, sorted. */
  readonly replicas: readonly NodeId[];
  /** W. */
  readonly writeQuorum: number;
  /** R. */
  readonly readQuorum: number;
  /** The read repair mode. */
  readonly readRepair: ReadRepair;
  /** Whether R + W > N, so every read quorum meets every write quorum. */
  readonly quorumsOverlap: boolean;
  readonly #transport: Transport<QuorumKvMessage<Val, Ver>>;
  readonly #versions: VersionSource<Ver>;
  readonly #scheduler: Scheduler;
  readonly #timeoutMs: number;
  readonly #pendingMax: number;
  readonly #keyLengthMax: number;
  readonly #writeSet: QuorumSet;
  readonly #readSet: QuorumSet;
  readonly #local: ReplicaStore<Val, Ver>;
  readonly #pending = new Map<number, Pending<Val, Ver>>();
  readonly #unsubscribe: () => void;
  #nextRequestId: number;
  #closed = false;
  #metrics = { reads: 0, writes: 0, repairsSent: 0, ignoredReplies: 0 };

  /**
   * @param transport - this node's transport; its `localId` is this node and must be a replica.
   * @param options - replicas, quorums, versions, ports.
   * @throws `InvalidArgumentError` for a bad configuration.
   */
  constructor(transport: Transport<QuorumKvMessage<Val, Ver>>, options: QuorumKvStoreOptions<Ver>) {
    this.nodeId = transport.localId;
    const all = QuorumSet.majority(options.replicas);
    this.replicas = all.voters;
    if (!all.isVoter(this.nodeId)) {
      throw new InvalidArgumentError(
        `Node "${this.nodeId}" is not one of the replicas [${all.voters.join(", ")}]; every node of a leaderless store holds a replica.`,
      );
    }
    const n = this.replicas.length;
    const majority = all.groups[0]!.replicationQuorum;
    this.writeQuorum = options.writeQuorum ?? majority;
    this.readQuorum = options.readQuorum ?? majority;
    this.#writeSet = QuorumSet.threshold(this.replicas, this.writeQuorum);
    this.#readSet = QuorumSet.threshold(this.replicas, this.readQuorum);
    this.readRepair = options.readRepair ?? "sync";
    if (!["sync", "async", "off"].includes(this.readRepair)) {
      throw new InvalidArgumentError(
        `readRepair must be "sync", "async" or "off", got ${String(options.readRepair)}.`,
      );
    }
    const kind = (options.versions as { kind?: unknown } | undefined)?.kind;
    if (kind !== "clock" && kind !== "quorum-read") {
      throw new InvalidArgumentError(
        `versions must be a version source of kind "clock" or "quorum-read", got ${String(kind)}.`,
      );
    }
    this.#versions = options.versions;
    this.#scheduler = options.scheduler;
    this.#timeoutMs = positive("timeoutMs", options.timeoutMs ?? 1_000);
    this.#pendingMax = positive("pendingMax", options.pendingMax ?? 10_000, true);
    this.#keyLengthMax = positive("keyLengthMax", options.keyLengthMax ?? 1_024, true);
    this.quorumsOverlap = this.readQuorum + this.writeQuorum > n;
    if (!this.quorumsOverlap) {
      (options.logger ?? noopLogger).warn("quorum-kv.quorums-do-not-overlap", {
        replicas: n,
        writeQuorum: this.writeQuorum,
        readQuorum: this.readQuorum,
        advice: "R + W <= N: a read may miss the latest completed write; raise R or W",
      });
    }
    this.#transport = transport;
    this.#local = new ReplicaStore(this.#versions.compare);
    this.#nextRequestId = options.random.int(0, requestIdSpan);
    this.#unsubscribe = transport.onMessage((from, message) => this.#receive(from, message));
  }

  /**
   * Writes `value` under `key` and resolves with its version once W replicas hold it (or a newer
   * one). With quorum-read versions it first reads the highest version from R replicas.
   *
   * Fails with `QuorumFailedError` or `TimeoutError` — both **indefinite**: the replicas that got
   * the write keep it, and a later read may return it — or `TooManyPendingError`,
   * `ClosedError` and `InvalidArgumentError`, which are definite.
   */
  async put(key: string, value: Val): Promise<Ver> {
    this.#checkKey(key);
    this.#metrics.writes++;
    let version: Ver;
    if (this.#versions.kind === "quorum-read") {
      const replies = await this.#readRound(key, `version read of "${key}"`);
      version = this.#versions.next(this.#newest(replies)?.version);
    } else {
      version = this.#versions.next();
    }
    await this.#writeRound("write", key, { value, version }, this.replicas, []);
    return version;
  }

  /**
   * Reads `key`: the newest of R replicas' answers, or `undefined` when none of them holds it.
   * Stale responders are repaired per `readRepair`; with `"sync"` the read resolves only once the
   * returned version is on W replicas (counting those that had it), else it fails with an
   * indefinite `QuorumFailedError` or `TimeoutError`.
   */
  async get(key: string): Promise<StoredValue<Val, Ver> | undefined> {
    this.#checkKey(key);
    this.#metrics.reads++;
    const replies = await this.#readRound(key, `read of "${key}"`);
    const newest = this.#newest(replies);
    if (newest === undefined || this.readRepair === "off") return newest;
    const holders: NodeId[] = [];
    const stale: NodeId[] = [];
    for (const [from, stored] of replies) {
      const same = stored !== null && this.#versions.compare(stored.version, newest.version) === 0;
      (same ? holders : stale).push(from);
    }
    if (this.readRepair === "async") {
      const requestId = this.#nextId();
      for (const to of stale) {
        if (to !== this.nodeId) this.#metrics.repairsSent++;
        this.#sendWrite(to, requestId, key, newest);
      }
      return newest;
    }
    const others = this.replicas.filter((id) => !holders.includes(id));
    await this.#writeRound("repair", key, newest, others, holders);
    return newest;
  }

  /** What this node's replica holds for `key` (no network). */
  stored(key: string): StoredValue<Val, Ver> | undefined {
    return this.#local.get(key);
  }

  /** This node's counters. */
  get metrics(): QuorumKvMetrics {
    return { ...this.#metrics };
  }

  /** Requests this node coordinates that are still in flight. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Stops handling messages and fails pending requests with `ClosedError`. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe();
    const error = new ClosedError(`the quorum KV store on "${this.nodeId}"`);
    for (const { tracker } of [...this.#pending.values()]) tracker.abort(error);
    this.#pending.clear();
  }

  #checkKey(key: string): void {
    if (this.#closed) throw new ClosedError(`the quorum KV store on "${this.nodeId}"`);
    if (typeof key !== "string" || key.length > this.#keyLengthMax) {
      throw new InvalidArgumentError(
        `A key must be a string of at most ${this.#keyLengthMax} characters (keyLengthMax), got ${typeof key === "string" ? `${key.length} characters` : typeof key}.`,
      );
    }
  }

  #newest(replies: ReadReplies<Val, Ver>): StoredValue<Val, Ver> | undefined {
    let newest: StoredValue<Val, Ver> | undefined;
    for (const stored of replies.values()) {
      if (stored === null) continue;
      if (newest === undefined || this.#versions.compare(stored.version, newest.version) > 0) {
        newest = stored;
      }
    }
    return newest;
  }

  #nextId(): number {
    const id = this.#nextRequestId;
    this.#nextRequestId = id + 1 >= Number.MAX_SAFE_INTEGER ? 0 : id + 1;
    return id;
  }

  /** Starts one round: registers a tracker, answers locally, sends to the others. */
  #round(
    expects: Pending<Val, Ver>["expects"],
    quorumSet: QuorumSet,
    operation: string,
    targets: readonly NodeId[],
    holders: readonly NodeId[],
    local: () => Reply<Val, Ver>,
    send: (to: NodeId, requestId: number) => void,
  ): Promise<QuorumAnswers<Reply<Val, Ver>>> {
    if (this.#pending.size >= this.#pendingMax) throw new TooManyPendingError(this.#pendingMax);
    const tracker = new QuorumTracker<Reply<Val, Ver>>(quorumSet, {
      scheduler: this.#scheduler,
      timeoutMs: this.#timeoutMs,
      operation,
    });
    for (const holder of holders) tracker.record(holder, true);
    const requestId = this.#nextId();
    this.#pending.set(requestId, { expects, tracker });
    const done = tracker.wait().finally(() => this.#pending.delete(requestId));
    for (const to of targets) {
      if (tracker.state !== "pending") break;
      if (to === this.nodeId) {
        tracker.onResponse(to, local());
        continue;
      }
      try {
        send(to, requestId);
      } catch (error) {
        tracker.onError(to, error);
      }
    }
    return done;
  }

  async #readRound(key: string, operation: string): Promise<ReadReplies<Val, Ver>> {
    const answers = await this.#round(
      "kv-read-reply",
      this.#readSet,
      operation,
      this.replicas,
      [],
      () => this.#local.get(key) ?? null,
      (to, requestId) => this.#transport.send(to, { type: "kv-read", requestId, key }),
    );
    return answers.responses as ReadReplies<Val, Ver>;
  }

  async #writeRound(
    purpose: "write" | "repair",
    key: string,
    stored: StoredValue<Val, Ver>,
    targets: readonly NodeId[],
    holders: readonly NodeId[],
  ): Promise<void> {
    await this.#round(
      "kv-write-reply",
      this.#writeSet,
      `${purpose} of "${key}"`,
      targets,
      holders,
      () => this.#local.put(key, stored.value, stored.version),
      (to, requestId) => {
        if (purpose === "repair") this.#metrics.repairsSent++;
        this.#sendWrite(to, requestId, key, stored);
      },
    );
  }

  #sendWrite(to: NodeId, requestId: number, key: string, stored: StoredValue<Val, Ver>): void {
    if (to === this.nodeId) {
      this.#local.put(key, stored.value, stored.version);
      return;
    }
    this.#transport.send(to, { type: "kv-write", requestId, key, ...stored });
  }

  #receive(from: NodeId, message: QuorumKvMessage<Val, Ver>): void {
    if (!this.replicas.includes(from)) {
      this.#metrics.ignoredReplies++; // only replicas read, write and answer
      return;
    }
    switch (message.type) {
      case "kv-read":
        this.#reply(from, {
          type: "kv-read-reply",
          requestId: message.requestId,
          stored: this.#local.get(message.key) ?? null,
        });
        return;
      case "kv-write": {
        if (this.#versions.kind === "clock") this.#versions.observe?.(message.version);
        const stored = this.#local.put(message.key, message.value, message.version);
        this.#reply(from, { type: "kv-write-reply", requestId: message.requestId, stored });
        return;
      }
      case "kv-read-reply":
      case "kv-write-reply": {
        const pending = this.#pending.get(message.requestId);
        if (pending === undefined || pending.expects !== message.type) {
          this.#metrics.ignoredReplies++;
          return;
        }
        if (message.type === "kv-read-reply" && message.stored !== null) {
          if (this.#versions.kind === "clock") this.#versions.observe?.(message.stored.version);
        }
        if (!pending.tracker.onResponse(from, message.stored)) this.#metrics.ignoredReplies++;
        return;
      }
    }
  }

  #reply(to: NodeId, message: QuorumKvMessage<Val, Ver>): void {
    try {
      this.#transport.send(to, message);
    } catch {
      // The coordinator is unreachable now; it will time out or count the others.
    }
  }
}
